"""get_server_status: is the monitoring system itself healthy."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from tools.results import ToolResult

_VIEW = ConfigDict(from_attributes=True, frozen=True)


class NoArguments(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OutboxStatus(BaseModel):
    """Domain events not yet published to the broker."""

    model_config = _VIEW

    pending: int
    due: int
    dead: int
    oldest_pending_age_s: float | None = None


class ServerStatus(BaseModel):
    model_config = _VIEW

    status: Literal["ok", "degraded", "down"]
    database: Literal["up", "down"]
    database_latency_ms: float | None = None
    broker: Literal["up", "down", "unknown"]
    jenkins: Literal["up", "down", "unknown"] = "unknown"
    outbox: OutboxStatus | None = None
    open_incidents: int | None = None
    critical_incidents: int | None = None


class ServerStatusResult(ToolResult[ServerStatus]):
    """Result of get_server_status."""
