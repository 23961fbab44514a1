"""Pure parts of the runner: message parsing, dry-run plans, Jenkins paths, form values."""

from __future__ import annotations

import pytest

from runner.consumer import UnreadableRequest, parse_message
from runner.jenkins.client import form_values, jobs_tree
from runner.jenkins.models import parameters_of, state_from_color
from runner.jenkins.paths import InvalidJobName, job_path, queue_id_from_location
from runner.jenkins.remediation import plan


def test_message_id_comes_from_amqp_else_from_the_envelope() -> None:
    body = b'{"event_id": "e-1", "event_type": "action.requested", "action": {"id": 7}}'
    assert parse_message(body, message_id="m-1", routing_key="action.requested").message_id == "m-1"
    parsed = parse_message(body, message_id=None, routing_key="x")
    assert (parsed.message_id, parsed.action_id, parsed.event_type) == (
        "e-1",
        7,
        "action.requested",
    )


@pytest.mark.parametrize("body", [b"not json", b"{}", b'{"action": {"id": "x"}}', b"[]"])
def test_unreadable_messages_are_refused(body: bytes) -> None:
    with pytest.raises(UnreadableRequest):
        parse_message(body, message_id="m", routing_key="action.requested")


@pytest.mark.parametrize(
    ("job", "path"),
    [
        ("deploy-prod", "/job/deploy-prod"),
        ("team/deploy-prod", "/job/team/job/deploy-prod"),
        ("a/b/c", "/job/a/job/b/job/c"),
        ("with space/x#y", "/job/with%20space/job/x%23y"),
    ],
)
def test_job_paths(job: str, path: str) -> None:
    assert job_path(job) == path


@pytest.mark.parametrize("job", ["", "/", "team//x", "team/ "])
def test_invalid_job_names(job: str) -> None:
    with pytest.raises(InvalidJobName):
        job_path(job)


def test_queue_location_and_form_values() -> None:
    assert queue_id_from_location("http://jenkins/queue/item/25/") == 25
    assert queue_id_from_location("http://jenkins/job/x/") is None
    assert form_values({"A": True, "B": False, "C": None, "D": 3}) == {
        "A": "true",
        "B": "false",
        "C": "",
        "D": "3",
    }
    assert jobs_tree(2) == "jobs[name,url,color,jobs[name,url,color,jobs]]"


def test_build_parameters_and_colors() -> None:
    actions = [
        {"_class": "x", "parameters": [{"name": "V", "value": "1"}, {"name": "B", "value": False}]},
        {},
        {"causes": []},
    ]
    assert parameters_of(actions) == {"V": "1", "B": False}
    assert [state_from_color(c) for c in ("blue", "red_anime", "disabled", None, "weird")] == [
        "success",
        "building",
        "disabled",
        "unknown",
        "unknown",
    ]


def test_dry_run_plans_name_the_calls() -> None:
    assert plan("stop", "team/deploy-prod", build=12) == [
        "POST /job/team/job/deploy-prod/12/stop (abort build #12)"
    ]
    restart = plan("restart", "api-gateway", build=3)
    assert restart[0] == "GET /job/api-gateway/3/api/json (read the parameters of build #3)"
    assert "and check it succeeded" in plan("rollback", "deploy-prod", target_build=2)[0]
    assert "VERSION=1" in plan("trigger", "x", parameters={"VERSION": "1"})[0]
