"""What a tool handler is given: the backend's resources, opened once by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import asyncpg


def utc_now() -> datetime:
    return datetime.now(UTC)


def broker_unknown() -> bool | None:
    """No broker probe in this process (e.g. the stdio server): its state is unknown."""
    return None


class JenkinsReader(Protocol):
    """The read side of the runner's Jenkins client (runner/jenkins/client.py) the tools need."""

    async def health(self) -> Any: ...

    async def list_jobs(self, query: str | None = None) -> list[Any]: ...

    async def get_build(self, job: str, number: int) -> Any: ...


@dataclass(frozen=True)
class ToolServices:
    """Resources shared by every tool call; tests pass their own."""

    pool: asyncpg.Pool
    jenkins: JenkinsReader | None = None
    broker_up: Callable[[], bool | None] = field(default=broker_unknown)
    clock: Callable[[], datetime] = field(default=utc_now)
