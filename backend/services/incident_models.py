"""Public read models of incidents, and the pure MTTR/MTTA arithmetic of the stats."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
from pydantic import BaseModel, Field

from backend.domain.statuses import IncidentStatus, Severity


class IncidentPublic(BaseModel):
    """An incident as people, tools and events see it."""

    id: int
    rule: str
    severity: Severity
    status: IncidentStatus
    fingerprint: str
    source: str
    title: str
    message: str
    job_name: str | None = None
    build_number: int | None = None
    endpoint: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    runbook_url: str | None = None
    occurrences: int
    first_seen: datetime
    last_seen: datetime
    detected_at: datetime
    notified_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    investigating_at: datetime | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    resolution_method: str | None = None
    resolution_notes: str | None = None

    @property
    def mttr_seconds(self) -> float | None:
        """Time to resolve, once resolved."""
        if self.resolved_at is None:
            return None
        return (self.resolved_at - self.detected_at).total_seconds()

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> IncidentPublic:
        """Build from a repository row (extra columns such as `inserted` are ignored)."""
        return cls.model_validate({k: row[k] for k in cls.model_fields})


class TimingStats(BaseModel):
    """Counts and mean times to acknowledge / resolve, in seconds (None with no sample)."""

    incidents: int = 0
    open: int = 0
    resolved: int = 0
    acknowledged: int = 0
    mttr_seconds: float | None = None
    mtta_seconds: float | None = None


class IncidentStats(BaseModel):
    """Incidents detected in the last `hours`."""

    hours: float
    total: int
    by_status: dict[str, int]
    by_severity: dict[str, int]
    by_rule: dict[str, int]
    overall: TimingStats
    per_severity: dict[str, TimingStats]
    per_rule: dict[str, TimingStats]


@dataclass(frozen=True, slots=True)
class StatsRow:
    """One (rule, severity, status) group with summed durations."""

    rule: str
    severity: str
    status: str
    incidents: int
    resolved: int
    resolve_seconds: float
    acknowledged: int
    acknowledge_seconds: float


@dataclass(slots=True)
class _Accumulator:
    incidents: int = 0
    open: int = 0
    resolved: int = 0
    resolve_seconds: float = 0.0
    acknowledged: int = 0
    acknowledge_seconds: float = 0.0

    def add(self, row: StatsRow) -> None:
        self.incidents += row.incidents
        if row.status != IncidentStatus.RESOLVED:
            self.open += row.incidents
        self.resolved += row.resolved
        self.resolve_seconds += row.resolve_seconds
        self.acknowledged += row.acknowledged
        self.acknowledge_seconds += row.acknowledge_seconds

    def timing(self) -> TimingStats:
        return TimingStats(
            incidents=self.incidents,
            open=self.open,
            resolved=self.resolved,
            acknowledged=self.acknowledged,
            mttr_seconds=self.resolve_seconds / self.resolved if self.resolved else None,
            mtta_seconds=self.acknowledge_seconds / self.acknowledged
            if self.acknowledged
            else None,
        )


def summarize_stats(rows: Iterable[StatsRow], *, hours: float) -> IncidentStats:
    """Fold grouped rows into counts and MTTR/MTTA overall, per severity and per rule."""
    overall = _Accumulator()
    per_severity: dict[str, _Accumulator] = {}
    per_rule: dict[str, _Accumulator] = {}
    by_status: dict[str, int] = {}
    for row in rows:
        overall.add(row)
        per_severity.setdefault(row.severity, _Accumulator()).add(row)
        per_rule.setdefault(row.rule, _Accumulator()).add(row)
        by_status[row.status] = by_status.get(row.status, 0) + row.incidents
    return IncidentStats(
        hours=hours,
        total=overall.incidents,
        by_status=by_status,
        by_severity={k: v.incidents for k, v in sorted(per_severity.items())},
        by_rule={k: v.incidents for k, v in sorted(per_rule.items())},
        overall=overall.timing(),
        per_severity={k: v.timing() for k, v in sorted(per_severity.items())},
        per_rule={k: v.timing() for k, v in sorted(per_rule.items())},
    )
