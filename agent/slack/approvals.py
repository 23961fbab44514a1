"""Approval policy as Slack applies it: who may ask, who may decide, what the card previews.

Roles are Slack's (viewer < operator < approver); the risk tier, the two-person rule and
the dry-run plan are the runner's (`ActionGuard`, `remediation.plan`), called, not copied.
The card shows the server guard's verdict when the agent got one (`request["guard"]`,
with the database's counts), else this process's evaluation of the same policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from agent.slack.blocks.approval_card import ApprovalView
from agent.slack.roles import Role
from runner.guard import ActionGuard, GuardInput, Verdict
from runner.jenkins.remediation import plan

# The agent's mutating tools that become runner actions, and the action each requests.
ACTION_OF_TOOL: dict[str, Literal["restart", "rollback", "stop"]] = {
    "request_jenkins_restart": "restart",
    "request_jenkins_rollback": "rollback",
    "request_jenkins_stop": "stop",
}


_AGAIN = " (concurrency and cooldown are checked again when it runs)"


def _guard_line(
    verdict: Mapping[str, Any] | None, guard: ActionGuard, action: str, job: str, now: datetime
) -> str:
    """The server's verdict when the agent got one, else this process's evaluation."""
    if verdict is not None:
        line = f"{verdict['decision']}: {verdict.get('reason')}"
        return line if verdict["decision"] == "refused" else line + _AGAIN
    decision = guard.evaluate(GuardInput(action=action, job=job, now=now))
    line = f"{decision.verdict.value}: {decision.reason}"
    return line if decision.verdict is Verdict.REFUSE else line + _AGAIN


def view_for_interrupt(
    key: str, request: Mapping[str, Any], guard: ActionGuard, *, now: datetime | None = None
) -> ApprovalView:
    """The card for the agent's approval interrupt: will-run line, guard verdict, dry-run plan."""
    tool = str(request.get("tool") or "")
    args = dict(request.get("args") or {})
    action = ACTION_OF_TOOL.get(tool)
    guard_line: str | None = None
    preview: str | None = None
    two_person = False
    job = args.get("job")
    server = request.get("guard")
    verdict = server if isinstance(server, Mapping) and server.get("decision") else None
    if action is not None and isinstance(job, str):
        guard_line = _guard_line(verdict, guard, action, job, now or datetime.now(UTC))
        two_person = guard.risk_reason(action, job) is not None and guard.policy.two_person_rule
        build = args.get("build")
        target = args.get("target_build")
        steps = [str(step) for step in verdict.get("plan") or ()] if verdict else []
        preview = "\n".join(
            steps
            or plan(
                action,
                job,
                build=build if isinstance(build, int) else None,
                target_build=target if isinstance(target, int) else None,
            )
        )
    elif isinstance(server, Mapping) and server.get("text"):
        guard_line = str(server["text"])
    elif isinstance(server, str) and server:  # an approval asked before verdicts were dicts
        guard_line = server
    return ApprovalView(
        kind="approval",
        key=key,
        will_run=str(request.get("will_run") or tool),
        requested_by=str(request.get("requested_by") or "someone"),
        tool=tool or None,
        args=args,
        guard=guard_line,
        preview=preview,
        two_person=two_person,
    )


def request_refusal(role: Role) -> str | None:
    """Why this person may not ask for a change, or None: operators and approvers may."""
    if role < Role.OPERATOR:
        return (
            "You are a viewer here, so you can read but not change anything."
            " Ask an operator or an approver to request it."
        )
    return None


def decision_refusal(
    view: ApprovalView,
    *,
    approve: bool,
    user_actor: str,
    role: Role,
    guard: ActionGuard,
) -> str | None:
    """Why this click may not decide the card, or None when it may."""
    if view.decision is not None:
        verb = "approved" if view.decision.approved else "rejected"
        return f"This was already {verb} by {view.decision.by}."
    own = user_actor.lower() == view.requested_by.lower()
    if not approve:
        if own or role >= Role.APPROVER:
            return None
        return "Only the requester or an approver can reject this."
    if role < Role.APPROVER:
        return f"Approving needs the approver role; you are {role.label}."
    if view.two_person:
        return guard.check_approval(requested_by=view.requested_by, approver=user_actor)
    return None


def action_status(result: Mapping[str, Any]) -> tuple[int | None, str]:
    """The action id a tool result names (if any) and its status."""
    data = result.get("data")
    status = str(result.get("status") or "")
    if not isinstance(data, Mapping):
        return None, status
    action_id = data.get("action_id", data.get("id"))
    return (action_id if isinstance(action_id, int) else None), status
