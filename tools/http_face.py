"""The catalogue on the API: tool services from the API's resources, MCP at /mcp behind the token."""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from mcp.server.mcpserver import MCPServer
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from backend.settings import load_settings
from tools.context import ToolServices
from tools.jenkins_access import open_jenkins_reader
from tools.mcp_server import RunbooksMcp
from tools.settings import McpSettings

TOKEN_ACTOR = "token:api"  # the API has one token; its holder is named this in the audit log


def tool_services_of(app_state: Any) -> ToolServices:
    """Tool services over what the API's lifespan opened (`app.state`)."""
    api_services = app_state.services
    broker = getattr(api_services, "broker", None)
    return ToolServices(
        pool=api_services.pool,
        jenkins=getattr(app_state, "tool_jenkins", None),
        broker_up=(lambda: broker.up) if broker is not None else (lambda: None),
    )


class BearerGate:
    """ASGI guard: 401 unless `Authorization: Bearer <API token>` (constant-time compare)."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            expected: bytes = scope["app"].state.services.token
            header = dict(scope.get("headers") or ()).get(b"authorization", b"")
            scheme, _, given = header.partition(b" ")
            if scheme.lower() != b"bearer" or not hmac.compare_digest(given.strip(), expected):
                response = JSONResponse(
                    {"detail": "missing or invalid bearer token"},
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
                await response(scope, receive, send)
                return
        await self._app(scope, receive, send)


@asynccontextmanager
async def _running(mcp: RunbooksMcp) -> AsyncIterator[None]:
    """Run the MCP session manager in a task of its own.

    Its task group must be entered and left by one task; a host (a test fixture, a
    server) may enter and leave the app's lifespan from different tasks.
    """
    ready = asyncio.Event()
    stop = asyncio.Event()

    async def serve() -> None:
        async with mcp.server.session_manager.run():
            ready.set()
            await stop.wait()

    task = asyncio.create_task(serve(), name="mcp-session-manager")
    waiter = asyncio.create_task(ready.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiter.cancel()
        task.result()  # raises why the session manager could not start
    try:
        yield
    finally:
        stop.set()
        await task


def mount_mcp(app: FastAPI, *, host: str, path: str = "/mcp") -> RunbooksMcp:
    """Serve MCP over streamable HTTP at `path` on `app`, behind the API token.

    The session manager must run inside the app's lifespan, after the API opened its
    pool; the Jenkins client for the Jenkins read tools (both faces) opens there too.
    So the app's lifespan is wrapped rather than mounting a sub-app (whose own
    lifespan Starlette would never run).
    """

    @asynccontextmanager
    async def mcp_lifespan(_: MCPServer[ToolServices]) -> AsyncIterator[ToolServices]:
        yield tool_services_of(app.state)

    mcp = RunbooksMcp(mcp_lifespan, transport_actor=TOKEN_ACTOR, version=app.version)
    starlette_app = mcp.server.streamable_http_app(streamable_http_path=path, host=host)
    for route in starlette_app.routes:
        if isinstance(route, Route):
            app.router.routes.append(
                Route(route.path, endpoint=BearerGate(route.endpoint), include_in_schema=False)
            )
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(the_app: Any) -> AsyncIterator[Any]:
        settings = load_settings(McpSettings)
        async with (
            inner(the_app) as state,
            open_jenkins_reader(enabled=settings.mcp_use_jenkins) as jenkins,
        ):
            app.state.tool_jenkins = jenkins
            async with _running(mcp):
                yield state

    app.router.lifespan_context = lifespan
    app.state.mcp = mcp
    return mcp
