"""Guard preview: what the guard would decide about a request now, without recording it.

The same guard and the same database clock and counts as `request_action`, read in a
read-only transaction, so a person can see the verdict before asking for the change.
Concurrency and cooldown can still change between the preview and the request; the
request is what the guard decides on.
"""

from __future__ import annotations

from typing import cast

import asyncpg
import structlog

from backend.services.action_models import ActionPreview, ActionType, GuardVerdictName
from backend.services.actions import configured_guard, guard_decision, validate_request
from runner.guard import ActionGuard, Verdict
from runner.jenkins.remediation import plan

log = structlog.get_logger(__name__)

_DECISION: dict[Verdict, GuardVerdictName] = {
    Verdict.ALLOW: "allowed",
    Verdict.NEEDS_APPROVAL: "needs_approval",
    Verdict.REFUSE: "refused",
}


async def preview_action(
    pool: asyncpg.Pool,
    *,
    action: str,
    job: str,
    build: int | None = None,
    target_build: int | None = None,
    requested_by: str,
    dry_run: bool | None = None,
    guard: ActionGuard | None = None,
) -> ActionPreview:
    """The guard's verdict and the Jenkins plan of a request; InvalidActionRequest if malformed."""
    validate_request(action, job, build, target_build)
    kind = cast(ActionType, action)  # validate_request refuses any other action
    async with pool.acquire() as conn, conn.transaction(readonly=True):
        decision = await guard_decision(
            conn, guard or configured_guard(), action=action, job=job, dry_run=dry_run
        )
    preview = ActionPreview(
        action=kind,
        job=job,
        build=build,
        target_build=target_build,
        requested_by=requested_by,
        decision=_DECISION[decision.verdict],
        reason=decision.reason,
        plan=plan(kind, job, build=build, target_build=target_build),
        dry_run=decision.dry_run,
        high_risk=decision.high_risk,
        passed=list(decision.passed),
    )
    log.info(
        "action.previewed",
        action=action,
        job=job,
        decision=preview.decision,
        requested_by=requested_by,
    )
    return preview
