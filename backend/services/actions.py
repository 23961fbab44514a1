"""Action service: request (guarded at once), read, approve, reject, stats.

Keyword-only functions over the pool, returning `ActionPublic`; errors are the
domain's (`ActionNotFound`, `InvalidTransition`, `NotAllowed`,
`InvalidActionRequest`). The REST routes, the MCP tools and automatic
remediation all come through here, so the guard is never bypassed. The runner
(`runbooks runner`) carries approved actions out.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import asyncpg
import structlog

from backend.domain.errors import (
    ActionNotFound,
    DomainError,
    IncidentNotFound,
    InvalidTransition,
    NotAllowed,
)
from backend.domain.events import EventType
from backend.domain.statuses import ActionStatus
from backend.repositories import DbConnection
from backend.repositories.actions import ActionInsert, ActionRepository, database_now
from backend.services.action_models import ActionPublic, ActionStats, summarize_action_stats
from backend.tracing import current_trace_id
from backend.uow import UnitOfWork
from runner.guard import ActionGuard, GuardDecision, GuardInput, GuardPolicy, Verdict
from runner.jenkins.paths import InvalidJobName, job_path
from runner.settings import GuardSettings

log = structlog.get_logger(__name__)

ACTIONS = ("restart", "rollback", "stop", "trigger")
_STATUS_OF = {
    Verdict.ALLOW: ActionStatus.APPROVED,
    Verdict.NEEDS_APPROVAL: ActionStatus.AWAITING_APPROVAL,
    Verdict.REFUSE: ActionStatus.REJECTED,
}


class InvalidActionRequest(DomainError):
    """The request itself is malformed (unknown action, missing build, bad job name)."""


@functools.cache
def configured_guard() -> ActionGuard:
    """The guard of this process, from GUARD_* and DRY_RUN settings (read once)."""
    return ActionGuard(GuardPolicy.from_settings(GuardSettings()))


def action_event(action: ActionPublic, **extra: Any) -> dict[str, Any]:
    """The entity part of every action.* event."""
    return {"action": action.model_dump(mode="json"), **extra}


def validate_request(action: str, job: str, build: int | None, target_build: int | None) -> None:
    """Refuse requests the runner could not carry out, before anything is stored."""
    if action not in ACTIONS:
        raise InvalidActionRequest(f"unknown action {action!r}; use one of {', '.join(ACTIONS)}")
    try:
        job_path(job)
    except InvalidJobName as error:
        raise InvalidActionRequest(str(error)) from None
    if action in ("restart", "stop") and (build is None or build < 1):
        raise InvalidActionRequest(f"{action} needs the build number of {job!r}")
    if action == "rollback" and (target_build is None or target_build < 1):
        raise InvalidActionRequest(f"rollback needs the target_build of {job!r} to roll back to")


async def guard_decision(
    conn: DbConnection,
    guard: ActionGuard,
    *,
    action: str,
    job: str,
    dry_run: bool | None,
) -> GuardDecision:
    """The guard's decision on a request, from the database's clock and counts (reads only)."""
    repo = ActionRepository(conn)
    return guard.evaluate(
        GuardInput(
            action=action,
            job=job,
            now=await database_now(conn),
            running=await repo.count_running(),
            last_started_on_job=await repo.last_started_on_job(job),
            dry_run_requested=bool(dry_run),
        )
    )


async def request_action(
    pool: asyncpg.Pool,
    *,
    action: str,
    job: str,
    build: int | None = None,
    target_build: int | None = None,
    parameters: Mapping[str, Any] | None = None,
    reason: str | None = None,
    incident_id: int | None = None,
    requested_by: str,
    idempotency_key: str | None = None,
    dry_run: bool | None = None,
    guard: ActionGuard | None = None,
) -> ActionPublic:
    """Record a request and the guard's decision at once: approved, awaiting approval, or rejected.

    The same `idempotency_key` returns the same action, never a second one.
    """
    async with UnitOfWork(pool) as uow:
        created, new = await request_in(
            uow,
            action=action,
            job=job,
            build=build,
            target_build=target_build,
            parameters=parameters,
            reason=reason,
            incident_id=incident_id,
            requested_by=requested_by,
            idempotency_key=idempotency_key,
            dry_run=dry_run,
            guard=guard,
        )
        await uow.commit()
    if new:
        log.info(
            "action.requested",
            action_id=created.id,
            action=created.action,
            job=created.job,
            status=created.status,
            requested_by=requested_by,
        )
    return created


async def request_in(
    uow: UnitOfWork,
    *,
    action: str,
    job: str,
    build: int | None = None,
    target_build: int | None = None,
    parameters: Mapping[str, Any] | None = None,
    reason: str | None = None,
    incident_id: int | None = None,
    requested_by: str,
    idempotency_key: str | None = None,
    dry_run: bool | None = None,
    guard: ActionGuard | None = None,
) -> tuple[ActionPublic, bool]:
    """`request_action` inside the caller's unit of work; also says whether the action is new."""
    validate_request(action, job, build, target_build)
    repo = ActionRepository(uow.conn)
    if idempotency_key:
        existing = await repo.get_by_idempotency_key(idempotency_key)
        if existing is not None:
            return ActionPublic.from_row(existing), False
    if incident_id is not None and await uow.incidents.status_of(incident_id) is None:
        raise IncidentNotFound(incident_id)
    decision = await guard_decision(
        uow.conn, guard or configured_guard(), action=action, job=job, dry_run=dry_run
    )
    status = _STATUS_OF[decision.verdict]
    row = await repo.insert(
        ActionInsert(
            action_type=action,
            job_name=job,
            build_number=build,
            target_build=target_build,
            parameters=dict(parameters or {}),
            reason=reason,
            status=str(status),
            status_reason=decision.reason,
            requested_by=requested_by,
            approved_by=None,
            incident_id=incident_id,
            guard_decision=decision.as_json(),
            dry_run=decision.dry_run,
            idempotency_key=idempotency_key,
            trace_id=current_trace_id(),
        )
    )
    if row is None:  # the same key committed meanwhile by a concurrent request
        assert idempotency_key is not None
        existing = await repo.get_by_idempotency_key(idempotency_key)
        assert existing is not None
        return ActionPublic.from_row(existing), False
    created = ActionPublic.from_row(row)
    uow.outbox.add(EventType.ACTION_REQUESTED, action_event(created))
    if status is ActionStatus.AWAITING_APPROVAL:
        uow.outbox.add(EventType.ACTION_AWAITING_APPROVAL, action_event(created))
    elif status is ActionStatus.REJECTED:
        uow.outbox.add(EventType.ACTION_REJECTED, action_event(created))
    details = {"guard": decision.as_json(), "action": action, "job": job}
    await uow.audit.record(
        "action",
        created.id,
        str(EventType.ACTION_REQUESTED),
        requested_by,
        to_status=str(status),
        details=details,
    )
    if incident_id is not None:
        await uow.audit.record(
            "incident",
            incident_id,
            "action.linked",
            requested_by,
            details={
                "action_id": created.id,
                "action": action,
                "job": job,
                "status": str(status),
                "reason": decision.reason,
            },
        )
    return created, True


async def get_action(pool: asyncpg.Pool, *, action_id: int) -> ActionPublic:
    """One action; ActionNotFound when it does not exist."""
    async with pool.acquire() as conn:
        row = await ActionRepository(conn).get(action_id)
    if row is None:
        raise ActionNotFound(action_id)
    return ActionPublic.from_row(row)


async def list_actions(
    pool: asyncpg.Pool, *, job: str | None = None, status: str | None = None, limit: int = 50
) -> list[ActionPublic]:
    """The newest actions first, optionally of one job and one status."""
    async with pool.acquire() as conn:
        rows = await ActionRepository(conn).list_recent(job=job, status=status, limit=limit)
    return [ActionPublic.from_row(row) for row in rows]


async def approve_action(
    pool: asyncpg.Pool, *, action_id: int, actor: str, guard: ActionGuard | None = None
) -> ActionPublic:
    """A person approves an action awaiting approval; the requester may not (two-person rule)."""
    guard = guard or configured_guard()
    refusal: str | None = None
    approved: ActionPublic | None = None
    async with UnitOfWork(pool) as uow:
        repo = ActionRepository(uow.conn)
        row = await repo.get(action_id, for_update=True)
        if row is None:
            raise ActionNotFound(action_id)
        if row["status"] != ActionStatus.AWAITING_APPROVAL:
            raise InvalidTransition("action", action_id, row["status"], str(ActionStatus.APPROVED))
        refusal = guard.check_approval(requested_by=row["requested_by"], approver=actor)
        if refusal is not None:
            await uow.audit.record(
                "action", action_id, "action.approval_refused", actor, details={"reason": refusal}
            )
        else:
            moved = await repo.approve(action_id, actor=actor)
            assert moved is not None  # the row is locked and awaiting approval
            approved = ActionPublic.from_row(moved)
            uow.outbox.add(EventType.ACTION_APPROVED, action_event(approved, actor=actor))
            await uow.audit.record(
                "action",
                action_id,
                str(EventType.ACTION_APPROVED),
                actor,
                from_status=moved["from_status"],
                to_status=str(ActionStatus.APPROVED),
            )
        await uow.commit()
    if refusal is not None:
        raise NotAllowed(refusal)
    assert approved is not None
    log.info("action.approved", action_id=action_id, actor=actor)
    return approved


async def reject_action(
    pool: asyncpg.Pool, *, action_id: int, actor: str, reason: str | None = None
) -> ActionPublic:
    """A person rejects an action that has not started."""
    why = reason or f"rejected by {actor}"
    sources = [
        str(ActionStatus.REQUESTED),
        str(ActionStatus.AWAITING_APPROVAL),
        str(ActionStatus.APPROVED),
    ]
    async with UnitOfWork(pool) as uow:
        repo = ActionRepository(uow.conn)
        moved = await repo.reject(action_id, sources=sources, actor=actor, reason=why)
        if moved is None:
            current = await repo.get(action_id)
            if current is None:
                raise ActionNotFound(action_id)
            raise InvalidTransition(
                "action", action_id, current["status"], str(ActionStatus.REJECTED)
            )
        rejected = ActionPublic.from_row(moved)
        uow.outbox.add(EventType.ACTION_REJECTED, action_event(rejected, actor=actor))
        await uow.audit.record(
            "action",
            action_id,
            str(EventType.ACTION_REJECTED),
            actor,
            from_status=moved["from_status"],
            to_status=str(ActionStatus.REJECTED),
            details={"reason": why},
        )
        await uow.commit()
    log.info("action.rejected", action_id=action_id, actor=actor)
    return rejected


async def actions_stats(pool: asyncpg.Pool, *, hours: float = 24.0) -> ActionStats:
    """Counts by status and action, success rate of real runs, mean run time."""
    async with pool.acquire() as conn:
        rows = await ActionRepository(conn).stats_rows(hours=hours)
    return summarize_action_stats(rows, hours=hours)
