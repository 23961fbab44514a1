"""Incident and action statuses and the transitions between them (ARCHITECTURE.md)."""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class IncidentStatus(StrEnum):
    DETECTED = "detected"
    NOTIFIED = "notified"
    ACKNOWLEDGED = "acknowledged"
    INVESTIGATING = "investigating"
    RESOLVED = "resolved"


# Forward moves only; an incident may skip steps (e.g. detected -> resolved by automation).
INCIDENT_TRANSITIONS: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    IncidentStatus.DETECTED: frozenset(
        {
            IncidentStatus.NOTIFIED,
            IncidentStatus.ACKNOWLEDGED,
            IncidentStatus.INVESTIGATING,
            IncidentStatus.RESOLVED,
        }
    ),
    IncidentStatus.NOTIFIED: frozenset(
        {IncidentStatus.ACKNOWLEDGED, IncidentStatus.INVESTIGATING, IncidentStatus.RESOLVED}
    ),
    IncidentStatus.ACKNOWLEDGED: frozenset({IncidentStatus.INVESTIGATING, IncidentStatus.RESOLVED}),
    IncidentStatus.INVESTIGATING: frozenset({IncidentStatus.RESOLVED}),
    IncidentStatus.RESOLVED: frozenset(),
}


def incident_can_move(current: IncidentStatus, target: IncidentStatus) -> bool:
    """True when the lifecycle allows `current -> target`."""
    return target in INCIDENT_TRANSITIONS[current]


def incident_sources_for(target: IncidentStatus) -> frozenset[IncidentStatus]:
    """The statuses from which `target` may be reached (for conditional UPDATEs)."""
    return frozenset(s for s, targets in INCIDENT_TRANSITIONS.items() if target in targets)


class ActionStatus(StrEnum):
    REQUESTED = "requested"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REJECTED = "rejected"
    UNKNOWN = "unknown"  # found running after a runner restart: reported, never rerun


ACTION_TRANSITIONS: dict[ActionStatus, frozenset[ActionStatus]] = {
    ActionStatus.REQUESTED: frozenset(
        {ActionStatus.AWAITING_APPROVAL, ActionStatus.APPROVED, ActionStatus.REJECTED}
    ),
    ActionStatus.AWAITING_APPROVAL: frozenset({ActionStatus.APPROVED, ActionStatus.REJECTED}),
    ActionStatus.APPROVED: frozenset({ActionStatus.RUNNING, ActionStatus.REJECTED}),
    ActionStatus.RUNNING: frozenset(
        {ActionStatus.SUCCEEDED, ActionStatus.FAILED, ActionStatus.UNKNOWN}
    ),
    ActionStatus.SUCCEEDED: frozenset(),
    ActionStatus.FAILED: frozenset(),
    ActionStatus.REJECTED: frozenset(),
    ActionStatus.UNKNOWN: frozenset(),
}


def action_can_move(current: ActionStatus, target: ActionStatus) -> bool:
    """True when the action lifecycle allows `current -> target`."""
    return target in ACTION_TRANSITIONS[current]


def action_sources_for(target: ActionStatus) -> frozenset[ActionStatus]:
    """The statuses from which `target` may be reached (for conditional UPDATEs)."""
    return frozenset(s for s, targets in ACTION_TRANSITIONS.items() if target in targets)
