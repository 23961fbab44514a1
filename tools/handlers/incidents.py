"""Incident tools over backend/services/incidents.py."""

from __future__ import annotations

from collections.abc import Sequence

from backend.services import incidents as service
from backend.services.incident_models import IncidentPublic
from tools.context import ToolServices
from tools.models import incidents as im


def _list_result(incidents: Sequence[IncidentPublic], what: str) -> im.IncidentListResult:
    items = [im.IncidentSummary.model_validate(i, from_attributes=True) for i in incidents]
    data = im.IncidentList(incidents=items, count=len(items))
    if not items:
        return im.IncidentListResult(status="no_data", summary=f"No {what}.", data=data)
    worst = ", ".join(f"#{i.id} {i.severity} {i.title}" for i in items[:3])
    more = f" and {len(items) - 3} more" if len(items) > 3 else ""
    return im.IncidentListResult(
        status="ok", summary=f"{len(items)} {what}: {worst}{more}.", data=data
    )


def _detail(incident: IncidentPublic) -> im.IncidentDetail:
    return im.IncidentDetail.model_validate(incident, from_attributes=True)


async def get_active_incidents(
    services: ToolServices, args: im.GetActiveIncidentsInput, _actor: str
) -> im.IncidentListResult:
    """Open incidents, optionally of one severity."""
    found = await service.list_active(services.pool, limit=args.limit, severity=args.severity)
    what = f"open {args.severity} incidents" if args.severity else "open incidents"
    return _list_result(found, what)


async def get_critical_incidents(
    services: ToolServices, args: im.GetCriticalIncidentsInput, _actor: str
) -> im.IncidentListResult:
    """Open critical and high incidents."""
    found = await service.list_critical(services.pool, limit=args.limit)
    return _list_result(found, "open critical or high incidents")


async def get_incident(
    services: ToolServices, args: im.GetIncidentInput, _actor: str
) -> im.IncidentResult:
    """One incident by id."""
    incident = await service.get(services.pool, incident_id=args.incident_id)
    return im.IncidentResult(
        status="ok",
        summary=f"Incident #{incident.id} ({incident.severity}, {incident.status}): {incident.title}.",
        data=_detail(incident),
    )


async def get_incidents_stats(
    services: ToolServices, args: im.GetIncidentsStatsInput, _actor: str
) -> im.IncidentStatsResult:
    """Counts, MTTA and MTTR over a window."""
    figures = await service.stats(services.pool, hours=float(args.hours))
    data = im.IncidentStats.model_validate(figures, from_attributes=True)
    if data.total == 0:
        return im.IncidentStatsResult(
            status="no_data", summary=f"No incidents in the last {args.hours} hours.", data=data
        )
    mttr = data.overall.mttr_seconds
    mttr_text = f"; mean time to resolve {_duration(mttr)}" if mttr is not None else ""
    return im.IncidentStatsResult(
        status="ok",
        summary=(
            f"{data.total} incidents in the last {args.hours} hours, "
            f"{data.overall.open} still open{mttr_text}."
        ),
        data=data,
    )


async def acknowledge_incident(
    services: ToolServices, args: im.AcknowledgeIncidentInput, actor: str
) -> im.IncidentResult:
    """Record that `actor` has taken the incident."""
    incident = await service.acknowledge(services.pool, incident_id=args.incident_id, actor=actor)
    return im.IncidentResult(
        status="ok",
        summary=f"Incident #{incident.id} acknowledged by {actor}.",
        data=_detail(incident),
    )


async def resolve_incident(
    services: ToolServices, args: im.ResolveIncidentInput, actor: str
) -> im.IncidentResult:
    """Close the incident with optional notes."""
    incident = await service.resolve(
        services.pool, incident_id=args.incident_id, actor=actor, notes=args.notes
    )
    mttr = incident.mttr_seconds
    took = f" after {_duration(mttr)}" if mttr is not None else ""
    return im.IncidentResult(
        status="ok",
        summary=f"Incident #{incident.id} resolved by {actor}{took}.",
        data=_detail(incident),
    )


def _duration(seconds: float) -> str:
    """A short human duration: 45s, 12m, 3h 5m, 2d 4h."""
    total = int(round(seconds))
    if total < 60:
        return f"{total}s"
    minutes, _ = divmod(total, 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h" if hours else f"{days}d"
