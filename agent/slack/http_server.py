"""HTTP mode: events, interactivity and slash commands on one endpoint, served on our own address.

Bolt's `app.start()` binds 0.0.0.0; this serves the app through the Starlette adapter
under uvicorn on the configured host (127.0.0.1 by default) instead.
"""

from __future__ import annotations

import asyncio

import uvicorn
from fastapi import FastAPI, Request, Response
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp


def build_http_app(bolt: AsyncApp, *, path: str = "/slack/events") -> FastAPI:
    """A FastAPI app: POST `path` to Bolt (signature checked there), GET /health."""
    handler = AsyncSlackRequestHandler(bolt)
    api = FastAPI(title="runbooks slack", docs_url=None, redoc_url=None, openapi_url=None)

    @api.post(path)
    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)

    @api.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return api


class HttpListener:
    """uvicorn in this event loop; `port` is known once `start` returns (0 picks a free one)."""

    def __init__(self, app: FastAPI, *, host: str, port: int) -> None:
        config = uvicorn.Config(
            app, host=host, port=port, log_config=None, access_log=False, lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None
        self.port = port

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                await self._task  # raises the startup error (e.g. the port is taken)
                raise RuntimeError("the Slack HTTP listener stopped during start-up")
            await asyncio.sleep(0.02)
        sockets = [s for server in self._server.servers for s in server.sockets]
        self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._server.should_exit = True
        if self._task is not None:
            await self._task
