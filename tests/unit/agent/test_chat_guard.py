"""The terminal approval panel shows the guard's verdict and the Jenkins calls."""

from __future__ import annotations

import io

from rich.console import Console

from agent.chat import approval_panel


def _rendered(approval: dict[str, object]) -> str:
    out = io.StringIO()
    Console(file=out, width=160, color_system=None).print(approval_panel(approval))
    return out.getvalue()


def test_the_panel_shows_the_verdict_line_and_each_jenkins_call() -> None:
    text = _rendered(
        {
            "tool": "request_jenkins_stop",
            "args": {"job": "deploy-prod", "build": 5},
            "will_run": "request_jenkins_stop(job='deploy-prod', build=5)",
            "guard": {
                "decision": "needs_approval",
                "reason": "'stop' is a high-risk action",
                "plan": ["POST /job/deploy-prod/5/stop (abort build #5)"],
                "text": "Guard: after you confirm, it will wait for an approver ('stop' is a high-risk action).",
            },
        }
    )
    assert "Guard: after you confirm, it will wait for an approver" in text
    assert "jenkins" in text and "POST /job/deploy-prod/5/stop (abort build #5)" in text


def test_a_panel_asked_before_verdicts_were_dicts_still_shows_its_note() -> None:
    text = _rendered({"tool": "resolve_incident", "args": {}, "will_run": "x", "guard": "old note"})
    assert "old note" in text
    assert "jenkins" not in text
