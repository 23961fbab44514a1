"""Incident routes: reads, lifecycle transitions, stats."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query

from backend.api.deps import PoolDep
from backend.api.schemas import AcknowledgeIn, IncidentList, ResolveByJobIn, ResolveIn
from backend.domain.statuses import Severity
from backend.services import incidents as service
from backend.services.incident_models import IncidentPublic, IncidentStats

router = APIRouter(prefix="/api/incidents", tags=["incidents"])

Limit = Annotated[int, Query(ge=1, le=500)]


@router.get("/active")
async def active_incidents(
    pool: PoolDep, limit: Limit = 50, severity: Severity | None = None
) -> IncidentList:
    """Open incidents, most severe and most recent first."""
    found = await service.list_active(pool, limit=limit, severity=severity)
    return IncidentList(incidents=found, count=len(found))


@router.get("/critical")
async def critical_incidents(pool: PoolDep, limit: Limit = 50) -> IncidentList:
    """Open incidents of severity critical or high."""
    found = await service.list_critical(pool, limit=limit)
    return IncidentList(incidents=found, count=len(found))


@router.get("/stats")
async def incident_stats(
    pool: PoolDep, hours: Annotated[float, Query(gt=0, le=24 * 366)] = 24
) -> IncidentStats:
    """Counts by status, severity and rule; MTTR and MTTA (seconds) overall, per severity, per rule."""
    return await service.stats(pool, hours=hours)


@router.post("/resolve-by-job")
async def resolve_by_job(pool: PoolDep, body: ResolveByJobIn) -> IncidentList:
    """Resolve every open incident of a Jenkins job."""
    resolved = await service.resolve_by_job(
        pool, job_name=body.job_name, actor=body.actor, notes=body.notes, method=body.method
    )
    return IncidentList(incidents=resolved, count=len(resolved))


@router.get("/{incident_id}", responses={404: {"description": "No such incident"}})
async def get_incident(pool: PoolDep, incident_id: int) -> IncidentPublic:
    """One incident."""
    return await service.get(pool, incident_id=incident_id)


@router.post(
    "/{incident_id}/acknowledge",
    responses={404: {"description": "No such incident"}, 409: {"description": "Not allowed now"}},
)
async def acknowledge_incident(
    pool: PoolDep, incident_id: int, body: Annotated[AcknowledgeIn | None, Body()] = None
) -> IncidentPublic:
    """Acknowledge: 409 with `current_status` when the incident is past that."""
    actor = body.actor if body else "api"
    return await service.acknowledge(pool, incident_id=incident_id, actor=actor)


@router.post(
    "/{incident_id}/resolve",
    responses={404: {"description": "No such incident"}, 409: {"description": "Already resolved"}},
)
async def resolve_incident(
    pool: PoolDep, incident_id: int, body: Annotated[ResolveIn | None, Body()] = None
) -> IncidentPublic:
    """Resolve; the `incident.resolved` event carries the MTTR."""
    body = body or ResolveIn()
    return await service.resolve(
        pool, incident_id=incident_id, actor=body.actor, notes=body.notes, method=body.method
    )
