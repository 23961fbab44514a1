"""The simulator's own controls (not Jenkins): fail the next calls, set results, list calls."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from runner.simulator.auth import Credentials
from runner.simulator.state import JenkinsState, SimulatorRequestError


def control_routes(state: JenkinsState, credentials: Credentials) -> list[Route]:
    """The simulator's own controls, for demos and tests driving it from another process."""

    async def fail_next(request: Request) -> Response:
        refusal = credentials.check(request.headers.get("authorization"))
        if refusal is not None:
            return refusal
        body = await request.json()
        state.fail_next(
            int(body.get("count", 1)),
            status=int(body.get("status", 500)),
            method=body.get("method"),
        )
        return JSONResponse({"ok": True})

    async def set_result(request: Request) -> Response:
        refusal = credentials.check(request.headers.get("authorization"))
        if refusal is not None:
            return refusal
        body = await request.json()
        try:
            state.set_result(body["result"], job=body.get("job"))
        except SimulatorRequestError as error:
            return JSONResponse({"error": error.message}, status_code=error.status)
        return JSONResponse({"ok": True})

    async def calls(request: Request) -> Response:
        refusal = credentials.check(request.headers.get("authorization"))
        if refusal is not None:
            return refusal
        with state.lock:
            listed = [{"method": c.method, "path": c.path, "at": c.at} for c in state.calls]
        return JSONResponse({"count": len(listed), "calls": listed})

    return [
        Route("/_simulator/fail-next", fail_next, methods=["POST"]),
        Route("/_simulator/result", set_result, methods=["POST"]),
        Route("/_simulator/calls", calls, methods=["GET"]),
    ]
