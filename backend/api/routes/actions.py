"""Action routes: request (guarded at once), guard preview, the original design's Jenkins
shortcuts, read, approve, reject, stats. Who acts is named in the body (`requested_by`, `actor`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, Field

from backend.api.deps import PoolDep
from backend.domain.statuses import ActionStatus
from backend.services import actions as service
from backend.services.action_models import ActionPreview, ActionPublic, ActionStats
from backend.services.action_preview import preview_action

router = APIRouter(tags=["actions"])

Actor = Annotated[str, Field(min_length=1, max_length=200)]
Job = Annotated[
    str, Field(min_length=1, max_length=512, description="Full name, folders with '/'.")
]


class RequestCommon(BaseModel):
    reason: str | None = Field(default=None, max_length=2000)
    incident_id: int | None = Field(default=None, ge=1)
    requested_by: Actor = "api"
    idempotency_key: str | None = Field(
        default=None, max_length=200, description="The same key returns the same action."
    )
    dry_run: bool | None = Field(default=None, description="Run everything but the Jenkins calls.")


class ActionRequestIn(RequestCommon):
    action: Literal["restart", "rollback", "stop", "trigger"]
    job: Job
    build: int | None = Field(default=None, ge=1, description="For restart and stop.")
    target_build: int | None = Field(default=None, ge=1, description="For rollback.")
    parameters: dict[str, Any] | None = Field(default=None, description="For trigger.")


class RestartIn(RequestCommon):
    job: Job
    build: int = Field(ge=1)


class RollbackIn(RequestCommon):
    job: Job
    target_build: int = Field(ge=1)


class ApproveIn(BaseModel):
    actor: Actor


class RejectIn(BaseModel):
    actor: Actor
    reason: str | None = Field(default=None, max_length=2000)


async def _request(pool: PoolDep, body: RequestCommon, **target: Any) -> ActionPublic:
    return await service.request_action(
        pool,
        reason=body.reason,
        incident_id=body.incident_id,
        requested_by=body.requested_by,
        idempotency_key=body.idempotency_key,
        dry_run=body.dry_run,
        **target,
    )


@router.post("/api/actions/request")
async def request_action(pool: PoolDep, body: ActionRequestIn) -> ActionPublic:
    """Request an action; the reply says at once whether it is approved, awaits a person, or was
    refused (`status_reason`), and what it will call (`plan`)."""
    return await _request(
        pool,
        body,
        action=body.action,
        job=body.job,
        build=body.build,
        target_build=body.target_build,
        parameters=body.parameters,
    )


@router.post("/api/jenkins/restart")
async def request_restart(pool: PoolDep, body: RestartIn) -> ActionPublic:
    """Rebuild a build with its own parameters (a guarded action request)."""
    return await _request(pool, body, action="restart", job=body.job, build=body.build)


@router.post("/api/jenkins/rollback")
async def request_rollback(pool: PoolDep, body: RollbackIn) -> ActionPublic:
    """New build with the parameters of an earlier successful build (needs approval)."""
    return await _request(
        pool, body, action="rollback", job=body.job, target_build=body.target_build
    )


@router.get("/api/actions")
async def list_actions(
    pool: PoolDep,
    job: Annotated[str | None, Query(max_length=512)] = None,
    status: Annotated[ActionStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[ActionPublic]:
    """The newest actions first, optionally of one job and one status."""
    return await service.list_actions(
        pool, job=job, status=str(status) if status else None, limit=limit
    )


@router.get("/api/actions/stats")
async def action_stats(
    pool: PoolDep, hours: Annotated[float, Query(gt=0, le=24 * 366)] = 24
) -> ActionStats:
    """Counts by status and action, success rate and mean run time."""
    return await service.actions_stats(pool, hours=hours)


@router.get("/api/actions/preview", responses={400: {"description": "Malformed request"}})
async def preview(
    pool: PoolDep,
    action: Annotated[Literal["restart", "rollback", "stop", "trigger"], Query()],
    job: Annotated[str, Query(min_length=1, max_length=512, description="Folders with '/'.")],
    build: Annotated[int | None, Query(ge=1, description="For restart and stop.")] = None,
    target_build: Annotated[int | None, Query(ge=1, description="For rollback.")] = None,
    requested_by: Annotated[str, Query(min_length=1, max_length=200)] = "api",
    dry_run: Annotated[bool | None, Query()] = None,
) -> ActionPreview:
    """What the guard would decide about this request now and what it would call; stores
    nothing (concurrency and cooldown are decided again when it is requested)."""
    return await preview_action(
        pool,
        action=action,
        job=job,
        build=build,
        target_build=target_build,
        requested_by=requested_by,
        dry_run=dry_run,
    )


@router.get("/api/actions/{action_id}", responses={404: {"description": "No such action"}})
async def get_action(pool: PoolDep, action_id: int) -> ActionPublic:
    """One action, with its guard decision and result."""
    return await service.get_action(pool, action_id=action_id)


@router.post(
    "/api/actions/{action_id}/approve",
    responses={
        403: {"description": "Two-person rule"},
        409: {"description": "Not awaiting approval"},
    },
)
async def approve_action(pool: PoolDep, action_id: int, body: ApproveIn) -> ActionPublic:
    """Approve an action awaiting approval; the requester cannot approve their own."""
    return await service.approve_action(pool, action_id=action_id, actor=body.actor)


@router.post(
    "/api/actions/{action_id}/reject", responses={409: {"description": "Already started or ended"}}
)
async def reject_action(
    pool: PoolDep, action_id: int, body: Annotated[RejectIn, Body()]
) -> ActionPublic:
    """Reject an action that has not started."""
    return await service.reject_action(
        pool, action_id=action_id, actor=body.actor, reason=body.reason
    )
