"""`runbooks demo`: a failed deploy, found, fixed through the agent, resolved, against a running system.

Each step prints one timeline line; a step that does not happen in time stops the
demo with a non-zero exit, naming the step.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from pydantic import Field
from rich.console import Console

from agent.conversation import Conversations, Turn
from agent.runtime import open_agent
from agent.settings import AgentSettings
from runner.jenkins.client import JenkinsClient
from runner.jenkins.errors import JenkinsError
from runner.settings import JenkinsSettings

T = TypeVar("T")

console = Console(highlight=False, soft_wrap=True)


class DemoSettings(AgentSettings):
    """Where the running system and its Jenkins are; who plays the operator and the approver."""

    api_url: str = "http://127.0.0.1:3001"
    demo_job: str = Field(default="deploy-prod", min_length=1)
    demo_operator: str = "demo:operator"
    demo_approver: str = "demo:approver"
    demo_step_timeout_s: float = Field(default=120.0, gt=0)


class DemoFailed(RuntimeError):
    """A step of the scenario did not happen."""


class Timeline:
    """Prints `+12.3s  step  detail` lines."""

    def __init__(self) -> None:
        self._started = time.monotonic()

    def step(self, title: str, detail: str = "") -> None:
        elapsed = time.monotonic() - self._started
        console.print(f"[dim]+{elapsed:6.1f}s[/dim]  [bold]{title}[/bold]  {detail}")


async def _until(
    what: str, probe: Callable[[], Awaitable[T | None]], *, timeout_s: float, every_s: float = 0.5
) -> T:
    deadline = time.monotonic() + timeout_s
    while True:
        found = await probe()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise DemoFailed(f"{what}: did not happen within {timeout_s:.0f}s")
        await asyncio.sleep(every_s)


def _failed_deploy_logs(job: str, build: int, run_id: str) -> list[dict[str, Any]]:
    now = datetime.now(UTC).isoformat()
    lines = [
        ("INFO", "[Pipeline] stage (Deploy)"),
        ("INFO", "+ kubectl rollout status deployment/storefront --timeout=120s"),
        (
            "ERROR",
            'error: deployment "storefront" exceeded its progress deadline;'
            " deployment to production failed",
        ),
    ]
    return [
        {
            "@timestamp": now,
            "level": level,
            "message": message,
            "job_name": job,
            "build_number": build,
            "details": {"demo_run": run_id},
            "_index": "demo",
            "_id": f"{run_id}-{i}",
        }
        for i, (level, message) in enumerate(lines)
    ]


async def _ask(conversations: Conversations, thread: str, text: str, actor: str) -> Turn:
    turn = await conversations.send(thread, text, actor=actor)
    if turn.approval is None:
        raise DemoFailed(f"the agent did not plan a change for {text!r}: {turn.answer!r}")
    return turn


async def run_demo(settings: DemoSettings, jenkins: JenkinsSettings) -> None:
    """Run the scenario; raise DemoFailed naming the first step that did not happen."""
    timeline = Timeline()
    token = settings.api_token.get_secret_value() if settings.api_token else ""
    headers = {"Authorization": f"Bearer {token}"}
    wait = settings.demo_step_timeout_s
    job = settings.demo_job
    run_id = uuid.uuid4().hex[:8]
    async with httpx.AsyncClient(base_url=settings.api_url, headers=headers, timeout=30) as api:
        health = await api.get("/health")
        if health.status_code != 200:
            raise DemoFailed(
                f"the system is not up at {settings.api_url} (/health: {health.status_code})"
            )
        build = await _latest_build(jenkins, job)
        timeline.step("jenkins", f"{job} #{build} is the latest deploy")

        stored = await api.post("/api/logs/jenkins", json=_failed_deploy_logs(job, build, run_id))
        stored.raise_for_status()
        timeline.step("logs", f"the deploy fails: {stored.json()['stored']} log lines stored")

        async def open_incident() -> dict[str, Any] | None:
            active = (await api.get("/api/incidents/active", params={"limit": 200})).json()
            items = active["incidents"]
            return next((i for i in items if i.get("job_name") == job), None)

        incident = await _until("incident detected", open_incident, timeout_s=wait)
        timeline.step(
            "incident",
            f"#{incident['id']} {incident['severity']} {incident['rule']}: {incident['title']}",
        )

        agent_settings = settings.model_copy(update={"mcp_url": f"{settings.api_url}/mcp"})
        async with open_agent(agent_settings) as conversations:
            request = f"please restart build {build} of {job}"
            timeline.step("operator", f"asks the agent: “{request}”")
            turn = await _ask(conversations, f"demo-{run_id}-op", request, settings.demo_operator)
            assert turn.approval is not None
            timeline.step("agent", f"plans {turn.approval.get('will_run')}; asks for confirmation")
            turn = await conversations.decide(
                turn.thread_id, approve=True, actor=settings.demo_operator
            )
            timeline.step(
                "agent", (turn.answer or "").splitlines()[0] if turn.answer else "(no answer)"
            )

            async def requested_action() -> dict[str, Any] | None:
                recent = (await api.get("/api/actions", params={"job": job, "limit": 5})).json()
                return next(
                    (a for a in recent if a.get("requested_by") == settings.demo_operator), None
                )

            action = await _until("restart requested", requested_action, timeout_s=wait)
            timeline.step("guard", f"action #{action['id']} is {action['status']}")

            if action["status"] == "awaiting_approval":
                approve = f"approve {action['id']}"
                timeline.step("approver", f"asks the agent: “{approve}”")
                turn = await _ask(
                    conversations, f"demo-{run_id}-ap", approve, settings.demo_approver
                )
                turn = await conversations.decide(
                    turn.thread_id, approve=True, actor=settings.demo_approver
                )
                timeline.step("agent", (turn.answer or "").splitlines()[0] if turn.answer else "")

        async def finished() -> dict[str, Any] | None:
            current = (await api.get(f"/api/actions/{action['id']}")).json()
            return current if current["status"] in ("succeeded", "failed", "rejected") else None

        done = await _until("the build ran", finished, timeout_s=wait)
        if done["status"] != "succeeded":
            raise DemoFailed(f"action #{done['id']} {done['status']}: {done.get('status_reason')}")
        timeline.step(
            "jenkins", f"new build #{done.get('new_build_number')} {done.get('build_result') or ''}"
        )

        async def resolved() -> dict[str, Any] | None:
            current = (await api.get(f"/api/incidents/{incident['id']}")).json()
            return current if current["status"] == "resolved" else None

        closed = await _until("incident resolved", resolved, timeout_s=wait)
        detected = datetime.fromisoformat(closed["detected_at"])
        mttr = datetime.fromisoformat(closed["resolved_at"]) - detected
        timeline.step(
            "resolved",
            f"incident #{closed['id']} by {closed.get('resolution_method')};"
            f" MTTR {mttr.total_seconds():.1f}s",
        )


async def _latest_build(settings: JenkinsSettings, job: str) -> int:
    try:
        async with JenkinsClient.from_settings(settings) as jenkins:
            info = await jenkins.get_job(job)
    except JenkinsError as error:
        raise DemoFailed(f"Jenkins at {settings.jenkins_url}: {error}") from None
    if info.last_build is None:
        raise DemoFailed(f"Jenkins job {job!r} has no build to restart")
    return info.last_build
