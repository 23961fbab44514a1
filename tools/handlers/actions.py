"""Remediation tools over backend/services/actions.py (the guard decides inside the service)."""

from __future__ import annotations

from backend.domain.statuses import ActionStatus
from backend.services import actions as service
from backend.services.action_models import ActionPublic
from tools.context import ToolServices
from tools.models import actions as am
from tools.results import ResultStatus

_VERB = {"restart": "Restart", "rollback": "Rollback", "stop": "Stop", "trigger": "Trigger"}


def _target(action: ActionPublic) -> str:
    if action.action == "rollback":
        return f"{action.job} to build #{action.target_build}"
    return f"{action.job} #{action.build}" if action.build else action.job


def will_run(action: ActionPublic) -> str:
    """Exactly what the runner will call on Jenkins, for the person approving it."""
    steps = "; then ".join(action.plan) if action.plan else f"{action.action} {_target(action)}"
    return f"{steps} (dry run: nothing is sent to Jenkins)" if action.dry_run else steps


def _outcome(action: ActionPublic) -> am.ActionOutcome:
    return am.ActionOutcome(
        action_id=action.id,
        will_run=will_run(action),
        action=am.ActionView.model_validate(action, from_attributes=True),
    )


def _requested(action: ActionPublic) -> am.ActionResult:
    """The result of a new request, by the guard's decision."""
    what = f"{_VERB.get(action.action, action.action)} of {_target(action)}"
    status: ResultStatus
    if action.status is ActionStatus.AWAITING_APPROVAL:
        status = "approval_required"
        summary = (
            f"{what} needs a person's approval (action #{action.id}); "
            f"approve_action with action_id {action.id} to run it."
        )
    elif action.status is ActionStatus.REJECTED:
        status = "refused"
        summary = f"{what} was refused: {action.status_reason or 'by policy'}."
    else:
        status = "ok"
        summary = f"{what} is {action.status} (action #{action.id})."
    return am.ActionResult(status=status, summary=summary, data=_outcome(action))


async def _request(
    services: ToolServices,
    actor: str,
    *,
    action: str,
    job: str,
    build: int | None = None,
    target_build: int | None = None,
    reason: str | None = None,
) -> am.ActionResult:
    created = await service.request_action(
        services.pool,
        action=action,
        job=job,
        build=build,
        target_build=target_build,
        reason=reason,
        requested_by=actor,
    )
    return _requested(created)


async def request_jenkins_restart(
    services: ToolServices, args: am.RequestJenkinsRestartInput, actor: str
) -> am.ActionResult:
    """Ask for a rebuild of a build with its parameters."""
    return await _request(
        services, actor, action="restart", job=args.job, build=args.build, reason=args.reason
    )


async def request_jenkins_rollback(
    services: ToolServices, args: am.RequestJenkinsRollbackInput, actor: str
) -> am.ActionResult:
    """Ask for a rebuild of an earlier build with its parameters."""
    return await _request(
        services,
        actor,
        action="rollback",
        job=args.job,
        target_build=args.target_build,
        reason=args.reason,
    )


async def request_jenkins_stop(
    services: ToolServices, args: am.RequestJenkinsStopInput, actor: str
) -> am.ActionResult:
    """Ask to abort a running build."""
    return await _request(
        services, actor, action="stop", job=args.job, build=args.build, reason=args.reason
    )


async def approve_action(
    services: ToolServices, args: am.ApproveActionInput, actor: str
) -> am.ActionResult:
    """A person approves an action awaiting approval."""
    action = await service.approve_action(services.pool, action_id=args.action_id, actor=actor)
    return am.ActionResult(
        status="ok",
        summary=f"Action #{action.id} approved by {actor}; the runner will now: {will_run(action)}.",
        data=_outcome(action),
    )


async def reject_action(
    services: ToolServices, args: am.RejectActionInput, actor: str
) -> am.ActionResult:
    """A person rejects an action that has not started."""
    action = await service.reject_action(
        services.pool, action_id=args.action_id, actor=actor, reason=args.reason
    )
    return am.ActionResult(
        status="ok", summary=f"Action #{action.id} rejected by {actor}.", data=_outcome(action)
    )


async def get_action_status(
    services: ToolServices, args: am.GetActionStatusInput, _actor: str
) -> am.ActionResult:
    """One action and where it stands."""
    action = await service.get_action(services.pool, action_id=args.action_id)
    detail = f": {action.status_reason}" if action.status_reason else ""
    build = f"; new build #{action.new_build_number}" if action.new_build_number else ""
    return am.ActionResult(
        status="ok",
        summary=f"Action #{action.id} ({action.action} {_target(action)}) is {action.status}{detail}{build}.",
        data=_outcome(action),
    )


async def get_actions_stats(
    services: ToolServices, args: am.GetActionsStatsInput, _actor: str
) -> am.ActionsStatsResult:
    """Counts, success rate and run time over a window."""
    figures = await service.actions_stats(services.pool, hours=float(args.hours))
    data = am.ActionsStats.model_validate(figures, from_attributes=True)
    if data.total == 0:
        return am.ActionsStatsResult(
            status="no_data", summary=f"No actions in the last {args.hours} hours.", data=data
        )
    rate = (
        f", {data.success_rate:.0%} of real runs succeeded" if data.success_rate is not None else ""
    )
    return am.ActionsStatsResult(
        status="ok",
        summary=f"{data.total} actions in the last {args.hours} hours{rate}.",
        data=data,
    )
