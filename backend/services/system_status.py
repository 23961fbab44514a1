"""Server status: is the database up, is the broker up, how far behind is the outbox."""

from __future__ import annotations

import time
from typing import Literal

import asyncpg
from pydantic import BaseModel

from backend.repositories import outbox as outbox_sql
from backend.repositories.outbox import OutboxBacklog


class OutboxStatus(BaseModel):
    pending: int
    due: int
    dead: int
    oldest_pending_age_s: float | None


class ServerStatus(BaseModel):
    """What `GET /api/status` and the `get_server_status` tool report."""

    status: Literal["ok", "degraded", "down"]
    database: Literal["up", "down"]
    database_latency_ms: float | None
    broker: Literal["up", "down", "unknown"]
    outbox: OutboxStatus | None


async def read_backlog(pool: asyncpg.Pool) -> OutboxBacklog:
    """The outbox backlog now."""
    async with pool.acquire() as conn:
        return await outbox_sql.backlog(conn)


async def server_status(pool: asyncpg.Pool, *, broker_up: bool | None) -> ServerStatus:
    """Probe the database (with the backlog query) and combine it with the broker state."""
    started = time.perf_counter()
    try:
        backlog = await read_backlog(pool)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
        return ServerStatus(
            status="down",
            database="down",
            database_latency_ms=None,
            broker=_broker(broker_up),
            outbox=None,
        )
    latency_ms = (time.perf_counter() - started) * 1000
    broker = _broker(broker_up)
    return ServerStatus(
        status="ok" if broker == "up" else "degraded",
        database="up",
        database_latency_ms=round(latency_ms, 2),
        broker=broker,
        outbox=OutboxStatus(
            pending=backlog.pending,
            due=backlog.due,
            dead=backlog.dead,
            oldest_pending_age_s=backlog.oldest_pending_age_s,
        ),
    )


def _broker(up: bool | None) -> Literal["up", "down", "unknown"]:
    if up is None:
        return "unknown"
    return "up" if up else "down"
