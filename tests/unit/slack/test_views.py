"""Action snapshots from events, and what the cards say about them."""

from __future__ import annotations

from agent.notifier.service import latest_action
from agent.slack.views import ActionSnapshot

EVENT_ACTION = {
    "id": 7,
    "action": "restart",
    "job": "deploy-prod",
    "build": 123,
    "status": "succeeded",
    "requested_by": "slack:U1",
    "new_build_number": 124,
    "new_build_url": "http://jenkins/job/deploy-prod/124/",
    "build_result": "SUCCESS",
    "plan": ["GET ..."],
}


def test_snapshot_reads_the_event_payload_and_its_own_dump() -> None:
    snapshot = ActionSnapshot.from_payload({"action": EVENT_ACTION})
    assert snapshot is not None
    assert (snapshot.action_type, snapshot.job_name, snapshot.build_number) == (
        "restart",
        "deploy-prod",
        123,
    )
    assert ActionSnapshot.model_validate(snapshot.model_dump(mode="json")) == snapshot
    line = snapshot.status_line()
    assert "Action #7 restart deploy-prod #123" in line and "*succeeded*" in line
    assert "<http://jenkins/job/deploy-prod/124/|#124>" in line and "SUCCESS" in line


def test_rollback_title_names_the_target() -> None:
    snapshot = ActionSnapshot.model_validate(
        {"id": 3, "action": "rollback", "job": "api<gw>", "target_build": 57, "status": "running"}
    )
    assert snapshot.title() == "rollback api&lt;gw&gt; to #57"
    assert not snapshot.terminal


def test_a_late_event_never_turns_a_finished_action_back() -> None:
    done = ActionSnapshot.model_validate(EVENT_ACTION)
    late = done.model_copy(update={"status": "running"})
    assert latest_action(done, late) is done
    assert latest_action(late, done) is done
    other = late.model_copy(update={"id": 8})
    assert latest_action(done, other) is other
