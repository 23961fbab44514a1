"""Typed domain errors, mapped once per face (HTTP status, MCP isError, Slack message)."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a person may be shown."""


class NotFound(DomainError):
    """Something named by id does not exist."""


class IncidentNotFound(NotFound):
    def __init__(self, incident_id: int) -> None:
        super().__init__(f"incident {incident_id} does not exist")
        self.incident_id = incident_id


class ActionNotFound(NotFound):
    def __init__(self, action_id: int) -> None:
        super().__init__(f"action {action_id} does not exist")
        self.action_id = action_id


class InvalidTransition(DomainError):
    """A status change that the lifecycle does not allow from the current status."""

    def __init__(self, entity: str, entity_id: int, current: str, target: str) -> None:
        super().__init__(f"{entity} {entity_id} is {current}; it cannot become {target}")
        self.entity = entity
        self.entity_id = entity_id
        self.current = current
        self.target = target


class GuardRefused(DomainError):
    """The action guard refused an action; the reason is for a person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotAllowed(DomainError):
    """The caller may not do this (role, two-person rule)."""
