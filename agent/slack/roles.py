"""Who may do what from Slack: viewer reads, operator requests, approver approves.

`SLACK_ROLES` maps Slack user ids (`U…`, `W…`) or user-group ids (`S…`) to a role.
A person's role is the highest of their own entry and their groups' entries;
anyone not listed is a viewer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from enum import IntEnum
from typing import Any

import structlog

log = structlog.get_logger(__name__)


class Role(IntEnum):
    """Ordered so that a higher role can do everything a lower one can."""

    VIEWER = 0
    OPERATOR = 1
    APPROVER = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Role:
        """A role from its name; a clear error naming the accepted ones otherwise."""
        try:
            return cls[value.strip().upper()]
        except KeyError:
            raise ValueError(
                f"unknown role {value.strip()!r} (use viewer, operator or approver)"
            ) from None


def parse_roles(raw: str | Mapping[str, Any] | None) -> dict[str, Role]:
    """Parse `SLACK_ROLES`: a JSON object, or `U123=approver,S456=operator`."""
    if raw is None:
        return {}
    if isinstance(raw, Mapping):
        items: Iterable[tuple[str, Any]] = raw.items()
    else:
        text = raw.strip()
        if not text:
            return {}
        if text.startswith("{"):
            decoded = json.loads(text)
            if not isinstance(decoded, dict):
                raise ValueError("must be a JSON object of id -> role")
            items = decoded.items()
        else:
            pairs = []
            for chunk in text.split(","):
                if not chunk.strip():
                    continue
                key, sep, value = chunk.partition("=")
                if not sep:
                    key, sep, value = chunk.partition(":")
                if not sep:
                    raise ValueError(f"entry {chunk.strip()!r} is not id=role")
                pairs.append((key, value))
            items = pairs
    roles: dict[str, Role] = {}
    for key, value in items:
        slack_id = str(key).strip()
        if not slack_id or slack_id[0] not in "USW":
            raise ValueError(f"{slack_id!r} is not a Slack user (U…/W…) or user-group (S…) id")
        roles[slack_id] = value if isinstance(value, Role) else Role.parse(str(value))
    return roles


def role_for(user_id: str, groups: Iterable[str], roles: Mapping[str, Role]) -> Role:
    """The highest role granted to the user directly or through one of their groups."""
    granted = [roles[user_id]] if user_id in roles else []
    granted.extend(roles[group] for group in groups if group in roles)
    return max(granted, default=Role.VIEWER)


GroupMembers = Callable[[str], Awaitable[Iterable[str]]]


class RoleDirectory:
    """Resolves a Slack user's role, reading user-group membership from Slack with a short cache."""

    def __init__(
        self,
        roles: Mapping[str, Role],
        group_members: GroupMembers,
        *,
        cache_ttl_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._roles = dict(roles)
        self._group_members = group_members
        self._ttl = cache_ttl_s
        self._clock = clock
        self._cache: dict[str, tuple[float, frozenset[str]]] = {}

    @property
    def group_ids(self) -> tuple[str, ...]:
        return tuple(key for key in self._roles if key.startswith("S"))

    async def role_of(self, user_id: str) -> Role:
        """The user's role; a group whose members cannot be read grants nothing (fail closed)."""
        if self._roles.get(user_id) == Role.APPROVER:
            return Role.APPROVER
        groups = [group for group in self.group_ids if user_id in await self._members(group)]
        return role_for(user_id, groups, self._roles)

    async def _members(self, group_id: str) -> frozenset[str]:
        now = self._clock()
        cached = self._cache.get(group_id)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        try:
            members = frozenset(await self._group_members(group_id))
        except Exception as error:  # Slack down or scope missing: deny rather than guess
            log.warning("slack.roles.group_lookup_failed", group=group_id, error=str(error))
            return cached[1] if cached is not None else frozenset()
        self._cache[group_id] = (now, members)
        return members
