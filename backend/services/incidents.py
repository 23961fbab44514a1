"""Incident service: reads, lifecycle transitions with events and audit, stats.

Every function takes the pool and keyword-only arguments; errors are the domain's
(`IncidentNotFound`, `InvalidTransition`). These are what the REST routes and the
MCP tool catalogue call.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
import structlog

from backend.domain.errors import IncidentNotFound, InvalidTransition
from backend.domain.events import EventType
from backend.domain.statuses import IncidentStatus, Severity, incident_sources_for
from backend.repositories.incidents import IncidentRepository
from backend.services.incident_models import (
    IncidentPublic,
    IncidentStats,
    StatsRow,
    summarize_stats,
)
from backend.services.incident_recording import incident_event
from backend.uow import UnitOfWork

log = structlog.get_logger(__name__)

_EVENTS: dict[IncidentStatus, EventType] = {
    IncidentStatus.NOTIFIED: EventType.INCIDENT_NOTIFIED,
    IncidentStatus.ACKNOWLEDGED: EventType.INCIDENT_ACKNOWLEDGED,
    IncidentStatus.INVESTIGATING: EventType.INCIDENT_INVESTIGATING,
    IncidentStatus.RESOLVED: EventType.INCIDENT_RESOLVED,
}


async def list_active(
    pool: asyncpg.Pool, *, limit: int = 50, severity: Severity | None = None
) -> list[IncidentPublic]:
    """Open (not resolved) incidents, most severe and most recent first."""
    async with pool.acquire() as conn:
        rows = await IncidentRepository(conn).list_open(
            limit=limit, severities=[str(severity)] if severity else None
        )
    return [IncidentPublic.from_row(r) for r in rows]


async def list_critical(pool: asyncpg.Pool, *, limit: int = 50) -> list[IncidentPublic]:
    """Open incidents of severity critical or high."""
    async with pool.acquire() as conn:
        rows = await IncidentRepository(conn).list_open(
            limit=limit, severities=[Severity.CRITICAL, Severity.HIGH]
        )
    return [IncidentPublic.from_row(r) for r in rows]


async def get(pool: asyncpg.Pool, *, incident_id: int) -> IncidentPublic:
    """One incident; IncidentNotFound when it does not exist."""
    async with pool.acquire() as conn:
        row = await IncidentRepository(conn).get(incident_id)
    if row is None:
        raise IncidentNotFound(incident_id)
    return IncidentPublic.from_row(row)


async def transition_in(
    uow: UnitOfWork,
    *,
    incident_id: int,
    target: IncidentStatus,
    actor: str,
    notes: str | None = None,
    method: str | None = None,
) -> IncidentPublic:
    """Move an incident within the caller's unit of work: one conditional UPDATE, event, audit."""
    row = await uow.incidents.transition(
        incident_id,
        sources=[str(s) for s in incident_sources_for(target)],
        target=str(target),
        actor=actor,
        notes=notes,
        method=method,
    )
    if row is None:
        current = await uow.incidents.status_of(incident_id)
        if current is None:
            raise IncidentNotFound(incident_id)
        raise InvalidTransition("incident", incident_id, current, str(target))
    incident = IncidentPublic.from_row(row)
    payload: dict[str, object] = {**incident_event(incident), "actor": actor}
    if target is IncidentStatus.RESOLVED:
        payload["mttr_seconds"] = incident.mttr_seconds
    uow.outbox.add(_EVENTS[target], payload)
    await uow.audit.record(
        "incident",
        incident_id,
        str(_EVENTS[target]),
        actor,
        from_status=row["from_status"],
        to_status=str(target),
        details={"notes": notes, "method": method} if target is IncidentStatus.RESOLVED else None,
    )
    return incident


async def _transition(
    pool: asyncpg.Pool,
    *,
    incident_id: int,
    target: IncidentStatus,
    actor: str,
    notes: str | None = None,
    method: str | None = None,
) -> IncidentPublic:
    async with UnitOfWork(pool) as uow:
        incident = await transition_in(
            uow, incident_id=incident_id, target=target, actor=actor, notes=notes, method=method
        )
        await uow.commit()
    log.info(f"incident.{target}", incident_id=incident_id, actor=actor)
    return incident


async def mark_notified(pool: asyncpg.Pool, *, incident_id: int, actor: str) -> IncidentPublic:
    """Record that people were told (the notifier calls this)."""
    return await _transition(
        pool, incident_id=incident_id, target=IncidentStatus.NOTIFIED, actor=actor
    )


async def acknowledge(pool: asyncpg.Pool, *, incident_id: int, actor: str) -> IncidentPublic:
    """A person takes the incident; starts the MTTA clock's end."""
    return await _transition(
        pool, incident_id=incident_id, target=IncidentStatus.ACKNOWLEDGED, actor=actor
    )


async def start_investigation(
    pool: asyncpg.Pool, *, incident_id: int, actor: str
) -> IncidentPublic:
    """Someone is working on it."""
    return await _transition(
        pool, incident_id=incident_id, target=IncidentStatus.INVESTIGATING, actor=actor
    )


async def resolve(
    pool: asyncpg.Pool,
    *,
    incident_id: int,
    actor: str,
    notes: str | None = None,
    method: str = "manual",
) -> IncidentPublic:
    """Close the incident; the `incident.resolved` event carries `mttr_seconds`."""
    return await _transition(
        pool,
        incident_id=incident_id,
        target=IncidentStatus.RESOLVED,
        actor=actor,
        notes=notes,
        method=method,
    )


async def resolve_by_job(
    pool: asyncpg.Pool,
    *,
    job_name: str,
    actor: str,
    notes: str | None = None,
    method: str = "manual",
) -> list[IncidentPublic]:
    """Resolve every open incident of a Jenkins job (e.g. after a fixed build)."""
    async with UnitOfWork(pool) as uow:
        rows = await uow.incidents.resolve_open_for_job(
            job_name, actor=actor, notes=notes, method=method
        )
        resolved = []
        for row in rows:
            incident = IncidentPublic.from_row(row)
            uow.outbox.add(
                EventType.INCIDENT_RESOLVED,
                {**incident_event(incident), "actor": actor, "mttr_seconds": incident.mttr_seconds},
            )
            await uow.audit.record(
                "incident",
                incident.id,
                str(EventType.INCIDENT_RESOLVED),
                actor,
                from_status=row["from_status"],
                to_status=str(IncidentStatus.RESOLVED),
                details={"notes": notes, "method": method, "job_name": job_name},
            )
            resolved.append(incident)
        await uow.commit()
    log.info("incidents.resolved_by_job", job_name=job_name, incident_ids=[i.id for i in resolved])
    return resolved


async def stats(pool: asyncpg.Pool, *, hours: float = 24.0) -> IncidentStats:
    """Counts by status, severity and rule; MTTR and MTTA overall, per severity, per rule."""
    async with pool.acquire() as conn:
        rows = await IncidentRepository(conn).stats_rows(hours=hours)
    return summarize_stats(_stats_rows(rows), hours=hours)


def _stats_rows(rows: Sequence[asyncpg.Record]) -> list[StatsRow]:
    return [
        StatsRow(
            rule=r["rule"],
            severity=r["severity"],
            status=r["status"],
            incidents=r["incidents"],
            resolved=r["resolved"],
            resolve_seconds=r["resolve_seconds"],
            acknowledged=r["acknowledged"],
            acknowledge_seconds=r["acknowledge_seconds"],
        )
        for r in rows
    ]
