"""Timers the relay process runs beside the relay: flatline checks and outbox retention."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

import asyncpg
import structlog

from backend.detection.engine import IncidentDetector
from backend.detection.store import check_flatlines, prune_buckets
from backend.repositories import locks
from backend.repositories import outbox as outbox_sql
from backend.services.incident_recording import (
    DetectionHandler,
    IncidentChanges,
    record_detections,
)
from backend.uow import UnitOfWork

log = structlog.get_logger(__name__)


async def check_flatlines_once(
    pool: asyncpg.Pool,
    detector: IncidentDetector,
    *,
    update_interval_s: float,
    handlers: Sequence[DetectionHandler] = (),
    now: datetime | None = None,
) -> IncidentChanges | None:
    """Evaluate flatline rules once; None when another relay is doing it right now."""
    async with UnitOfWork(pool) as uow:
        if not await locks.try_transaction_lock(uow.conn, locks.FLATLINE_CHECK):
            return None
        at = now or datetime.now(UTC)
        detections = await check_flatlines(uow.conn, detector, at)
        changes = await record_detections(
            uow, detections, update_interval_s=update_interval_s, handlers=handlers
        )
        # Counters no window reads any more go with the same timer.
        await prune_buckets(uow.conn, detector, at)
        await uow.commit()
    changes.announce()
    return changes


async def purge_published_once(pool: asyncpg.Pool, *, retention_s: float) -> int:
    """Delete published events past retention; 0 when another relay holds the purge."""
    async with pool.acquire() as conn, conn.transaction():
        if not await locks.try_transaction_lock(conn, locks.OUTBOX_PURGE):
            return 0
        return await outbox_sql.purge_published(conn, older_than_s=retention_s)


async def every(
    interval_s: float, job: Callable[[], Awaitable[object]], stop: asyncio.Event, *, name: str
) -> None:
    """Run `job` every `interval_s` until `stop`; a failed run is logged and retried next time."""
    while not stop.is_set():
        try:
            await job()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            log.error(f"{name}.failed", error=str(error))
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval_s)
        except TimeoutError:
            pass
