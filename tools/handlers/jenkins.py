"""Jenkins read tools over the runner's Jenkins client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from runner.jenkins.errors import JenkinsAuthError, JenkinsTimeout, JenkinsUnavailable
from tools.context import JenkinsReader, ToolServices
from tools.errors import ToolUnavailable
from tools.models import jenkins as jm


@asynccontextmanager
async def _jenkins(services: ToolServices) -> AsyncIterator[JenkinsReader]:
    """The client, with Jenkins being down (not a bad argument) reported as unavailable."""
    if services.jenkins is None:
        raise ToolUnavailable("Jenkins is not configured for this server")
    try:
        yield services.jenkins
    except (JenkinsUnavailable, JenkinsTimeout, JenkinsAuthError) as error:
        raise ToolUnavailable(f"Jenkins cannot be reached: {error}") from error


async def list_jenkins_jobs(
    services: ToolServices, args: jm.ListJenkinsJobsInput, _actor: str
) -> jm.JenkinsJobsResult:
    """Jobs, optionally those whose name contains `query`."""
    async with _jenkins(services) as jenkins:
        found = await jenkins.list_jobs(args.query)
    jobs = [jm.JenkinsJob.model_validate(job, from_attributes=True) for job in found]
    data = jm.JenkinsJobList(jobs=jobs, count=len(jobs))
    matching = f" matching {args.query!r}" if args.query else ""
    if not jobs:
        return jm.JenkinsJobsResult(
            status="no_data", summary=f"No Jenkins jobs{matching}.", data=data
        )
    names = ", ".join(f"{job.full_name} ({job.state})" for job in jobs[:5])
    more = f" and {len(jobs) - 5} more" if len(jobs) > 5 else ""
    return jm.JenkinsJobsResult(
        status="ok", summary=f"{len(jobs)} Jenkins jobs{matching}: {names}{more}.", data=data
    )


async def get_build_status(
    services: ToolServices, args: jm.GetBuildStatusInput, _actor: str
) -> jm.BuildStatusResult:
    """One build: running or its result."""
    async with _jenkins(services) as jenkins:
        build = await jenkins.get_build(args.job, args.build)
    data = jm.BuildStatus.model_validate(build, from_attributes=True)
    state = "still running" if data.building else f"finished: {data.result or 'no result'}"
    return jm.BuildStatusResult(
        status="ok", summary=f"{data.job} #{data.number} is {state}.", data=data
    )
