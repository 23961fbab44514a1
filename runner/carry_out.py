"""Step 2 of an action: the Jenkins calls themselves, recording progress as it comes."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any, Protocol

from backend.services.action_models import ActionPublic
from runner.jenkins import remediation
from runner.jenkins.client import JenkinsClient
from runner.jenkins.errors import JenkinsError


@dataclass(frozen=True)
class ExecutionOptions:
    runner_id: str
    follow_builds: bool = True
    queue_timeout_s: float = 300.0
    build_timeout_s: float = 1800.0
    poll_interval_s: float = 2.0
    lease_s: float = 120.0


@dataclass
class Outcome:
    succeeded: bool
    reason: str
    result: dict[str, Any] = field(default_factory=dict)
    build_result: str | None = None
    fixed: bool = False  # the job is healthy again: open incidents may be resolved


class Progress(Protocol):
    def __call__(self, action_id: int, **fields: Any) -> Awaitable[None]: ...


async def carry_out(
    jenkins: JenkinsClient,
    action: ActionPublic,
    *,
    dry_run: bool,
    options: ExecutionOptions,
    progress: Progress,
) -> Outcome:
    """Do what the action says on Jenkins (nothing for a dry run); Jenkins errors become a failed outcome."""
    steps = JenkinsSteps(jenkins, options, progress)
    if dry_run:
        return Outcome(
            True, "dry run: Jenkins was not called", {"dry_run": True, "would_call": action.plan}
        )
    try:
        if action.action == "stop":
            return await steps.stop(action)
        return await steps.build(action)
    except JenkinsError as error:
        return Outcome(False, str(error), {"error": type(error).__name__})


class JenkinsSteps:
    """Restart, rollback, trigger and stop, each followed to its end when configured."""

    def __init__(
        self, jenkins: JenkinsClient, options: ExecutionOptions, progress: Progress
    ) -> None:
        self.jenkins = jenkins
        self.options = options
        self.progress = progress

    async def stop(self, action: ActionPublic) -> Outcome:
        build = action.build or 0
        await self.jenkins.stop(action.job, build)
        if not self.options.follow_builds:
            return Outcome(
                True, f"asked Jenkins to stop build #{build}", {"stopped_build": build}, fixed=True
            )
        info = await self.jenkins.wait_for_end(
            action.job,
            build,
            timeout_s=self.options.build_timeout_s,
            poll_s=self.options.poll_interval_s,
        )
        return Outcome(
            True,
            f"build #{build} is no longer running (result {info.result})",
            {"stopped_build": build},
            build_result=info.result,
            fixed=True,
        )

    async def build(self, action: ActionPublic) -> Outcome:
        if action.action == "restart":
            triggered = await remediation.restart(self.jenkins, action.job, action.build or 0)
        elif action.action == "rollback":
            triggered = await remediation.rollback(
                self.jenkins, action.job, action.target_build or 0
            )
        else:
            triggered = await remediation.trigger(self.jenkins, action.job, dict(action.parameters))
        await self.progress(action.id, queue_item_url=triggered.queue.url)
        item = await self.jenkins.wait_for_start(
            triggered.queue.queue_id,
            timeout_s=self.options.queue_timeout_s,
            poll_s=self.options.poll_interval_s,
        )
        number = item.build_number or 0
        await self.progress(action.id, new_build_number=number, new_build_url=item.build_url)
        result: dict[str, Any] = {
            "queue_id": triggered.queue.queue_id,
            "new_build": number,
            "parameters": triggered.parameters,
            "source_build": triggered.source_build,
        }
        if not self.options.follow_builds:
            return Outcome(True, f"build #{number} started; its result is not followed", result)
        end = await self.jenkins.wait_for_end(
            action.job,
            number,
            timeout_s=self.options.build_timeout_s,
            poll_s=self.options.poll_interval_s,
        )
        if end.result != "SUCCESS":
            return Outcome(
                False,
                f"the new build #{number} of {action.job!r} ended {end.result}",
                result,
                build_result=end.result,
            )
        return Outcome(
            True,
            f"the new build #{number} of {action.job!r} succeeded",
            result,
            build_result=end.result,
            fixed=True,
        )
