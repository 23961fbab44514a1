"""Remediation on Jenkins: restart, rollback, stop, trigger, and the dry-run plan of each.

Restart rebuilds a build with its own parameters, read from the build's
`actions[].parameters`, through `buildWithParameters` (or `build` for a job
without parameters). Rollback starts a new build with the parameters of a
named earlier, successful build.

Limits of this approach, which a person choosing a rollback should know:
- It reproduces the earlier build only as far as the job's parameters
  determine what it builds or deploys (a VERSION, a tag, a commit). A job that
  deploys "whatever is on main" is rebuilt from today's main; such a job
  cannot be rolled back this way, so a rollback to a build without parameters
  is refused rather than silently redeploying the latest.
- The job's current definition (Jenkinsfile, configuration) is used, not the
  one the earlier build ran with, and parameters that no longer exist are
  dropped by Jenkins; new parameters take their defaults.
- Password parameters are never returned by Jenkins, so they take defaults.
- The original design used Pipeline's `/replay`, which re-runs the earlier
  build's script but is a form-driven UI endpoint of Pipeline jobs only, not
  a stable REST API; it is not used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from runner.jenkins.client import JenkinsClient
from runner.jenkins.errors import JenkinsRequestError
from runner.jenkins.models import BuildInfo, ParameterValue, QueueRef
from runner.jenkins.paths import build_path, job_path

ActionKind = Literal["restart", "rollback", "stop", "trigger"]


@dataclass(frozen=True)
class Triggered:
    """A build request Jenkins accepted, with the parameters it was given and why."""

    queue: QueueRef
    parameters: dict[str, ParameterValue] = field(default_factory=dict)
    source_build: int | None = None


async def restart(jenkins: JenkinsClient, job: str, build: int) -> Triggered:
    """Rebuild `job` #`build` with the parameters it ran with."""
    source = await jenkins.get_build(job, build)
    queue = await jenkins.trigger(job, source.parameters or None)
    return Triggered(queue=queue, parameters=dict(source.parameters), source_build=build)


async def rollback(jenkins: JenkinsClient, job: str, target_build: int) -> Triggered:
    """Start a new build of `job` with the parameters of its earlier successful #`target_build`."""
    target = await jenkins.get_build(job, target_build)
    refuse_rollback_target(target)
    queue = await jenkins.trigger(job, target.parameters)
    return Triggered(queue=queue, parameters=dict(target.parameters), source_build=target_build)


def refuse_rollback_target(target: BuildInfo) -> None:
    """Raise when a build cannot be rolled back to (see the module's limits)."""
    where = f"build #{target.number} of {target.job!r}"
    if target.building:
        raise JenkinsRequestError(
            f"{where} is still running; a rollback must target a finished, successful build"
        )
    if target.result != "SUCCESS":
        raise JenkinsRequestError(
            f"{where} ended {target.result}; a rollback must target a successful build"
        )
    if not target.parameters:
        raise JenkinsRequestError(
            f"{where} has no parameters, so a new build would not reproduce it; "
            "rollback needs a job parameterized by what it deploys (e.g. VERSION)"
        )


async def trigger(
    jenkins: JenkinsClient, job: str, parameters: dict[str, ParameterValue]
) -> Triggered:
    queue = await jenkins.trigger(job, parameters or None)
    return Triggered(queue=queue, parameters=dict(parameters))


def plan(
    action: ActionKind,
    job: str,
    *,
    build: int | None = None,
    target_build: int | None = None,
    parameters: dict[str, ParameterValue] | None = None,
) -> list[str]:
    """The Jenkins calls an action would make, in order, for a dry run or an approval request."""
    if action == "stop":
        return [f"POST {build_path(job, build or 0)}/stop (abort build #{build})"]
    follow = (
        "GET /queue/item/<id>/api/json until the new build starts, then its /api/json until it ends"
    )
    if action == "trigger":
        shown = ", ".join(f"{k}={v}" for k, v in (parameters or {}).items()) or "the job's defaults"
        return [f"POST {job_path(job)}/buildWithParameters or /build with {shown}", follow]
    source = build if action == "restart" else target_build
    read = f"GET {build_path(job, source or 0)}/api/json (read the parameters of build #{source})"
    if action == "rollback":
        read += " and check it succeeded"
    return [
        read,
        f"POST {job_path(job)}/buildWithParameters with those parameters (or /build if none)",
        follow,
    ]
