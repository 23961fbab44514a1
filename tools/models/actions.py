"""Remediation tools (restart, rollback, stop, approve, reject) and action reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from backend.domain.statuses import ActionStatus
from tools.results import ToolResult

_INPUT = ConfigDict(extra="forbid", frozen=True)
_VIEW = ConfigDict(from_attributes=True, frozen=True)

JobName = Field(min_length=1, max_length=200, description='Jenkins job name, e.g. "deploy-prod".')
BuildNumber = Field(ge=1, description="The build number, e.g. 123.")
ActionId = Field(ge=1, description="The action's number, as returned when it was requested.")
Reason = Field(default=None, max_length=500, description="Why, in a few words, for the record.")


class RequestJenkinsRestartInput(BaseModel):
    model_config = _INPUT

    job: str = JobName
    build: int = BuildNumber
    reason: str | None = Reason


class RequestJenkinsRollbackInput(BaseModel):
    model_config = _INPUT

    job: str = JobName
    target_build: int = Field(ge=1, description="The earlier, good build to deploy again.")
    reason: str | None = Reason


class RequestJenkinsStopInput(BaseModel):
    model_config = _INPUT

    job: str = JobName
    build: int = BuildNumber
    reason: str | None = Reason


class ApproveActionInput(BaseModel):
    model_config = _INPUT

    action_id: int = ActionId


class RejectActionInput(BaseModel):
    model_config = _INPUT

    action_id: int = ActionId
    reason: str | None = Reason


class GetActionStatusInput(BaseModel):
    model_config = _INPUT

    action_id: int = ActionId


class GetActionsStatsInput(BaseModel):
    model_config = _INPUT

    hours: int = Field(
        default=24, ge=1, le=24 * 90, description="The window to report, in hours back from now."
    )


class ActionView(BaseModel):
    """One remediation action, where it stands and the Jenkins calls it makes."""

    model_config = _VIEW

    id: int
    action: str
    job: str
    build: int | None = None
    target_build: int | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)
    reason: str | None = None
    status: ActionStatus
    status_reason: str | None = None
    requested_by: str
    approved_by: str | None = None
    rejected_by: str | None = None
    incident_id: int | None = None
    dry_run: bool = False
    needs_approval: bool = False
    guard: dict[str, Any] | None = None
    plan: list[str] = Field(default_factory=list)
    result: dict[str, Any] | None = None
    new_build_number: int | None = None
    new_build_url: str | None = None
    build_result: str | None = None
    requested_at: datetime
    approved_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


class ActionOutcome(BaseModel):
    """An action after a request or a decision, with exactly what will run."""

    model_config = ConfigDict(frozen=True)

    action_id: int
    will_run: str
    action: ActionView


class ActionTypeStats(BaseModel):
    model_config = _VIEW

    total: int = 0
    by_status: dict[str, int] = Field(default_factory=dict)
    mean_run_seconds: float | None = None


class ActionsStats(BaseModel):
    """Actions requested in the last `hours`."""

    model_config = _VIEW

    hours: float
    total: int
    by_status: dict[str, int]
    dry_runs: int
    success_rate: float | None = None
    mean_run_seconds: float | None = None
    per_action: dict[str, ActionTypeStats]


class ActionResult(ToolResult[ActionOutcome]):
    """Result of the tools that request or decide an action, and of get_action_status."""


class ActionsStatsResult(ToolResult[ActionsStats]):
    """Result of get_actions_stats."""
