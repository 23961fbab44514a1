"""Incident tools: inputs, data and results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from backend.domain.statuses import IncidentStatus, Severity
from tools.results import ToolResult

_INPUT = ConfigDict(extra="forbid", frozen=True)
_VIEW = ConfigDict(from_attributes=True, frozen=True)

IncidentId = Field(ge=1, description="The incident's number, e.g. 42.")


class GetActiveIncidentsInput(BaseModel):
    model_config = _INPUT

    limit: int = Field(default=20, ge=1, le=100, description="How many incidents at most.")
    severity: Severity | None = Field(
        default=None, description="Only incidents of this severity; omit for all."
    )


class GetCriticalIncidentsInput(BaseModel):
    model_config = _INPUT

    limit: int = Field(default=20, ge=1, le=100, description="How many incidents at most.")


class GetIncidentInput(BaseModel):
    model_config = _INPUT

    incident_id: int = IncidentId


class GetIncidentsStatsInput(BaseModel):
    model_config = _INPUT

    hours: int = Field(
        default=24, ge=1, le=24 * 90, description="The window to report, in hours back from now."
    )


class AcknowledgeIncidentInput(BaseModel):
    model_config = _INPUT

    incident_id: int = IncidentId


class ResolveIncidentInput(BaseModel):
    model_config = _INPUT

    incident_id: int = IncidentId
    notes: str | None = Field(
        default=None, max_length=2000, description="What fixed it, for the record."
    )


class IncidentSummary(BaseModel):
    """One incident in a list."""

    model_config = _VIEW

    id: int
    rule: str
    severity: Severity
    status: IncidentStatus
    title: str
    job_name: str | None = None
    build_number: int | None = None
    endpoint: str | None = None
    occurrences: int
    detected_at: datetime
    last_seen: datetime


class IncidentDetail(IncidentSummary):
    """One incident with everything known about it."""

    source: str
    message: str
    fingerprint: str
    details: dict[str, Any] = Field(default_factory=dict)
    runbook_url: str | None = None
    first_seen: datetime
    notified_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    resolution_method: str | None = None
    resolution_notes: str | None = None


class IncidentList(BaseModel):
    model_config = ConfigDict(frozen=True)

    incidents: list[IncidentSummary]
    count: int


class TimingStats(BaseModel):
    """Counts and mean times to acknowledge (MTTA) and resolve (MTTR), in seconds."""

    model_config = _VIEW

    incidents: int = 0
    open: int = 0
    resolved: int = 0
    acknowledged: int = 0
    mttr_seconds: float | None = None
    mtta_seconds: float | None = None


class IncidentStats(BaseModel):
    """Incidents detected in the last `hours`."""

    model_config = _VIEW

    hours: float
    total: int
    by_status: dict[str, int]
    by_severity: dict[str, int]
    by_rule: dict[str, int]
    overall: TimingStats
    per_severity: dict[str, TimingStats]
    per_rule: dict[str, TimingStats]


class IncidentListResult(ToolResult[IncidentList]):
    """Result of the incident list tools."""


class IncidentResult(ToolResult[IncidentDetail]):
    """Result of the tools about one incident."""


class IncidentStatsResult(ToolResult[IncidentStats]):
    """Result of get_incidents_stats."""
