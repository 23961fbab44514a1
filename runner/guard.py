"""ActionGuard: the runner's policy, a pure function of the request, the counts and a clock.

Checks, in order, each refusal a sentence for a person: job allowlist and
denylist (globs; `*` also crosses folder slashes, so `*prod*` matches
`team/deploy-prod`); business hours (off by default); concurrent running
actions (the count comes from the database, so it holds across runners);
per-job cooldown; risk tier (`stop`, `rollback` and any action on a job
matching a production pattern wait for a person's approval); dry-run (the
global `DRY_RUN` forces it; a request may ask for it, never turn it off).
The two-person rule applies when a person approves: `check_approval`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from fnmatch import fnmatchcase
from typing import Any
from zoneinfo import ZoneInfo

from runner.settings import GuardSettings

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HIGH_RISK_ACTIONS = frozenset({"stop", "rollback"})


class Verdict(StrEnum):
    ALLOW = "allow"
    NEEDS_APPROVAL = "needs_approval"
    REFUSE = "refuse"


@dataclass(frozen=True)
class BusinessHours:
    timezone: str = "UTC"
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    start_hour: int = 9
    end_hour: int = 18

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(ZoneInfo(self.timezone))
        if local.weekday() not in self.weekdays:
            return False
        if self.start_hour < self.end_hour:
            return self.start_hour <= local.hour < self.end_hour
        return local.hour >= self.start_hour or local.hour < self.end_hour  # overnight window

    def describe(self) -> str:
        days = ",".join(DAY_NAMES[d] for d in sorted(self.weekdays)) or "no day"
        return f"{days} {self.start_hour:02d}:00-{self.end_hour:02d}:00 {self.timezone}"


@dataclass(frozen=True)
class GuardPolicy:
    allow_jobs: tuple[str, ...] = ("*",)
    deny_jobs: tuple[str, ...] = ()
    business_hours: BusinessHours | None = None
    max_concurrent: int = 3
    cooldown_s: float = 300.0
    production_patterns: tuple[str, ...] = ("*prod*",)
    two_person_rule: bool = True
    dry_run: bool = False

    @classmethod
    def from_settings(cls, settings: GuardSettings) -> GuardPolicy:
        hours = (
            BusinessHours(
                timezone=settings.guard_timezone,
                weekdays=frozenset(settings.guard_weekdays),
                start_hour=settings.guard_hours_start,
                end_hour=settings.guard_hours_end,
            )
            if settings.guard_business_hours
            else None
        )
        return cls(
            allow_jobs=tuple(settings.guard_allow_jobs),
            deny_jobs=tuple(settings.guard_deny_jobs),
            business_hours=hours,
            max_concurrent=settings.guard_max_concurrent,
            cooldown_s=settings.guard_cooldown_s,
            production_patterns=tuple(settings.guard_production_patterns),
            two_person_rule=settings.guard_two_person_rule,
            dry_run=settings.dry_run,
        )


@dataclass(frozen=True)
class GuardInput:
    """What the guard looks at: the request, and the database's counts at `now`."""

    action: str
    job: str
    now: datetime
    running: int = 0
    last_started_on_job: datetime | None = None
    dry_run_requested: bool = False
    approved: bool = False  # a person already approved it: the risk tier is satisfied


@dataclass(frozen=True)
class GuardDecision:
    verdict: Verdict
    reason: str
    dry_run: bool = False
    high_risk: bool = False
    passed: tuple[str, ...] = field(default_factory=tuple)

    def as_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "reason": self.reason,
            "dry_run": self.dry_run,
            "high_risk": self.high_risk,
            "passed": list(self.passed),
        }


def first_match(job: str, patterns: Iterable[str]) -> str | None:
    return next((p for p in patterns if fnmatchcase(job, p)), None)


class ActionGuard:
    """Evaluates requests against one policy."""

    def __init__(self, policy: GuardPolicy) -> None:
        self.policy = policy

    def risk_reason(self, action: str, job: str) -> str | None:
        """Why this action needs a person's approval, or None when it does not."""
        if action in HIGH_RISK_ACTIONS:
            return f"{action!r} is a high-risk action and needs a person's approval"
        pattern = first_match(job, self.policy.production_patterns)
        if pattern is not None:
            return f"job {job!r} matches the production pattern {pattern!r} and needs a person's approval"
        return None

    def evaluate(self, request: GuardInput) -> GuardDecision:
        """The decision for one request, checks in the documented order."""
        policy = self.policy
        passed: list[str] = []
        high_risk = self.risk_reason(request.action, request.job) is not None

        def refuse(reason: str) -> GuardDecision:
            return GuardDecision(Verdict.REFUSE, reason, high_risk=high_risk, passed=tuple(passed))

        denied = first_match(request.job, policy.deny_jobs)
        if denied is not None:
            return refuse(
                f"job {request.job!r} matches the denylist pattern {denied!r}; the runner never acts on it"
            )
        if first_match(request.job, policy.allow_jobs) is None:
            allowed = ", ".join(policy.allow_jobs) or "none"
            return refuse(f"job {request.job!r} matches no allowlist pattern (allowed: {allowed})")
        passed.append("job_lists")

        hours = policy.business_hours
        if hours is not None and not hours.contains(request.now):
            local = request.now.astimezone(ZoneInfo(hours.timezone))
            return refuse(
                f"outside business hours: actions run {hours.describe()}; "
                f"it is {DAY_NAMES[local.weekday()]} {local:%H:%M} there"
            )
        passed.append("business_hours")

        if request.running >= policy.max_concurrent:
            return refuse(
                f"{request.running} actions are already running (limit {policy.max_concurrent}); "
                "request it again when one finishes"
            )
        passed.append("concurrency")

        if request.last_started_on_job is not None and policy.cooldown_s > 0:
            elapsed = (request.now - request.last_started_on_job).total_seconds()
            if elapsed < policy.cooldown_s:
                return refuse(
                    f"an action on {request.job!r} started {elapsed:.0f}s ago and the cooldown is "
                    f"{policy.cooldown_s:.0f}s; wait {policy.cooldown_s - elapsed:.0f}s more"
                )
        passed.append("cooldown")

        dry_run = policy.dry_run or request.dry_run_requested
        risk = self.risk_reason(request.action, request.job)
        if risk is not None and not request.approved:
            return GuardDecision(
                Verdict.NEEDS_APPROVAL, risk, dry_run=dry_run, high_risk=True, passed=tuple(passed)
            )
        passed.append("risk_tier")

        reason = "allowed by policy"
        if dry_run:
            why = "DRY_RUN is set" if policy.dry_run else "the request asked for it"
            reason += f"; dry run ({why}): Jenkins will not be called"
        return GuardDecision(
            Verdict.ALLOW, reason, dry_run=dry_run, high_risk=high_risk, passed=tuple(passed)
        )

    def check_approval(self, *, requested_by: str, approver: str) -> str | None:
        """Why `approver` may not approve (the two-person rule), or None when they may."""
        if self.policy.two_person_rule and approver.strip().lower() == requested_by.strip().lower():
            return (
                f"{approver} requested this action and cannot also approve it "
                "(two-person rule); ask someone else to approve"
            )
        return None
