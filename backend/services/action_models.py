"""Public models of actions (requests, their guard decision, outcome) and their stats."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

import asyncpg
from pydantic import BaseModel, Field

from backend.domain.statuses import ActionStatus
from runner.jenkins.remediation import plan

ActionType = Literal["restart", "rollback", "stop", "trigger"]
GuardVerdictName = Literal["allowed", "needs_approval", "refused"]
FINAL_STATUSES = frozenset({"succeeded", "failed", "rejected", "unknown"})


class ActionPublic(BaseModel):
    """An action as people, tools and events see it, with what it will (or did) call."""

    id: int
    action: ActionType
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
    needs_approval: bool = Field(description="True while a person's approval is awaited.")
    guard: dict[str, Any] | None = Field(default=None, description="The guard's decision.")
    plan: list[str] = Field(description="The Jenkins calls this action makes, in order.")
    result: dict[str, Any] | None = None
    queue_item_url: str | None = None
    new_build_number: int | None = None
    new_build_url: str | None = None
    build_result: str | None = None
    requested_at: datetime
    approved_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> ActionPublic:
        return cls(
            id=row["id"],
            action=row["action_type"],
            job=row["job_name"],
            build=row["build_number"],
            target_build=row["target_build"],
            parameters=row["parameters"] or {},
            reason=row["reason"],
            status=ActionStatus(row["status"]),
            status_reason=row["status_reason"],
            requested_by=row["requested_by"],
            approved_by=row["approved_by"],
            rejected_by=row["rejected_by"],
            incident_id=row["incident_id"],
            dry_run=row["dry_run"],
            needs_approval=row["status"] == ActionStatus.AWAITING_APPROVAL,
            guard=row["guard_decision"],
            plan=plan(
                row["action_type"],
                row["job_name"],
                build=row["build_number"],
                target_build=row["target_build"],
                parameters=row["parameters"] or {},
            ),
            result=row["result"],
            queue_item_url=row["queue_item_url"],
            new_build_number=row["new_build_number"],
            new_build_url=row["new_build_url"],
            build_result=row["build_result"],
            requested_at=row["requested_at"],
            approved_at=row["approved_at"],
            started_at=row["started_at"],
            finished_at=row["finished_at"],
        )


class ActionPreview(BaseModel):
    """What the guard would say about a request now, and what it would call; nothing is stored."""

    action: ActionType
    job: str
    build: int | None = None
    target_build: int | None = None
    requested_by: str
    decision: GuardVerdictName = Field(
        description="allowed: it would run at once; needs_approval: it would wait for a person; "
        "refused: the guard would reject it."
    )
    reason: str = Field(description="The guard's reason, as it would be recorded.")
    plan: list[str] = Field(description="The Jenkins calls the action would make, in order.")
    dry_run: bool = Field(description="True when Jenkins would not be called (DRY_RUN or asked).")
    high_risk: bool = Field(description="True when the risk tier asks for a person's approval.")
    passed: list[str] = Field(description="The guard's checks this request passes, in order.")


class ActionTypeStats(BaseModel):
    total: int = 0
    by_status: dict[str, int] = Field(default_factory=dict)
    mean_run_seconds: float | None = None


class ActionStats(BaseModel):
    """Actions requested in the last `hours`."""

    hours: float
    total: int
    by_status: dict[str, int]
    dry_runs: int
    success_rate: float | None = Field(
        description="succeeded / (succeeded + failed + unknown), real runs only; None with none."
    )
    mean_run_seconds: float | None
    per_action: dict[str, ActionTypeStats]


def summarize_action_stats(rows: Iterable[asyncpg.Record], *, hours: float) -> ActionStats:
    """Fold (action, status, dry_run) rows into the public stats."""
    by_status: dict[str, int] = {}
    per_action: dict[str, ActionTypeStats] = {}
    sums: dict[str, tuple[float, int]] = {}
    total = dry_runs = 0
    run_seconds, timed = 0.0, 0
    outcomes = {"succeeded": 0, "ended": 0}
    for r in rows:
        count = int(r["actions"])
        total += count
        by_status[r["status"]] = by_status.get(r["status"], 0) + count
        entry = per_action.setdefault(r["action_type"], ActionTypeStats())
        entry.total += count
        entry.by_status[r["status"]] = entry.by_status.get(r["status"], 0) + count
        seconds, n = sums.get(r["action_type"], (0.0, 0))
        sums[r["action_type"]] = (seconds + float(r["run_seconds"]), n + int(r["timed"]))
        run_seconds += float(r["run_seconds"])
        timed += int(r["timed"])
        if r["dry_run"]:
            dry_runs += count
        elif r["status"] in ("succeeded", "failed", "unknown"):
            outcomes["ended"] += count
            outcomes["succeeded"] += count if r["status"] == "succeeded" else 0
    for name, (seconds, n) in sums.items():
        per_action[name].mean_run_seconds = round(seconds / n, 3) if n else None
    return ActionStats(
        hours=hours,
        total=total,
        by_status=by_status,
        dry_runs=dry_runs,
        success_rate=round(outcomes["succeeded"] / outcomes["ended"], 4)
        if outcomes["ended"]
        else None,
        mean_run_seconds=round(run_seconds / timed, 3) if timed else None,
        per_action=per_action,
    )
