"""The simulator driven by python-jenkins, the reference client: a check that it is faithful."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import jenkins
import pytest
import requests

from runner.simulator.auth import Credentials
from runner.simulator.config import load_simulator_config
from runner.simulator.server import SimulatorServer
from runner.simulator.state import JenkinsState

T = TypeVar("T")
USER, TOKEN = "alice", "api-token-0123456789"


@pytest.fixture
def simulator() -> Iterator[SimulatorServer]:
    config = load_simulator_config().model_copy(update={"build_seconds": 30.0})
    with SimulatorServer(JenkinsState(config), Credentials(USER, TOKEN)) as server:
        yield server


def wait_for(predicate: Callable[[], T | None], timeout_s: float = 5.0) -> T:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not met before the deadline")


def test_python_jenkins_reads_jobs_folders_and_builds(simulator: SimulatorServer) -> None:
    server = jenkins.Jenkins(simulator.url, username=USER, password=TOKEN)
    assert server.get_whoami()["id"] == USER
    names = {job["fullname"] for job in server.get_all_jobs()}
    assert {"deploy-prod", "nightly-tests", "team", "team/deploy-staging"} <= names
    top = {job["name"] for job in server.get_jobs()}
    assert "deploy-staging" not in top and "team" in top

    info = server.get_job_info("team/deploy-staging")
    assert info["fullName"] == "team/deploy-staging"
    assert info["nextBuildNumber"] == 3 and info["lastBuild"]["number"] == 2
    assert info["property"][0]["parameterDefinitions"][0]["name"] == "VERSION"

    build = server.get_build_info("deploy-prod", 3)
    assert (build["number"], build["building"], build["result"]) == (3, False, "FAILURE")
    assert build["url"].endswith("/job/deploy-prod/3/")
    assert isinstance(build["timestamp"], int) and build["duration"] == 127_000
    params = {p["name"]: p["value"] for p in build["actions"][0]["parameters"]}
    assert params["VERSION"] == "2.13.1"
    assert "Finished: FAILURE" in server.get_build_console_output("deploy-prod", 3)


def test_python_jenkins_builds_with_parameters_follows_the_queue_and_stops(
    simulator: SimulatorServer,
) -> None:
    server = jenkins.Jenkins(simulator.url, username=USER, password=TOKEN)
    queue_id = server.build_job("team/deploy-staging", {"VERSION": "1.9.0"})

    def started() -> dict[str, Any] | None:
        item: dict[str, Any] = server.get_queue_item(queue_id)
        return item if item.get("executable") else None

    item = wait_for(started)
    number = item["executable"]["number"]
    assert number == 3
    running = server.get_build_info("team/deploy-staging", number)
    assert running["building"] is True and running["result"] is None
    assert running["actions"][0]["parameters"] == [
        {"_class": "hudson.model.StringParameterValue", "name": "VERSION", "value": "1.9.0"}
    ]
    server.stop_build("team/deploy-staging", number)
    stopped = server.get_build_info("team/deploy-staging", number)
    assert (stopped["building"], stopped["result"]) == (False, "ABORTED")
    assert simulator.state.call_count(method="POST", path_contains="/stop") == 1


def test_auth_crumbs_and_labels_as_jenkins_answers(simulator: SimulatorServer) -> None:
    anonymous = requests.get(f"{simulator.url}/api/json", timeout=5)
    assert anonymous.status_code == 403
    assert (
        anonymous.headers["X-Jenkins-Simulator"] == "mcp-runbooks"
        and "X-Jenkins" in anonymous.headers
    )
    wrong = requests.get(f"{simulator.url}/api/json", auth=(USER, "wrong"), timeout=5)
    assert wrong.status_code == 401
    no_crumb = requests.post(
        f"{simulator.url}/job/nightly-tests/build", auth=(USER, TOKEN), timeout=5
    )
    assert (
        no_crumb.status_code == 403
        and "No valid crumb was included in the request" in no_crumb.text
    )
    missing = jenkins.Jenkins(simulator.url, username=USER, password=TOKEN)
    with pytest.raises(jenkins.JenkinsException, match=r"job\[no-such-job\] does not exist"):
        missing.get_job_info("no-such-job")
    assert simulator.state.call_count() == 5  # 3 above, then python-jenkins: crumb + job lookup
