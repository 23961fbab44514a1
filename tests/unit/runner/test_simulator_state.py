"""The simulator's Jenkins model, driven by a fake clock (no HTTP)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.simulator.app import split_job_path
from runner.simulator.config import (
    SimulatorConfigError,
    load_simulator_config,
)
from runner.simulator.state import JenkinsState, SimulatorRequestError
from runner.simulator.tree import apply_tree, parse_tree


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def state(clock: Clock) -> JenkinsState:
    config = load_simulator_config().model_copy(
        update={"build_seconds": 10.0, "queue_seconds": 2.0}
    )
    return JenkinsState(config, clock=clock)


def test_default_set_has_history_folders_and_production_jobs(state: JenkinsState) -> None:
    assert {
        "deploy-prod",
        "api-gateway",
        "nightly-tests",
        "payments-service",
        "team/deploy-staging",
    } <= set(state.jobs)
    assert "team" in state.folders
    assert state.jobs["deploy-prod"].next_build_number == 6
    assert state.jobs["deploy-prod"].builds[3].result == "FAILURE"
    assert state.jobs["deploy-prod"].builds[3].parameters["VERSION"] == "2.13.1"


def test_queue_item_becomes_a_build_that_finishes_after_the_delay(
    state: JenkinsState, clock: Clock
) -> None:
    item = state.enqueue("deploy-prod", {"VERSION": "3.0.0", "UNDECLARED": "x"}, user="alice")
    state.advance()
    assert item.build_number is None  # quiet period
    clock.now += 2.0
    state.advance()
    build = state.jobs["deploy-prod"].builds[item.build_number or 0]
    assert build.number == 6 and build.building
    assert build.parameters == {
        "VERSION": "3.0.0",
        "ENVIRONMENT": "production",
        "SKIP_SMOKE_TESTS": False,
    }
    clock.now += 9.9
    state.advance()
    assert build.building
    clock.now += 0.2
    state.advance()
    assert build.result == "SUCCESS"


def test_identical_waiting_items_are_merged_like_jenkins(state: JenkinsState) -> None:
    first = state.enqueue("api-gateway", {"BRANCH": "main"}, user="a")
    second = state.enqueue("api-gateway", {"BRANCH": "main"}, user="a")
    third = state.enqueue("api-gateway", {"BRANCH": "dev"}, user="a")
    assert first.id == second.id != third.id


def test_results_per_job_and_stop(state: JenkinsState, clock: Clock) -> None:
    state.set_result("FAILURE", job="nightly-tests")
    failing = state.enqueue("nightly-tests", {}, user="a")
    passing = state.enqueue("frontend-build", {}, user="a")
    clock.now += 20
    state.advance()
    assert state.jobs["nightly-tests"].builds[failing.build_number or 0].result == "FAILURE"
    assert state.jobs["frontend-build"].builds[passing.build_number or 0].result == "SUCCESS"
    running = state.enqueue("frontend-build", {}, user="a")
    clock.now += 3
    state.advance()
    assert state.stop("frontend-build", running.build_number or 0).result == "ABORTED"
    assert state.stop("frontend-build", passing.build_number or 0).result == "SUCCESS"


def test_refusals_carry_jenkins_statuses(state: JenkinsState) -> None:
    with pytest.raises(SimulatorRequestError) as missing:
        state.enqueue("no-such-job", {}, user="a")
    assert missing.value.status == 404
    with pytest.raises(SimulatorRequestError) as disabled:
        state.enqueue("legacy-reports", {}, user="a")
    assert disabled.value.status == 409
    with pytest.raises(SimulatorRequestError) as choice:
        state.enqueue("payments-service", {"REGION": "mars-1"}, user="a")
    assert choice.value.status == 400 and "REGION" in choice.value.message


def test_fail_next_counts_down_and_filters_by_method(state: JenkinsState) -> None:
    state.fail_next(2, status=503, method="POST")
    assert state.take_failure("GET") is None
    assert [state.take_failure("POST") for _ in range(3)] == [503, 503, None]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("deploy-prod/api/json", ("deploy-prod", ["api", "json"])),
        ("team/job/deploy-staging/12/consoleText", ("team/deploy-staging", ["12", "consoleText"])),
        ("a/job/b/job/c/", ("a/b/c", [])),
        ("with%20space/build", ("with space", ["build"])),
    ],
)
def test_job_paths_with_folders(path: str, expected: tuple[str, list[str]]) -> None:
    assert split_job_path(path) == expected


def test_tree_keeps_named_fields_and_class_of_bare_objects() -> None:
    data = {
        "_class": "root",
        "jobs": [
            {
                "_class": "folder",
                "name": "team",
                "url": "u",
                "jobs": [{"_class": "job", "name": "x"}],
            },
            {"_class": "job", "name": "y", "url": "v", "color": "blue"},
        ],
        "other": 1,
    }
    assert apply_tree(data, parse_tree("jobs[name,jobs]")) == {
        "_class": "root",
        "jobs": [
            {"_class": "folder", "name": "team", "jobs": [{"_class": "job"}]},
            {"_class": "job", "name": "y"},
        ],
    }
    assert apply_tree(
        {"builds": [{"number": n} for n in range(5)]}, parse_tree("builds[number]{1,3}")
    ) == {"builds": [{"number": 1}, {"number": 2}]}


def test_config_errors_name_the_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "jobs.yaml"
    bad.write_text("jobs:\n  - name: a\n    result: GREEN\n")
    with pytest.raises(SimulatorConfigError, match=r"jobs\.yaml: jobs\.0\.result"):
        load_simulator_config(bad)
    clash = tmp_path / "clash.yaml"
    clash.write_text("jobs:\n  - name: team\n  - name: team/x\n")
    with pytest.raises(SimulatorConfigError, match="both as folder and job: team"):
        load_simulator_config(clash)
