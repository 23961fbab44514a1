"""The Jenkins client against the simulator: folders, crumbs, retries, errors, remediation."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator

import pytest
from pydantic import SecretStr

from runner.jenkins import remediation
from runner.jenkins.client import JenkinsClient
from runner.jenkins.errors import (
    BuildNotFound,
    JenkinsAuthError,
    JenkinsRequestError,
    JenkinsUnavailable,
    JobNotFound,
)
from runner.simulator.server import SimulatorServer
from tests.integration.runner.simulator_fixtures import (
    client_for,
    jenkins_settings,
    start_simulator,
)


@pytest.fixture
def simulator() -> Iterator[SimulatorServer]:
    server = start_simulator(build_seconds=0.0)
    yield server
    server.stop()


@pytest.fixture
async def jenkins(simulator: SimulatorServer) -> AsyncIterator[JenkinsClient]:
    async with client_for(simulator) as client:
        yield client


async def test_lists_jobs_recursing_into_folders_deeper_than_one_request() -> None:
    jobs = [{"name": "a/b/c/d/e/deep-job"}, {"name": "top"}, {"name": "team/deploy-prod"}]
    server = start_simulator(jobs=jobs)
    try:
        async with client_for(server) as client:
            listed = await client.list_jobs()
            assert [job.full_name for job in listed] == [
                "a/b/c/d/e/deep-job",
                "team/deploy-prod",
                "top",
            ]
            assert [job.full_name for job in await client.list_jobs("PROD")] == ["team/deploy-prod"]
    finally:
        server.stop()


async def test_reads_jobs_builds_and_console(jenkins: JenkinsClient) -> None:
    job = await jenkins.get_job("deploy-prod")
    assert (job.last_build, job.next_build_number, job.buildable) == (5, 6, True)
    assert [p.name for p in job.parameters] == ["VERSION", "ENVIRONMENT", "SKIP_SMOKE_TESTS"]
    assert job.parameters[1].type == "Choice" and job.parameters[1].choices == ["production"]
    build = await jenkins.get_build("deploy-prod", 3)
    assert (build.result, build.building, build.parameters["VERSION"]) == (
        "FAILURE",
        False,
        "2.13.1",
    )
    assert build.duration_s == 127.0 and build.started_at is not None
    tail = await jenkins.console_tail("deploy-prod", 3, lines=2)
    assert tail == ["ERROR: script returned exit code 1", "Finished: FAILURE"]
    health = await jenkins.health()
    assert health.ok and health.simulator and health.version == "2.462.3"


async def test_missing_job_and_build_are_named(jenkins: JenkinsClient) -> None:
    with pytest.raises(JobNotFound, match="'no-such-job' does not exist"):
        await jenkins.get_job("no-such-job")
    with pytest.raises(
        BuildNotFound, match="build #999 of Jenkins job 'deploy-prod' does not exist"
    ):
        await jenkins.get_build("deploy-prod", 999)
    with pytest.raises(JobNotFound, match="'team/nope'"):
        await jenkins.console_tail("team/nope", 1)
    with pytest.raises(JobNotFound):
        await remediation.restart(jenkins, "ghost", 1)


async def test_crumb_is_fetched_once_and_refetched_when_jenkins_rejects_it(
    simulator: SimulatorServer, jenkins: JenkinsClient
) -> None:
    await jenkins.trigger("nightly-tests")
    await jenkins.trigger("frontend-build")
    assert simulator.state.call_count(path_contains="crumbIssuer") == 1
    simulator.state.rotate_crumb()
    queued = await jenkins.trigger("nightly-tests")
    assert queued.queue_id > 0
    assert simulator.state.call_count(path_contains="crumbIssuer") == 2


async def test_no_crumb_needed_when_csrf_is_off() -> None:
    server = start_simulator(csrf=False, build_seconds=0.0)
    try:
        async with client_for(server) as client:
            await client.trigger("nightly-tests")
        assert server.state.call_count(method="POST") == 1
    finally:
        server.stop()


async def test_restart_rebuilds_with_the_builds_own_parameters(
    simulator: SimulatorServer, jenkins: JenkinsClient
) -> None:
    triggered = await remediation.restart(jenkins, "payments-service", 3)
    item = await jenkins.wait_for_start(triggered.queue.queue_id, timeout_s=5, poll_s=0.01)
    new = await jenkins.wait_for_end(
        "payments-service", item.build_number or 0, timeout_s=5, poll_s=0.01
    )
    assert new.number == 4 and new.result == "SUCCESS"
    assert new.parameters == {"VERSION": "5.2.1", "REGION": "us-east-1"}


async def test_rollback_uses_the_target_parameters_and_refuses_bad_targets(
    jenkins: JenkinsClient,
) -> None:
    triggered = await remediation.rollback(jenkins, "deploy-prod", 2)
    item = await jenkins.wait_for_start(triggered.queue.queue_id, timeout_s=5, poll_s=0.01)
    new = await jenkins.get_build("deploy-prod", item.build_number or 0)
    assert new.parameters["VERSION"] == "2.13.0"
    with pytest.raises(
        JenkinsRequestError, match="ended FAILURE; a rollback must target a successful build"
    ):
        await remediation.rollback(jenkins, "deploy-prod", 3)
    with pytest.raises(JenkinsRequestError, match="has no parameters"):
        await remediation.rollback(jenkins, "nightly-tests", 1)


async def test_stop_aborts_a_running_build() -> None:
    server = start_simulator(build_seconds=60.0)
    try:
        async with client_for(server) as client:
            queued = await client.trigger("api-gateway", {"BRANCH": "main", "DEPLOY": False})
            item = await client.wait_for_start(queued.queue_id, timeout_s=5, poll_s=0.01)
            await client.stop("api-gateway", item.build_number or 0)
            stopped = await client.get_build("api-gateway", item.build_number or 0)
            assert (stopped.building, stopped.result) == (False, "ABORTED")
            assert stopped.parameters == {"BRANCH": "main", "DEPLOY": False}
    finally:
        server.stop()


async def test_500_then_201_is_retried(simulator: SimulatorServer, jenkins: JenkinsClient) -> None:
    simulator.state.fail_next(1, status=500, method="POST")
    queued = await jenkins.trigger("nightly-tests")
    assert queued.queue_id > 0
    assert simulator.state.call_count(method="POST", path_contains="/build") == 2


async def test_persistent_5xx_gives_up_after_the_retries(simulator: SimulatorServer) -> None:
    simulator.state.fail_next(100, status=503)
    async with client_for(simulator, jenkins_retries=2) as client:
        with pytest.raises(
            JenkinsUnavailable,
            match="answered 503 to GET /job/deploy-prod/api/json after 3 attempts",
        ):
            await client.get_job("deploy-prod")
    assert simulator.state.call_count() == 3


async def test_auth_errors_say_what_to_check(simulator: SimulatorServer) -> None:
    async with client_for(simulator, jenkins_api_token=SecretStr("wrong-token-123456")) as client:
        with pytest.raises(
            JenkinsAuthError, match="refused the credentials of user 'runbooks' \\(401\\)"
        ):
            await client.get_job("deploy-prod")
        assert not (await client.health()).ok
    async with client_for(simulator, jenkins_user=None, jenkins_api_token=None) as client:
        with pytest.raises(JenkinsAuthError, match="anonymous access") as refused:
            await client.list_jobs()
        assert refused.value.status == 403


async def test_unreachable_jenkins_is_reported_not_hung() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with JenkinsClient.from_settings(
        jenkins_settings(f"http://127.0.0.1:{port}", jenkins_retries=1)
    ) as client:
        with pytest.raises(JenkinsUnavailable, match="cannot reach Jenkins"):
            await client.get_job("deploy-prod")
        health = await client.health()
        assert not health.ok and health.error is not None
