"""The events the notifier reacts to, read from the `events` exchange's JSON payloads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from agent.slack.views import ActionSnapshot


class UnreadableEvent(ValueError):
    """A message that is not an event the notifier understands; it goes to the DLQ."""


@dataclass(frozen=True, slots=True)
class NotificationEvent:
    """An `incident.*` or `action.*` event: its id, type, and the entity it is about."""

    event_id: str
    event_type: str
    incident_id: int | None
    action: ActionSnapshot | None

    @property
    def is_incident(self) -> bool:
        return self.event_type.startswith("incident.")

    @property
    def is_action(self) -> bool:
        return self.event_type.startswith("action.")


def parse_event(body: bytes, *, message_id: str | None, routing_key: str) -> NotificationEvent:
    """Read an event envelope (`event_id`, `event_type`, `incident` or `action`)."""
    try:
        payload: Any = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise UnreadableEvent(f"body is not JSON: {error}") from None
    if not isinstance(payload, dict):
        raise UnreadableEvent("body is not a JSON object")
    event_id = payload.get("event_id") or message_id
    if not event_id:
        raise UnreadableEvent("event has no id (neither event_id nor message_id)")
    event_type = str(payload.get("event_type") or routing_key)
    action = None
    incident_id: int | None = None
    try:
        if event_type.startswith("action."):
            action = ActionSnapshot.from_payload(payload)
            if action is None:
                raise UnreadableEvent(f"{event_type} event carries no action")
            incident_id = action.incident_id
        incident = payload.get("incident")
        if isinstance(incident, dict) and incident.get("id") is not None:
            incident_id = int(incident["id"])
        elif payload.get("incident_id") is not None:
            incident_id = int(payload["incident_id"])
    except (ValueError, TypeError) as error:
        if isinstance(error, UnreadableEvent):
            raise
        raise UnreadableEvent(f"{event_type} event is malformed: {error}") from None
    if event_type.startswith("incident.") and incident_id is None:
        raise UnreadableEvent(f"{event_type} event carries no incident id")
    return NotificationEvent(str(event_id), event_type, incident_id, action)
