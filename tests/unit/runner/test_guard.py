"""The action guard as a table: each rule allowing and refusing, in order."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from runner.guard import ActionGuard, BusinessHours, GuardInput, GuardPolicy, Verdict
from runner.settings import GuardSettings

# A Wednesday, 10:00 UTC (11:00 in Paris).
WEDNESDAY_10 = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
BASE = GuardPolicy(cooldown_s=300, max_concurrent=2)
HOURS = BusinessHours(
    timezone="Europe/Paris", weekdays=frozenset({0, 1, 2, 3, 4}), start_hour=9, end_hour=18
)


def request(action: str = "restart", job: str = "api-gateway", **changes: Any) -> GuardInput:
    return replace(GuardInput(action=action, job=job, now=WEDNESDAY_10), **changes)


CASES = [
    # (name, policy, request, verdict, reason fragment)
    ("plain restart allowed", BASE, request(), Verdict.ALLOW, "allowed by policy"),
    (
        "denylist refuses",
        replace(BASE, deny_jobs=("legacy-*",)),
        request(job="legacy-reports"),
        Verdict.REFUSE,
        "denylist pattern 'legacy-*'",
    ),
    (
        "denylist matches inside folders",
        replace(BASE, deny_jobs=("team/*",)),
        request(job="team/deploy-staging"),
        Verdict.REFUSE,
        "denylist pattern 'team/*'",
    ),
    (
        "denylist wins over allowlist",
        replace(BASE, allow_jobs=("*",), deny_jobs=("api-*",)),
        request(),
        Verdict.REFUSE,
        "denylist",
    ),
    (
        "allowlist refuses the unlisted",
        replace(BASE, allow_jobs=("team/*",)),
        request(),
        Verdict.REFUSE,
        "matches no allowlist pattern (allowed: team/*)",
    ),
    (
        "allowlist admits folder jobs",
        replace(BASE, allow_jobs=("team/*",)),
        request(job="team/deploy-staging"),
        Verdict.ALLOW,
        "allowed",
    ),
    (
        "business hours off by default",
        BASE,
        request(now=datetime(2026, 3, 7, 3, 0, tzinfo=UTC)),
        Verdict.ALLOW,
        "allowed",
    ),
    (
        "inside business hours",
        replace(BASE, business_hours=HOURS),
        request(),
        Verdict.ALLOW,
        "allowed",
    ),
    (
        "after hours in the policy's time zone",
        replace(BASE, business_hours=HOURS),
        request(now=datetime(2026, 3, 4, 17, 30, tzinfo=UTC)),
        Verdict.REFUSE,
        "it is Wed 18:30 there",
    ),
    (
        "weekend refused",
        replace(BASE, business_hours=HOURS),
        request(now=datetime(2026, 3, 7, 10, 0, tzinfo=UTC)),
        Verdict.REFUSE,
        "Mon,Tue,Wed,Thu,Fri 09:00-18:00 Europe/Paris",
    ),
    (
        "overnight window",
        replace(BASE, business_hours=replace(HOURS, timezone="UTC", start_hour=22, end_hour=6)),
        request(now=datetime(2026, 3, 4, 23, 0, tzinfo=UTC)),
        Verdict.ALLOW,
        "allowed",
    ),
    ("below the concurrency limit", BASE, request(running=1), Verdict.ALLOW, "allowed"),
    (
        "at the concurrency limit",
        BASE,
        request(running=2),
        Verdict.REFUSE,
        "2 actions are already running (limit 2)",
    ),
    (
        "cooldown over",
        BASE,
        request(last_started_on_job=WEDNESDAY_10 - timedelta(seconds=301)),
        Verdict.ALLOW,
        "allowed",
    ),
    (
        "within the cooldown",
        BASE,
        request(last_started_on_job=WEDNESDAY_10 - timedelta(seconds=60)),
        Verdict.REFUSE,
        "started 60s ago and the cooldown is 300s; wait 240s more",
    ),
    (
        "cooldown zero disables it",
        replace(BASE, cooldown_s=0),
        request(last_started_on_job=WEDNESDAY_10),
        Verdict.ALLOW,
        "allowed",
    ),
    (
        "stop needs approval",
        BASE,
        request(action="stop"),
        Verdict.NEEDS_APPROVAL,
        "'stop' is a high-risk action",
    ),
    (
        "rollback needs approval",
        BASE,
        request(action="rollback"),
        Verdict.NEEDS_APPROVAL,
        "'rollback' is a high-risk action",
    ),
    (
        "production job needs approval",
        BASE,
        request(job="deploy-prod"),
        Verdict.NEEDS_APPROVAL,
        "production pattern '*prod*'",
    ),
    (
        "production job in a folder",
        BASE,
        request(action="trigger", job="team/deploy-prod"),
        Verdict.NEEDS_APPROVAL,
        "'team/deploy-prod' matches the production pattern",
    ),
    (
        "custom production patterns",
        replace(BASE, production_patterns=("payments-*",)),
        request(job="deploy-prod"),
        Verdict.ALLOW,
        "allowed",
    ),
    (
        "approved high-risk passes the tier",
        BASE,
        request(action="stop", job="deploy-prod", approved=True),
        Verdict.ALLOW,
        "allowed",
    ),
    (
        "dry run asked by the request",
        BASE,
        request(dry_run_requested=True),
        Verdict.ALLOW,
        "dry run (the request asked for it)",
    ),
    (
        "global DRY_RUN",
        replace(BASE, dry_run=True),
        request(),
        Verdict.ALLOW,
        "dry run (DRY_RUN is set)",
    ),
    (
        "refusals come before approval",
        replace(BASE, deny_jobs=("*prod*",)),
        request(action="stop", job="deploy-prod"),
        Verdict.REFUSE,
        "denylist",
    ),
    (
        "concurrency before cooldown",
        BASE,
        request(running=5, last_started_on_job=WEDNESDAY_10),
        Verdict.REFUSE,
        "already running",
    ),
]


@pytest.mark.parametrize(
    ("policy", "given", "verdict", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_guard_table(
    policy: GuardPolicy, given: GuardInput, verdict: Verdict, fragment: str
) -> None:
    decision = ActionGuard(policy).evaluate(given)
    assert decision.verdict is verdict
    assert fragment in decision.reason


def test_dry_run_flag_and_approval_combine() -> None:
    decision = ActionGuard(replace(BASE, dry_run=True)).evaluate(request(action="stop"))
    assert decision.verdict is Verdict.NEEDS_APPROVAL and decision.dry_run and decision.high_risk
    assert decision.as_json()["passed"] == [
        "job_lists",
        "business_hours",
        "concurrency",
        "cooldown",
    ]


@pytest.mark.parametrize(
    ("two_person", "requester", "approver", "refused"),
    [
        (True, "alice", "bob", False),
        (True, "alice", "alice", True),
        (True, "Alice", " alice ", True),
        (False, "alice", "alice", False),
    ],
)
def test_two_person_rule(two_person: bool, requester: str, approver: str, refused: bool) -> None:
    reason = ActionGuard(replace(BASE, two_person_rule=two_person)).check_approval(
        requested_by=requester, approver=approver
    )
    assert (reason is not None) is refused
    if reason:
        assert "two-person rule" in reason


def test_policy_from_settings() -> None:
    settings = GuardSettings(
        guard_allow_jobs="team/*,api-*",
        guard_business_hours=True,
        guard_timezone="Europe/Paris",
        guard_weekdays="0,1",
        dry_run=True,
    )
    policy = GuardPolicy.from_settings(settings)
    assert policy.allow_jobs == ("team/*", "api-*")
    assert policy.business_hours == BusinessHours("Europe/Paris", frozenset({0, 1}), 9, 18)
    assert policy.dry_run and policy.production_patterns == ("*prod*",)


def test_bad_time_zone_is_a_setting_error() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        GuardSettings(guard_timezone="Mars/Olympus")
