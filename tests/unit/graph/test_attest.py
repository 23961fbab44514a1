"""Arguments checked against the person's words: guesses dropped, plain values applied."""

from __future__ import annotations

from typing import Any

from evals.backend import catalogue_specs
from graph.attest import attest_args, jobs_in

JOBS = ["deploy-prod", "team/deploy-prod", "api-gateway", "data/etl.daily", "web.frontend"]
SPECS = {spec.name: spec for spec in catalogue_specs()}


def _attest(tool: str, args: dict[str, Any], message: str, context: str = "") -> dict[str, Any]:
    return attest_args(SPECS[tool], args, message=message, context=context, jobs=JOBS)


def test_optional_guesses_the_request_does_not_support_are_dropped() -> None:
    guessed = {"job": "deploy-prod", "level": "INFO", "query": ".*", "since": "now", "limit": 5}
    assert _attest("read_jenkins_logs", guessed, "show me the logs of deploy-prod") == {
        "job": "deploy-prod"
    }


def test_placeholder_jobs_are_dropped_and_written_jobs_win() -> None:
    assert _attest(
        "read_jenkins_logs", {"job": "your-job-name", "query": "NullPointerException"},
        "search the jenkins logs for NullPointerException",
    ) == {"query": "NullPointerException"}  # fmt: skip
    assert _attest(
        "request_jenkins_restart", {"job": "deploy-prod", "build": 44},
        "please retry team/deploy-prod build 44",
    ) == {"job": "team/deploy-prod", "build": 44}  # fmt: skip


def test_values_stated_plainly_replace_the_models() -> None:
    assert _attest(
        "read_api_logs", {"status": "POST", "method": "GET"}, "show the POST requests"
    ) == {"method": "POST"}
    assert _attest(
        "read_api_logs", {"status": "5xx", "query": "last 30 minutes", "since": "now"},
        "any 5xx errors on the API in the last 30 minutes?",
    ) == {"status": "5xx", "since": "30m"}  # fmt: skip
    assert _attest("get_incidents_stats", {"hours": 7}, "MTTR over the last 7 days") == {
        "hours": 168
    }
    assert _attest(
        "request_jenkins_restart", {"job": "api-gateway", "build": 123},
        "reinicia el build cincuenta y ocho de api-gateway",
    ) == {"job": "api-gateway", "build": 58}  # fmt: skip
    assert _attest(
        "resolve_incident", {"incident_id": 543},
        "ya no hay 503 en pagos, resuelve el incidente cuarenta y tres",
    ) == {"incident_id": 43}  # fmt: skip


def test_values_from_the_conversation_are_kept_but_never_invented() -> None:
    context = "user: show me the logs of api-gateway\nassistant: 3 lines"
    assert _attest("read_jenkins_logs", {"job": "api-gateway"}, "only errors", context) == {
        "job": "api-gateway",
        "level": "ERROR",
    }
    # Values the conversation has are kept; values it has not (copied from the worked
    # examples) are dropped, so grounding takes them from the focus or asks.
    guessed = {"job": "deploy-prod", "build": 7}
    assert _attest("request_jenkins_restart", guessed, "restart it") == {}
    earlier = "user: did deploy-prod #7 pass?\nassistant: deploy-prod #7 is FAILURE."
    assert _attest("request_jenkins_restart", guessed, "restart it", earlier) == guessed
    assert _attest(
        "request_jenkins_stop", {"job": "deploy-prod", "build": 45}, "detenlo",
        "user: is team/deploy-prod #45 still running?",
    ) == {"job": "team/deploy-prod", "build": 45}  # fmt: skip


def test_job_names_are_found_whole() -> None:
    assert jobs_in("stop team/deploy-prod #45", JOBS) == ["team/deploy-prod"]
    assert jobs_in("logs of data/etl.daily.", JOBS) == ["data/etl.daily"]
    assert jobs_in("what about deploy-production?", JOBS) == []
