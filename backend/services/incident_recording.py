"""Detections become incidents (one open per fingerprint) and outbox events, in the caller's UoW.

Shared by log ingestion and the flatline timer. Post-detection handlers run in the
same transaction: the composition root passes them (e.g. automatic remediation
requests), so this module never knows about the runner.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import structlog

from backend.detection.model import Detection
from backend.domain.events import EventType
from backend.metrics import INCIDENTS_OPENED, INCIDENTS_UPDATED
from backend.repositories.incidents import IncidentUpsert
from backend.services.incident_models import IncidentPublic
from backend.tracing import current_trace_id
from backend.uow import UnitOfWork

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class RecordedDetection:
    """A detection and the incident it opened (`opened`) or updated."""

    detection: Detection
    incident: IncidentPublic
    opened: bool


DetectionHandler = Callable[[UnitOfWork, Sequence[RecordedDetection]], Awaitable[None]]


@dataclass(slots=True)
class IncidentChanges:
    """Incident ids opened and updated by one call."""

    opened: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    recorded: list[RecordedDetection] = field(default_factory=list)
    events: list[tuple[int, EventType, uuid.UUID]] = field(default_factory=list)

    def announce(self) -> None:
        """After commit: log each event and count incidents (never for a rolled-back change)."""
        for incident_id, event_type, event_id in self.events:
            log.info(str(event_type), incident_id=incident_id, event_id=str(event_id))
        for r in self.recorded:
            if r.opened:
                INCIDENTS_OPENED.labels(r.incident.rule, str(r.incident.severity)).inc()
            else:
                INCIDENTS_UPDATED.labels(r.incident.rule).inc()


def _upsert_of(d: Detection) -> IncidentUpsert:
    return IncidentUpsert(
        rule=d.rule,
        severity=str(d.severity),
        fingerprint=d.fingerprint,
        source=d.source,
        title=d.title,
        message=d.message,
        job_name=d.job_name,
        build_number=d.build_number,
        endpoint=d.endpoint,
        details={**d.details, "group_key": d.group_key},
        runbook_url=d.runbook_url,
        occurrences=d.occurrences,
        first_seen=d.first_seen,
        last_seen=d.last_seen,
    )


def incident_event(incident: IncidentPublic) -> dict[str, object]:
    """The entity part of every incident.* event: the full public incident."""
    return {"incident": incident.model_dump(mode="json")}


async def record_detections(
    uow: UnitOfWork,
    detections: Sequence[Detection],
    *,
    update_interval_s: float,
    handlers: Sequence[DetectionHandler] = (),
) -> IncidentChanges:
    """Upsert incidents for `detections`, queue their events, run the handlers."""
    changes = IncidentChanges()
    if not detections:
        return changes
    by_fingerprint = {d.fingerprint: d for d in detections}
    rows = await uow.incidents.upsert(
        [_upsert_of(d) for d in by_fingerprint.values()],
        update_interval_s=update_interval_s,
        trace_id=current_trace_id(),
    )
    for row in rows:
        incident = IncidentPublic.from_row(row)
        detection = by_fingerprint[incident.fingerprint]
        if row["inserted"]:
            changes.opened.append(incident.id)
            event_id = uow.outbox.add(EventType.INCIDENT_DETECTED, incident_event(incident))
            changes.events.append((incident.id, EventType.INCIDENT_DETECTED, event_id))
        else:
            changes.updated.append(incident.id)
            if row["emit_update"]:
                event_id = uow.outbox.add(EventType.INCIDENT_UPDATED, incident_event(incident))
                changes.events.append((incident.id, EventType.INCIDENT_UPDATED, event_id))
        changes.recorded.append(RecordedDetection(detection, incident, bool(row["inserted"])))
    for handler in handlers:
        await handler(uow, changes.recorded)
    return changes
