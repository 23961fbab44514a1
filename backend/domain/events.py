"""Domain event names: the routing keys on the `events` topic exchange."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    INCIDENT_DETECTED = "incident.detected"
    INCIDENT_UPDATED = "incident.updated"
    INCIDENT_NOTIFIED = "incident.notified"
    INCIDENT_ACKNOWLEDGED = "incident.acknowledged"
    INCIDENT_INVESTIGATING = "incident.investigating"
    INCIDENT_RESOLVED = "incident.resolved"
    ACTION_REQUESTED = "action.requested"
    ACTION_AWAITING_APPROVAL = "action.awaiting_approval"
    ACTION_APPROVED = "action.approved"
    ACTION_REJECTED = "action.rejected"
    ACTION_STARTED = "action.started"
    ACTION_SUCCEEDED = "action.succeeded"
    ACTION_FAILED = "action.failed"
    ACTION_UNKNOWN = "action.unknown"
