"""Block Kit builders: what the incident and approval cards show, and which buttons they carry."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from agent.slack.blocks.approval_card import (
    ApprovalView,
    Decision,
    approval_card,
    parse_button_value,
)
from agent.slack.blocks.incident_card import incident_card
from agent.slack.blocks.text import duration, excerpt, who
from agent.slack.views import ActionSnapshot
from backend.services.incident_models import IncidentPublic

DETECTED = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def incident(**changes: Any) -> IncidentPublic:
    base: dict[str, Any] = {
        "id": 42,
        "rule": "jenkins_build_failure",
        "severity": "high",
        "status": "notified",
        "fingerprint": "jenkins_build_failure:deploy-prod",
        "source": "jenkins",
        "title": "Build of deploy-prod failed",
        "message": "ERROR: step failed <!here> " + "x" * 2000,
        "job_name": "deploy-prod",
        "build_number": 123,
        "runbook_url": "https://runbooks.example.com/build-failure",
        "occurrences": 3,
        "first_seen": DETECTED,
        "last_seen": DETECTED,
        "detected_at": DETECTED,
    }
    return IncidentPublic.model_validate({**base, **changes})


def texts(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks)


def buttons(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_open_incident_card_shows_the_facts_and_all_buttons() -> None:
    text, blocks = incident_card(incident())
    shown = texts(blocks)
    assert text.startswith("HIGH incident #42")
    for fact in ("HIGH", "jenkins_build_failure", "deploy-prod", "#123", "Occurrences", "Runbook"):
        assert fact in shown
    assert "<!here>" not in shown and "&lt;!here&gt;" in shown
    assert len(shown) < 6000  # the excerpt is bounded
    assert buttons(blocks) == [
        "incident_acknowledge",
        "incident_resolve",
        "incident_restart",
        "incident_rollback",
    ]


def test_api_incident_has_no_jenkins_buttons() -> None:
    _, blocks = incident_card(
        incident(source="api", job_name=None, build_number=None, endpoint="/api/pay")
    )
    assert "/api/pay" in texts(blocks)
    assert buttons(blocks) == ["incident_acknowledge", "incident_resolve"]


def test_acknowledged_then_resolved_card() -> None:
    acked = incident(
        status="acknowledged",
        acknowledged_at=DETECTED + timedelta(minutes=2),
        acknowledged_by="slack:U0ALICE",
    )
    _, blocks = incident_card(acked)
    assert "<@U0ALICE>" in texts(blocks) and "MTTA 2m 0s" in texts(blocks)
    assert "incident_acknowledge" not in buttons(blocks)
    resolved = incident(
        status="resolved",
        resolved_at=DETECTED + timedelta(minutes=14, seconds=5),
        resolved_by="runner",
        resolution_method="auto_remediation",
    )
    text, blocks = incident_card(resolved)
    assert "MTTR 14m 5s" in text and "auto_remediation" in texts(blocks)
    assert buttons(blocks) == []


def test_a_running_action_hides_restart_and_rollback() -> None:
    running = ActionSnapshot.model_validate(
        {"id": 7, "action": "restart", "job": "deploy-prod", "build": 123, "status": "running"}
    )
    _, blocks = incident_card(incident(), action=running)
    assert "Action #7 restart deploy-prod #123" in texts(blocks)
    assert buttons(blocks) == ["incident_acknowledge", "incident_resolve"]


def test_approval_card_until_and_after_a_decision() -> None:
    view = ApprovalView(
        kind="approval",
        key="slack:C1:1.2",
        will_run="request_jenkins_restart(job='deploy-prod', build=123)",
        requested_by="slack:U0OPS",
        guard="needs_approval: job 'deploy-prod' matches the production pattern '*prod*'",
        preview="GET /job/deploy-prod/123/api/json",
        two_person=True,
    )
    _, blocks = approval_card(view)
    assert buttons(blocks) == ["approval_approve", "approval_reject"]
    assert "Two-person rule" in texts(blocks) and "/job/deploy-prod/123" in texts(blocks)
    value = blocks[-1]["elements"][0]["value"]
    assert parse_button_value(value) == ("approval", "slack:C1:1.2")
    decided = view.model_copy(update={"decision": Decision(approved=True, by="slack:U0BOSS")})
    text, blocks = approval_card(decided)
    assert buttons(blocks) == []
    assert "Approved* by <@U0BOSS>" in texts(blocks) and "approved by slack:U0BOSS" in text


def test_text_helpers() -> None:
    assert [duration(s) for s in (None, 9, 252, 7500, 90000)] == [
        "n/a",
        "9s",
        "4m 12s",
        "2h 5m",
        "1d 1h",
    ]
    assert who("slack:U0ABC") == "<@U0ABC>" and who("runner") == "runner" and who(None) == "someone"
    assert excerpt("a ``` b <x>", 100) == "a ˋˋˋ b &lt;x&gt;"
    assert excerpt("y" * 50, 10) == "y" * 9 + "…"
