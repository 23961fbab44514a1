"""Types at the seam between the rule engine and the ingestion path."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from backend.domain.statuses import Severity

LogSource = Literal["jenkins", "api"]
ActionType = Literal["restart", "rollback", "stop", "trigger"]


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One stored log record, as detection sees it."""

    source: LogSource
    timestamp: datetime
    message: str
    level: str | None = None
    job_name: str | None = None
    build_number: int | None = None
    http_method: str | None = None
    http_status: int | None = None
    endpoint: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Remediation:
    """An automatic action a rule asks for; it still passes the guard."""

    action: ActionType
    parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Detection:
    """A rule fired for one fingerprint: open an incident, or update the open one.

    The engine returns at most one Detection per fingerprint per call, with
    `occurrences` counting the logs it stands for.
    """

    rule: str
    severity: Severity
    fingerprint: str
    group_key: str
    source: LogSource
    title: str
    message: str
    first_seen: datetime
    last_seen: datetime
    occurrences: int = 1
    job_name: str | None = None
    build_number: int | None = None
    endpoint: str | None = None
    runbook_url: str | None = None
    remediation: Remediation | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
