"""The simulator's HTTP face: Jenkins's endpoints, auth, CSRF crumbs and test controls.

Jenkins paths served: `/api/json`, `/crumbIssuer/api/json`, `/me/api/json`,
`/queue/api/json`, `/queue/item/<id>/api/json`, and under `/job/<a>/job/<b>/`:
`api/json`, `build`, `buildWithParameters`, `<n>/api/json`, `<n>/consoleText`,
`<n>/stop` (`<n>` may be `lastBuild`, `lastSuccessfulBuild`, ...). Every JSON
endpoint honours `tree=`. `/_simulator/*` are the simulator's own controls
(not Jenkins, not counted as calls).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from runner.simulator import render
from runner.simulator.auth import Credentials, error_page
from runner.simulator.console import console_lines
from runner.simulator.control import control_routes
from runner.simulator.state import JenkinsState, SimBuild, SimulatorRequestError
from runner.simulator.tree import TreeSyntaxError, apply_tree, parse_tree

SIMULATOR_HEADER = "X-Jenkins-Simulator"
BUILD_ALIASES: dict[str, Callable[[SimBuild], bool]] = {
    "lastBuild": lambda _build: True,
    "lastCompletedBuild": lambda b: not b.building,
    "lastSuccessfulBuild": lambda b: b.result in ("SUCCESS", "UNSTABLE"),
    "lastStableBuild": lambda b: b.result == "SUCCESS",
    "lastFailedBuild": lambda b: b.result == "FAILURE",
}


def _json(request: Request, data: Any) -> Response:
    tree = request.query_params.get("tree")
    if tree:
        try:
            data = apply_tree(data, parse_tree(tree))
        except TreeSyntaxError as error:
            return error_page(400, str(error))
    return JSONResponse(data)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def create_app(state: JenkinsState, credentials: Credentials) -> Starlette:
    """The simulator as an ASGI app over `state`."""

    async def guarded(request: Request, handler: Callable[[], Awaitable[Response]]) -> Response:
        state.advance()
        state.record_call(request.method, request.url.path)
        failure = state.take_failure(request.method)
        if failure is not None:
            return error_page(failure, "Server Error (simulated)")
        refusal = credentials.check(request.headers.get("authorization"))
        if refusal is not None:
            return refusal
        if request.method == "POST" and state.config.csrf:
            form = dict(parse_qsl((await request.body()).decode(errors="replace")))
            given = request.headers.get("Jenkins-Crumb") or form.get("Jenkins-Crumb")
            if not given or not secrets.compare_digest(given.encode(), state.crumb.encode()):
                return error_page(403, "No valid crumb was included in the request")
        try:
            return await handler()
        except SimulatorRequestError as error:
            return error_page(error.status, error.message)

    async def home(request: Request) -> Response:
        async def page() -> Response:
            return HTMLResponse(
                "<html><body><h1>Jenkins SIMULATOR (MCP Runbooks)</h1><p>Not a real Jenkins.</p></body></html>"
            )

        return await guarded(request, page)

    async def root_api(request: Request) -> Response:
        async def answer() -> Response:
            with state.lock:
                return _json(request, render.root_json(state, _base(request)))

        return await guarded(request, answer)

    async def crumb(request: Request) -> Response:
        async def answer() -> Response:
            if not state.config.csrf:
                raise SimulatorRequestError(404, "Not Found")
            return _json(
                request,
                {
                    "_class": "hudson.security.csrf.DefaultCrumbIssuer",
                    "crumb": state.crumb,
                    "crumbRequestField": "Jenkins-Crumb",
                },
            )

        return await guarded(request, answer)

    async def whoami(request: Request) -> Response:
        async def answer() -> Response:
            user = credentials.user if credentials.required else "anonymous"
            return _json(
                request,
                {
                    "_class": "hudson.model.User",
                    "absoluteUrl": f"{_base(request)}/user/{user}",
                    "fullName": user,
                    "id": user,
                },
            )

        return await guarded(request, answer)

    async def queue(request: Request) -> Response:
        async def answer() -> Response:
            with state.lock:
                items = [
                    render.queue_item_json(state, _base(request), i)
                    for i in state.queue.values()
                    if i.build_number is None and not i.cancelled
                ]
            return _json(
                request, {"_class": "hudson.model.Queue", "discoverableItems": [], "items": items}
            )

        return await guarded(request, answer)

    async def queue_item(request: Request) -> Response:
        async def answer() -> Response:
            with state.lock:
                item = state.queue.get(int(request.path_params["item_id"]))
                if item is None:
                    raise SimulatorRequestError(404, "Not Found")
                return _json(request, render.queue_item_json(state, _base(request), item))

        return await guarded(request, answer)

    async def job(request: Request) -> Response:
        async def answer() -> Response:
            return await _job_endpoint(state, request, user=credentials.user or "anonymous")

        return await guarded(request, answer)

    routes = [
        Route("/", home, methods=["GET"]),
        Route("/api/json", root_api, methods=["GET"]),
        Route("/crumbIssuer/api/json", crumb, methods=["GET"]),
        Route("/me/api/json", whoami, methods=["GET"]),
        Route("/queue/api/json", queue, methods=["GET"]),
        Route("/queue/item/{item_id:int}/api/json", queue_item, methods=["GET"]),
        Route("/job/{path:path}", job, methods=["GET", "POST"]),
        *control_routes(state, credentials),
    ]
    labels = [("X-Jenkins", state.config.version), (SIMULATOR_HEADER, "mcp-runbooks")]
    return Starlette(routes=routes, middleware=[Middleware(LabelMiddleware, headers=labels)])


class LabelMiddleware:
    """Adds Jenkins's version header and the simulator's label to every response."""

    def __init__(self, app: ASGIApp, headers: list[tuple[str, str]]) -> None:
        self.app = app
        self.raw = [(k.lower().encode(), v.encode()) for k, v in headers]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def labelled(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.raw]
            await send(message)

        await self.app(scope, receive, labelled)


def split_job_path(path: str) -> tuple[str, list[str]]:
    """`team/job/deploy/12/api/json` -> (`team/deploy`, [`12`, `api`, `json`])."""
    segments = [unquote(s) for s in path.strip("/").split("/")] if path.strip("/") else []
    if not segments:
        raise SimulatorRequestError(404, "Not Found")
    names = [segments[0]]
    rest = segments[1:]
    while len(rest) >= 2 and rest[0] == "job":
        names.append(rest[1])
        rest = rest[2:]
    return "/".join(names), rest


async def _job_endpoint(state: JenkinsState, request: Request, *, user: str) -> Response:
    name, rest = split_job_path(request.path_params["path"])
    base = _base(request)
    post = request.method == "POST"
    with state.lock:
        if name in state.folders:
            if rest == ["api", "json"] and not post:
                return _json(request, render.folder_json(state, base, name))
            if not rest and not post:
                return HTMLResponse(f"<html><body><h1>Folder {name}</h1></body></html>")
            raise SimulatorRequestError(404, "Not Found")
        job = state.find_job(name)
        if rest == ["api", "json"] and not post:
            return _json(request, render.job_json(state, base, job))
        if not rest and not post:
            return HTMLResponse(f"<html><body><h1>{name}</h1></body></html>")
        if rest in (["build"], ["buildWithParameters"]) and post:
            given = dict(request.query_params) | dict(
                parse_qsl((await request.body()).decode(errors="replace"))
            )
            given.pop("Jenkins-Crumb", None)
            given.pop("delay", None)
            if rest == ["build"] and job.parameters:
                raise SimulatorRequestError(400, "This page expects a form submission")
            if rest == ["buildWithParameters"] and not job.parameters:
                raise SimulatorRequestError(400, f"{name} is not parameterized")
            item = state.enqueue(name, given, user=user)
            return Response(status_code=201, headers={"Location": f"{base}/queue/item/{item.id}/"})
        if not rest:
            raise SimulatorRequestError(405, "Method Not Allowed")
        build = _find_build(state, name, rest[0])
        action = rest[1:]
        if action == ["stop"] and post:
            state.stop(name, build.number)
            return Response(
                status_code=302,
                headers={"Location": f"{render.job_url(base, name)}{build.number}/"},
            )
        if post:
            raise SimulatorRequestError(405, "Method Not Allowed")
        if action == ["api", "json"]:
            return _json(request, render.build_json(state, base, build))
        if action == ["consoleText"]:
            return PlainTextResponse("\n".join(console_lines(job, build, state.clock())) + "\n")
        if not action:
            return HTMLResponse(f"<html><body><h1>{name} #{build.number}</h1></body></html>")
    raise SimulatorRequestError(404, "Not Found")


def _find_build(state: JenkinsState, name: str, reference: str) -> SimBuild:
    job = state.find_job(name)
    if reference in BUILD_ALIASES:
        matches = [b for b in job.builds.values() if BUILD_ALIASES[reference](b)]
        if not matches:
            raise SimulatorRequestError(404, "Not Found")
        return max(matches, key=lambda b: b.number)
    if not reference.isdigit():
        raise SimulatorRequestError(404, "Not Found")
    return state.find_build(name, int(reference))
