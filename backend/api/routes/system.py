"""Health, metrics (both open) and the authenticated status report."""

from __future__ import annotations

import asyncpg
from fastapi import APIRouter, Response

from backend.api.deps import PoolDep, ServicesDep
from backend.api.schemas import HealthReply
from backend.metrics import render_metrics
from backend.repositories.outbox import OutboxBacklog
from backend.services.system_status import ServerStatus, read_backlog, server_status

open_router = APIRouter(tags=["system"])
router = APIRouter(tags=["system"])


@open_router.get("/health")
async def health() -> HealthReply:
    """Liveness: the process answers."""
    return HealthReply()


@open_router.get("/metrics", response_class=Response)
async def metrics(services: ServicesDep) -> Response:
    """Prometheus exposition, outbox gauges read from the database now."""
    snapshot: OutboxBacklog | None
    try:
        snapshot = await read_backlog(services.pool)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
        snapshot = None
    body = render_metrics(snapshot, services.settings.prometheus_multiproc_dir)
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")


@router.get("/api/status")
async def status(pool: PoolDep, services: ServicesDep) -> ServerStatus:
    """Database, broker, outbox backlog and the age of the oldest pending event."""
    broker_up = services.broker.up if services.broker is not None else None
    return await server_status(pool, broker_up=broker_up)
