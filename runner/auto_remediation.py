"""Automatic remediation: a rule that names an action requests it when its incident opens.

A post-detection handler for log ingestion: it runs in the ingestion's own
transaction and goes through `request_in`, the same path as a person's request,
so the guard, approvals and dry-run apply, and the incident's audit history
shows the action. One automatic action per incident (idempotency key).
"""

from __future__ import annotations

from collections.abc import Sequence

import structlog

from backend.services.actions import InvalidActionRequest, request_in
from backend.services.incident_recording import DetectionHandler, RecordedDetection
from backend.uow import UnitOfWork
from runner.guard import ActionGuard

log = structlog.get_logger(__name__)


def auto_remediation_handler(guard: ActionGuard | None = None) -> DetectionHandler:
    """The handler to pass to `create_app(..., handlers=[...])`; `guard` defaults to the settings'."""

    async def request_remediations(uow: UnitOfWork, recorded: Sequence[RecordedDetection]) -> None:
        for item in recorded:
            remediation = item.detection.remediation
            incident = item.incident
            if not item.opened or remediation is None or not incident.job_name:
                continue
            parameters = dict(remediation.parameters)
            build = parameters.pop("build", None) or incident.build_number
            target_build = parameters.pop("target_build", None)
            try:
                action, _ = await request_in(
                    uow,
                    action=remediation.action,
                    job=incident.job_name,
                    build=build,
                    target_build=target_build,
                    parameters=parameters or None,
                    reason=f"automatic remediation of incident #{incident.id} ({incident.rule})",
                    incident_id=incident.id,
                    requested_by=f"rule:{incident.rule}",
                    idempotency_key=f"auto:incident:{incident.id}:{remediation.action}",
                    guard=guard,
                )
            except InvalidActionRequest as error:
                # e.g. a restart for a log line without a build number: nothing to rebuild.
                await uow.audit.record(
                    "incident",
                    incident.id,
                    "action.not_requested",
                    f"rule:{incident.rule}",
                    details={"action": remediation.action, "reason": str(error)},
                )
                log.info("auto_remediation.skipped", incident_id=incident.id, reason=str(error))
                continue
            log.info(
                "auto_remediation.requested",
                incident_id=incident.id,
                action_id=action.id,
                status=action.status,
            )

    return request_remediations


def remediation_handlers() -> list[DetectionHandler]:
    """The API's post-detection handlers, the guard read from GUARD_*/DRY_RUN (a bad one stops start-up)."""
    from backend.settings import load_settings
    from runner.guard import GuardPolicy
    from runner.settings import GuardSettings

    guard = ActionGuard(GuardPolicy.from_settings(load_settings(GuardSettings)))
    return [auto_remediation_handler(guard)]
