"""Composition root of the API: `create_app(settings, ...)` wires pool, detector and routes."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import asyncpg
from fastapi import APIRouter, Depends, FastAPI, params

from backend.api.auth import require_token
from backend.api.broker_probe import BrokerProbe
from backend.api.deps import ApiServices
from backend.api.errors import install_error_handlers
from backend.api.routes import actions, incidents, ingest, logs, system, tools
from backend.db.pool import create_pool
from backend.detection.engine import IncidentDetector
from backend.detection.rules import load_rules
from backend.services.incident_recording import DetectionHandler
from backend.services.ingestion import LogIngestion
from backend.settings import ApiSettings
from tools.http_face import mount_mcp


def create_app(
    settings: ApiSettings,
    *,
    detector: IncidentDetector | None = None,
    handlers: Sequence[DetectionHandler] = (),
    pool: asyncpg.Pool | None = None,
    probe_broker: bool = True,
) -> FastAPI:
    """Build the app. Rules load now (a bad file stops start-up); the pool opens in the lifespan.

    Tests pass their own `pool` (left open) or `detector`; the runner's automatic
    remediation plugs in as a post-detection handler.
    """
    detector = detector or IncidentDetector(load_rules(settings.rules_dir))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_pool = pool is None
        db = pool or await create_pool(settings.database_url, min_size=2, max_size=10)
        broker = BrokerProbe(settings.rabbitmq_url) if probe_broker else None
        if broker is not None:
            broker.start()
        app.state.services = ApiServices(
            settings=settings,
            token=settings.api_token.get_secret_value().encode(),
            pool=db,
            ingestion=LogIngestion(
                db,
                detector,
                max_batch_records=settings.max_batch_records,
                update_interval_s=settings.incident_update_interval_s,
                handlers=handlers,
            ),
            broker=broker,
        )
        try:
            yield
        finally:
            if broker is not None:
                await broker.close()
            if own_pool:
                await db.close()

    app = FastAPI(
        title="MCP Runbooks",
        summary="Logs in, deterministic detection, deduplicated incidents, events out.",
        version="0.1.0",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.include_router(system.open_router)
    secured = [Depends(require_token)]
    app.include_router(system.router, dependencies=secured)
    app.include_router(ingest.router, dependencies=secured)
    app.include_router(logs.router, dependencies=secured)
    app.include_router(incidents.router, dependencies=secured)
    app.include_router(actions.router, dependencies=secured)
    app.include_router(tools.router, dependencies=secured)
    mount_mcp(app, host=settings.api_host)  # MCP over streamable HTTP at /mcp, same token
    _include_otlp(app, secured)
    return app


def _include_otlp(app: FastAPI, dependencies: Sequence[params.Depends]) -> None:
    """The OTLP/HTTP logs receiver, when the ingest side provides `backend/api/routes/otlp.py`."""
    try:
        module = importlib.import_module("backend.api.routes.otlp")
    except ModuleNotFoundError:
        return
    router: APIRouter = module.router
    app.include_router(router, dependencies=dependencies)
