"""Who may ask and who may decide, and what the approval card previews (the runner's guard)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.notifier.events import UnreadableEvent, parse_event
from agent.slack.approvals import decision_refusal, request_refusal, view_for_interrupt
from agent.slack.blocks.approval_card import ApprovalView, Decision
from agent.slack.chatops import mention_text
from agent.slack.roles import Role
from runner.guard import ActionGuard, GuardPolicy

GUARD = ActionGuard(GuardPolicy(cooldown_s=0))
NOON = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def interrupt(tool: str, **args: object) -> dict[str, object]:
    return {
        "tool": tool,
        "args": args,
        "will_run": f"{tool}({args})",
        "requested_by": "slack:U0OPS",
    }


def test_prod_restart_is_two_person_with_a_dry_run_plan() -> None:
    view = view_for_interrupt(
        "k", interrupt("request_jenkins_restart", job="deploy-prod", build=123), GUARD, now=NOON
    )
    assert view.two_person
    assert view.guard is not None and view.guard.startswith("needs_approval")
    assert view.preview is not None and "deploy-prod" in view.preview and "#123" in view.preview


def test_staging_restart_is_not_two_person_and_acks_have_no_plan() -> None:
    staging = view_for_interrupt(
        "k", interrupt("request_jenkins_restart", job="nightly-tests", build=5), GUARD, now=NOON
    )
    assert not staging.two_person and staging.guard is not None
    assert staging.guard.startswith("allow")
    ack = view_for_interrupt("k", interrupt("acknowledge_incident", incident_id=4), GUARD)
    assert ack.preview is None and not ack.two_person


def test_the_servers_verdict_and_plan_win_over_the_local_evaluation() -> None:
    request = {
        **interrupt("request_jenkins_restart", job="nightly-tests", build=5),
        "guard": {
            "decision": "refused",
            "reason": "an action on 'nightly-tests' started 12s ago and the cooldown is 300s",
            "plan": ["GET /job/nightly-tests/5/api/json (read the parameters of build #5)"],
            "text": "Guard: it would be refused now (...)",
        },
    }
    card = view_for_interrupt("k", request, GUARD, now=NOON)
    assert card.guard == (
        "refused: an action on 'nightly-tests' started 12s ago and the cooldown is 300s"
    )
    assert card.preview == "GET /job/nightly-tests/5/api/json (read the parameters of build #5)"
    unchecked = {**request, "guard": {"decision": None, "text": "I could not ask the guard"}}
    fallback = view_for_interrupt("k", unchecked, GUARD, now=NOON)
    assert fallback.guard is not None and fallback.guard.startswith("allow: allowed by policy")


def view(two_person: bool, decision: Decision | None = None) -> ApprovalView:
    return ApprovalView(
        kind="approval",
        key="k",
        will_run="x",
        requested_by="slack:U0OPS",
        two_person=two_person,
        decision=decision,
    )


@pytest.mark.parametrize(
    ("two_person", "approve", "actor", "role", "refused"),
    [
        (True, True, "slack:U0OPS", Role.APPROVER, "two-person rule"),
        (True, True, "slack:U0BOSS", Role.APPROVER, None),
        (False, True, "slack:U0OPS", Role.APPROVER, None),
        (False, True, "slack:U0OPS", Role.OPERATOR, "needs the approver role"),
        (False, True, "slack:U0SEE", Role.VIEWER, "needs the approver role"),
        (True, False, "slack:U0OPS", Role.OPERATOR, None),
        (True, False, "slack:U0BOSS", Role.APPROVER, None),
        (True, False, "slack:U0SEE", Role.OPERATOR, "Only the requester or an approver"),
    ],
)
def test_decision_refusals(
    two_person: bool, approve: bool, actor: str, role: Role, refused: str | None
) -> None:
    reason = decision_refusal(
        view(two_person), approve=approve, user_actor=actor, role=role, guard=GUARD
    )
    if refused is None:
        assert reason is None
    else:
        assert reason is not None and refused in reason


def test_a_decided_card_cannot_be_decided_again() -> None:
    done = view(False, Decision(approved=False, by="slack:U0BOSS"))
    reason = decision_refusal(
        done, approve=True, user_actor="slack:U0X", role=Role.APPROVER, guard=GUARD
    )
    assert reason == "This was already rejected by slack:U0BOSS."


def test_only_operators_and_approvers_may_request() -> None:
    assert request_refusal(Role.VIEWER) is not None
    assert request_refusal(Role.OPERATOR) is None and request_refusal(Role.APPROVER) is None


def test_mention_text_drops_the_bot_mention() -> None:
    assert mention_text("<@UBOT> restart  deploy-prod 123", "UBOT") == "restart deploy-prod 123"


def test_events_are_read_or_refused_clearly() -> None:
    event = parse_event(
        b'{"event_id": "e1", "event_type": "action.started", "action": {"id": 3, "action": "stop",'
        b' "job": "deploy-prod", "build": 9, "status": "running", "incident_id": 5}}',
        message_id=None,
        routing_key="action.started",
    )
    assert event.incident_id == 5 and event.action is not None and event.is_action
    with pytest.raises(UnreadableEvent, match="not JSON"):
        parse_event(b"{", message_id="m", routing_key="incident.detected")
    with pytest.raises(UnreadableEvent, match="no incident id"):
        parse_event(b'{"event_type": "incident.detected"}', message_id="m", routing_key="x")
    with pytest.raises(UnreadableEvent, match="malformed"):
        parse_event(
            b'{"event_type": "action.started", "action": {"id": "x"}}',
            message_id="m",
            routing_key="x",
        )
