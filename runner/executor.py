"""Carrying out one approved action: claim it, call Jenkins, record the outcome, resolve incidents.

Three short transactions, never one held across a Jenkins call:
1. claim: mark the message processed, take the claims lock, re-check the guard
   (the concurrency count and cooldown as they are now), `approved -> running`;
2. outside any transaction: Jenkins (or nothing, for a dry run), recording the
   queue item and new build as they become known, heartbeating;
3. finish: `running -> succeeded | failed`, resolving the linked incident (or
   the job's open ones) with method `auto_remediation` when the fix worked.
Each move is a conditional UPDATE, so a duplicate message finds nothing to do.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import structlog

from backend.domain.errors import InvalidTransition
from backend.domain.events import EventType
from backend.domain.statuses import ActionStatus, IncidentStatus
from backend.repositories.actions import ActionRepository, database_now
from backend.services.action_models import ActionPublic
from backend.services.actions import action_event
from backend.services.incidents import transition_in
from backend.uow import UnitOfWork
from runner.carry_out import ExecutionOptions, Outcome, carry_out
from runner.guard import ActionGuard, GuardInput, Verdict
from runner.jenkins.client import JenkinsClient

log = structlog.get_logger(__name__)

CONSUMER = "runner"
RUNNER_ACTOR = "runner"


@dataclass(frozen=True)
class Claimed:
    """An action this runner now holds (`running`), and whether to spare Jenkins."""

    action: ActionPublic
    dry_run: bool


class ActionExecutor:
    """Claims and runs actions; one per runner process, shared by its consumers."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        jenkins: JenkinsClient,
        guard: ActionGuard,
        options: ExecutionOptions,
    ) -> None:
        self.pool = pool
        self.jenkins = jenkins
        self.guard = guard
        self.options = options

    async def claim(self, *, message_id: str, action_id: int) -> Claimed | None:
        """Step 1: None when there is nothing to run (duplicate, not approved, refused now)."""
        async with UnitOfWork(self.pool) as uow:
            repo = ActionRepository(uow.conn)
            if not await repo.mark_processed(CONSUMER, message_id):
                log.info("action.duplicate_message", action_id=action_id, message_id=message_id)
                return None
            await repo.lock_claims()
            row = await repo.get(action_id, for_update=True)
            if row is None or row["status"] != ActionStatus.APPROVED:
                await uow.commit()
                log.info(
                    "action.not_runnable",
                    action_id=action_id,
                    status=row["status"] if row else None,
                )
                return None
            decision = self.guard.evaluate(
                GuardInput(
                    action=row["action_type"],
                    job=row["job_name"],
                    now=await database_now(uow.conn),
                    running=await repo.count_running(),
                    last_started_on_job=await repo.last_started_on_job(
                        row["job_name"], excluding=action_id
                    ),
                    dry_run_requested=row["dry_run"],
                    approved=True,
                )
            )
            if decision.verdict is Verdict.REFUSE:
                moved = await repo.refuse_at_run(
                    action_id, reason=decision.reason, decision=decision.as_json()
                )
                assert moved is not None
                refused = ActionPublic.from_row(moved)
                uow.outbox.add(EventType.ACTION_REJECTED, action_event(refused, actor="guard"))
                await uow.audit.record(
                    "action",
                    action_id,
                    str(EventType.ACTION_REJECTED),
                    "guard",
                    from_status="approved",
                    to_status="rejected",
                    details={"reason": decision.reason, "at": "run"},
                )
                await uow.commit()
                log.info("action.refused_at_run", action_id=action_id, reason=decision.reason)
                return None
            moved = await repo.claim(action_id, runner_id=self.options.runner_id)
            assert moved is not None  # locked and approved
            started = ActionPublic.from_row(moved)
            uow.outbox.add(
                EventType.ACTION_STARTED,
                action_event(started, runner=self.options.runner_id, dry_run=decision.dry_run),
            )
            await uow.audit.record(
                "action",
                action_id,
                str(EventType.ACTION_STARTED),
                RUNNER_ACTOR,
                from_status="approved",
                to_status="running",
                details={"runner": self.options.runner_id, "dry_run": decision.dry_run},
            )
            await uow.commit()
        log.info(
            "action.started",
            action_id=action_id,
            action=started.action,
            job=started.job,
            dry_run=decision.dry_run,
        )
        return Claimed(started, decision.dry_run)

    async def run(self, claimed: Claimed) -> ActionPublic:
        """Steps 2 and 3 for a claimed action; returns it in its final status."""
        async with self._heartbeat(claimed.action.id):
            outcome = await carry_out(
                self.jenkins,
                claimed.action,
                dry_run=claimed.dry_run,
                options=self.options,
                progress=self._progress,
            )
        return await self._finish(claimed, outcome)

    async def _progress(self, action_id: int, **fields: Any) -> None:
        async with self.pool.acquire() as conn:
            await ActionRepository(conn).record_progress(action_id, **fields)

    @contextlib.asynccontextmanager
    async def _heartbeat(self, action_id: int) -> AsyncIterator[None]:
        """Keep `heartbeat_at` fresh while Jenkins is being waited on."""

        async def beat() -> None:
            while True:
                await asyncio.sleep(self.options.lease_s / 4)
                with contextlib.suppress(Exception):  # a missed beat only shortens the lease
                    await self._progress(action_id)

        task = asyncio.create_task(beat())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _finish(self, claimed: Claimed, outcome: Outcome) -> ActionPublic:
        action = claimed.action
        async with UnitOfWork(self.pool) as uow:
            repo = ActionRepository(uow.conn)
            if outcome.succeeded and outcome.fixed and not claimed.dry_run:
                outcome.result["resolved_incidents"] = await self._resolve_incidents(
                    uow, repo, action, outcome
                )
            target = ActionStatus.SUCCEEDED if outcome.succeeded else ActionStatus.FAILED
            moved = await repo.finish(
                action.id,
                target=str(target),
                reason=outcome.reason,
                result=outcome.result,
                build_result=outcome.build_result,
            )
            if moved is None:  # marked unknown meanwhile (lease expired): leave it so
                current = await repo.get(action.id)
                log.warning(
                    "action.finish_lost",
                    action_id=action.id,
                    status=current["status"] if current else None,
                )
                return ActionPublic.from_row(current) if current else action
            finished = ActionPublic.from_row(moved)
            event = EventType.ACTION_SUCCEEDED if outcome.succeeded else EventType.ACTION_FAILED
            uow.outbox.add(event, action_event(finished))
            await uow.audit.record(
                "action",
                action.id,
                str(event),
                RUNNER_ACTOR,
                from_status="running",
                to_status=str(target),
                details={"reason": outcome.reason},
            )
            await uow.commit()
        log.info(
            str(event),
            action_id=action.id,
            job=action.job,
            reason=outcome.reason,
            new_build=finished.new_build_number,
        )
        return finished

    async def _resolve_incidents(
        self, uow: UnitOfWork, repo: ActionRepository, action: ActionPublic, outcome: Outcome
    ) -> list[dict[str, Any]]:
        """Resolve the linked incident, or the job's open ones; report each MTTR."""
        ids = (
            [action.incident_id]
            if action.incident_id
            else await repo.open_incident_ids_for_job(action.job)
        )
        notes = f"action #{action.id} ({action.action} of {action.job}): {outcome.reason}"
        resolved = []
        for incident_id in ids:
            try:
                incident = await transition_in(
                    uow,
                    incident_id=incident_id,
                    target=IncidentStatus.RESOLVED,
                    actor=RUNNER_ACTOR,
                    notes=notes,
                    method="auto_remediation",
                )
            except InvalidTransition:
                continue  # resolved meanwhile by someone else
            resolved.append({"incident_id": incident.id, "mttr_seconds": incident.mttr_seconds})
            log.info(
                "incident.auto_resolved",
                incident_id=incident.id,
                action_id=action.id,
                mttr_seconds=incident.mttr_seconds,
            )
        return resolved

    async def recover(self, *, at_start: bool) -> list[ActionPublic]:
        """Mark running actions of a previous life of this runner (at start) or of a silent one `unknown`."""
        async with UnitOfWork(self.pool) as uow:
            repo = ActionRepository(uow.conn)
            rows = await repo.mark_orphans_unknown(
                runner_id=self.options.runner_id if at_start else None,
                lease_s=self.options.lease_s,
            )
            orphans = [ActionPublic.from_row(r) for r in rows]
            for orphan in orphans:
                uow.outbox.add(EventType.ACTION_UNKNOWN, action_event(orphan))
                await uow.audit.record(
                    "action",
                    orphan.id,
                    str(EventType.ACTION_UNKNOWN),
                    RUNNER_ACTOR,
                    from_status="running",
                    to_status="unknown",
                    details={"runner": self.options.runner_id},
                )
            await uow.commit()
        for orphan in orphans:
            log.warning(
                "action.unknown", action_id=orphan.id, job=orphan.job, reason=orphan.status_reason
            )
        return orphans
