from __future__ import annotations

import pytest

from backend.up_plan import UpSettings, plan_services


@pytest.fixture
def bare(monkeypatch: pytest.MonkeyPatch) -> UpSettings:
    monkeypatch.chdir("/")
    for var in (
        "API_TOKEN",
        "JENKINS_URL",
        "ES_URL",
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SLACK_SIGNING_SECRET",
        "LLM_PROVIDER",
    ):
        monkeypatch.delenv(var, raising=False)
    return UpSettings()


def names(plan: object) -> list[str]:
    return [s.name for s in plan.services]  # type: ignore[attr-defined]


def test_nothing_configured_starts_embedded_defaults_and_says_so(bare: UpSettings) -> None:
    plan = plan_services(bare, ollama_reachable=False)
    assert names(plan) == ["api", "relay", "jenkins-simulator", "runner", "model"]
    assert plan.env["JENKINS_URL"] == "http://127.0.0.1:8081"
    assert plan.env["LLM_PROVIDER"] == "openai"
    assert len(plan.env["API_TOKEN"]) >= 16
    said = "\n".join(plan.announcements)
    for fragment in (
        "SIMULATOR",
        "ES_URL not set",
        "Ollama not reachable",
        "SLACK_BOT_TOKEN not set",
    ):
        assert fragment in said


def test_real_services_configured_start_no_stand_ins(
    bare: UpSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_TOKEN", "a-real-token-of-some-length")
    monkeypatch.setenv("JENKINS_URL", "https://jenkins.example.internal")
    monkeypatch.setenv("ES_URL", "http://es:9200")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    plan = plan_services(UpSettings(), ollama_reachable=True)
    assert names(plan) == [
        "api",
        "relay",
        "runner",
        "ingest-publisher",
        "ingest-consumer",
        "notifier",
        "slack",
    ]
    assert "API_TOKEN" not in plan.env and "JENKINS_URL" not in plan.env
    assert plan.announcements == []
