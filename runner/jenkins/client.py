"""An async Jenkins REST client: jobs (folders included), builds, queue, console, health.

Every method names the job or build it was asked about when Jenkins says it
does not exist (`JobNotFound`, `BuildNotFound`), and maps 401/403 to
`JenkinsAuthError`. Remediation (restart, rollback) builds on it in
`runner.jenkins.remediation`.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import httpx

from runner.jenkins.errors import (
    BuildNotFound,
    JenkinsError,
    JenkinsRequestError,
    JenkinsTimeout,
    JobNotFound,
    QueueItemNotFound,
)
from runner.jenkins.models import (
    BuildInfo,
    JenkinsHealth,
    JobInfo,
    JobSummary,
    ParameterDefinition,
    ParameterValue,
    QueueItem,
    QueueRef,
    parameters_of,
    state_from_color,
)
from runner.jenkins.paths import build_path, job_path, queue_id_from_location
from runner.jenkins.transport import JenkinsTransport
from runner.settings import JenkinsSettings

FOLDER_LEVELS_PER_REQUEST = 4
JOB_FIELDS = "name,url,color"
BUILD_TREE = "number,url,building,result,timestamp,duration,queueId,actions[parameters[name,value]]"


def jobs_tree(levels: int) -> str:
    """`jobs[name,url,color,jobs[...,jobs]]`, `levels` deep: folders and their jobs in one call.

    The innermost bare `jobs` makes Jenkins list a deeper folder's children as
    objects without a name, which tells `list_jobs` to fetch that folder itself.
    """
    tree = "jobs"
    for _ in range(levels):
        tree = f"jobs[{JOB_FIELDS},{tree}]"
    return tree


def form_values(parameters: Mapping[str, ParameterValue]) -> dict[str, str]:
    """Parameter values as Jenkins reads them from a form (booleans as true/false)."""
    return {
        name: ("true" if value else "false")
        if isinstance(value, bool)
        else ""
        if value is None
        else str(value)
        for name, value in parameters.items()
    }


class JenkinsClient:
    """Jenkins over its REST API; use as `async with JenkinsClient.from_settings(s) as jenkins:`."""

    def __init__(self, transport: JenkinsTransport) -> None:
        self.transport = transport

    @classmethod
    def from_settings(
        cls, settings: JenkinsSettings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> JenkinsClient:
        token = (
            settings.jenkins_api_token.get_secret_value() if settings.jenkins_api_token else None
        )
        return cls(
            JenkinsTransport(
                settings.jenkins_url,
                user=settings.jenkins_user,
                token=token,
                timeout_s=settings.jenkins_timeout_s,
                retries=settings.jenkins_retries,
                backoff_s=settings.jenkins_backoff_s,
                backoff_max_s=settings.jenkins_backoff_max_s,
                transport=transport,
            )
        )

    @property
    def url(self) -> str:
        return self.transport.base_url

    async def __aenter__(self) -> JenkinsClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.transport.aclose()

    # -- reads ------------------------------------------------------------------------------

    async def health(self) -> JenkinsHealth:
        """Whether Jenkins answers with these credentials; never raises."""
        started = time.monotonic()
        try:
            response = await self.transport.get("/api/json", params={"tree": "mode"})
            self.transport.raise_for_status(response, "read its status")
        except JenkinsError as error:
            return JenkinsHealth(ok=False, url=self.url, error=str(error))
        return JenkinsHealth(
            ok=True,
            url=self.url,
            version=response.headers.get("X-Jenkins"),
            simulator="X-Jenkins-Simulator" in response.headers,
            latency_ms=round((time.monotonic() - started) * 1000, 1),
        )

    async def list_jobs(self, query: str | None = None) -> list[JobSummary]:
        """Every job, recursing into folders, optionally filtered by a case-insensitive substring."""
        found: list[JobSummary] = []
        pending: list[tuple[str, list[Any]]] = [("", await self._children(""))]
        while pending:
            folder, entries = pending.pop()
            for entry in entries:
                full = f"{folder}/{entry['name']}" if folder else entry["name"]
                if "jobs" in entry:  # a folder
                    children = entry["jobs"]
                    if any("name" not in child for child in children):
                        children = await self._children(full)  # deeper than one request reaches
                    pending.append((full, children))
                else:
                    found.append(
                        JobSummary(
                            full_name=full,
                            name=entry["name"],
                            url=entry.get("url", ""),
                            color=entry.get("color"),
                            state=state_from_color(entry.get("color")),
                        )
                    )
        if query:
            found = [job for job in found if query.lower() in job.full_name.lower()]
        return sorted(found, key=lambda job: job.full_name)

    async def _children(self, folder: str) -> list[Any]:
        path = f"{job_path(folder)}/api/json" if folder else "/api/json"
        response = await self.transport.get(
            path, params={"tree": jobs_tree(FOLDER_LEVELS_PER_REQUEST)}
        )
        if response.status_code == 404:
            raise JobNotFound(folder)
        self.transport.raise_for_status(response, "list jobs")
        jobs: list[Any] = self.transport.json(response, "list jobs").get("jobs") or []
        return [job for job in jobs if isinstance(job, dict)]

    async def get_job(self, job: str) -> JobInfo:
        response = await self.transport.get(f"{job_path(job)}/api/json")
        if response.status_code == 404:
            raise JobNotFound(job)
        self.transport.raise_for_status(response, f"read job {job!r}")
        data = self.transport.json(response, f"read job {job!r}")
        definitions = [
            ParameterDefinition(
                name=d["name"],
                type=str(d.get("type") or "").removesuffix("ParameterDefinition") or "String",
                default=(d.get("defaultParameterValue") or {}).get("value"),
                choices=d.get("choices"),
            )
            for prop in data.get("property") or []
            for d in (prop or {}).get("parameterDefinitions") or []
        ]
        return JobInfo(
            full_name=data.get("fullName", job),
            url=data.get("url", ""),
            buildable=bool(data.get("buildable", False)),
            state=state_from_color(data.get("color")),
            last_build=(data.get("lastBuild") or {}).get("number"),
            next_build_number=data.get("nextBuildNumber"),
            in_queue=bool(data.get("inQueue")),
            parameters=definitions,
        )

    async def get_build(self, job: str, number: int) -> BuildInfo:
        response = await self.transport.get(
            f"{build_path(job, number)}/api/json", params={"tree": BUILD_TREE}
        )
        if response.status_code == 404:
            raise await self._missing(job, number)
        self.transport.raise_for_status(response, f"read build #{number} of {job!r}")
        data = self.transport.json(response, f"read build #{number} of {job!r}")
        timestamp = data.get("timestamp")
        building = bool(data.get("building"))
        return BuildInfo(
            job=job,
            number=int(data.get("number", number)),
            url=data.get("url", ""),
            building=building,
            result=data.get("result"),
            started_at=datetime.fromtimestamp(timestamp / 1000, UTC) if timestamp else None,
            duration_s=None if building else (data.get("duration") or 0) / 1000,
            parameters=parameters_of(data.get("actions") or []),
            queue_id=data.get("queueId"),
        )

    async def console_tail(self, job: str, number: int, *, lines: int = 50) -> list[str]:
        """The last `lines` lines of a build's console text."""
        response = await self.transport.get(f"{build_path(job, number)}/consoleText")
        if response.status_code == 404:
            raise await self._missing(job, number)
        self.transport.raise_for_status(response, f"read the console of build #{number} of {job!r}")
        return list(deque(response.text.splitlines(), maxlen=max(lines, 0)))

    async def get_queue_item(self, queue_id: int) -> QueueItem:
        response = await self.transport.get(f"/queue/item/{queue_id}/api/json")
        if response.status_code == 404:
            raise QueueItemNotFound(queue_id)
        self.transport.raise_for_status(response, f"read queue item {queue_id}")
        data = self.transport.json(response, f"read queue item {queue_id}")
        executable = data.get("executable") or {}
        return QueueItem(
            queue_id=queue_id,
            why=data.get("why"),
            cancelled=bool(data.get("cancelled")),
            build_number=executable.get("number"),
            build_url=executable.get("url"),
        )

    async def _missing(self, job: str, number: int) -> JenkinsError:
        """A 404 on a build path: is the job missing, or only the build?"""
        response = await self.transport.get(f"{job_path(job)}/api/json", params={"tree": "name"})
        return JobNotFound(job) if response.status_code == 404 else BuildNotFound(job, number)

    # -- writes -----------------------------------------------------------------------------

    async def trigger(
        self, job: str, parameters: Mapping[str, ParameterValue] | None = None
    ) -> QueueRef:
        """Queue a build; parameterized jobs through `buildWithParameters` (defaults fill gaps)."""
        parameterized = bool(parameters) or bool((await self.get_job(job)).parameters)
        endpoint = "buildWithParameters" if parameterized else "build"
        doing = f"start a build of {job!r}"
        response = await self.transport.post(
            f"{job_path(job)}/{endpoint}", data=form_values(parameters or {})
        )
        if response.status_code == 404:
            raise JobNotFound(job)
        self.transport.raise_for_status(response, doing)
        location = response.headers.get("Location", "")
        queue_id = queue_id_from_location(location)
        if queue_id is None:
            raise JenkinsRequestError(
                f"Jenkins accepted the request to {doing} but named no queue item (Location {location!r})"
            )
        return QueueRef(queue_id=queue_id, url=location)

    async def stop(self, job: str, number: int) -> None:
        """Abort a running build (Jenkins answers 302 to the build page; a finished build is left as is)."""
        response = await self.transport.post(f"{build_path(job, number)}/stop")
        if response.status_code == 404:
            raise await self._missing(job, number)
        self.transport.raise_for_status(response, f"stop build #{number} of {job!r}")

    # -- following --------------------------------------------------------------------------

    async def wait_for_start(self, queue_id: int, *, timeout_s: float, poll_s: float) -> QueueItem:
        """Poll the queue item until it is a build (number and URL known)."""
        deadline = time.monotonic() + timeout_s
        while True:
            item = await self.get_queue_item(queue_id)
            if item.cancelled:
                raise JenkinsRequestError(
                    f"Jenkins queue item {queue_id} was cancelled before it started"
                )
            if item.build_number is not None:
                return item
            if time.monotonic() >= deadline:
                raise JenkinsTimeout(
                    f"queue item {queue_id} did not start within {timeout_s:g}s (Jenkins says: {item.why})"
                )
            await asyncio.sleep(poll_s)

    async def wait_for_end(
        self, job: str, number: int, *, timeout_s: float, poll_s: float
    ) -> BuildInfo:
        """Poll a build until it is no longer building."""
        deadline = time.monotonic() + timeout_s
        while True:
            build = await self.get_build(job, number)
            if not build.building:
                return build
            if time.monotonic() >= deadline:
                raise JenkinsTimeout(
                    f"build #{number} of {job!r} was still running after {timeout_s:g}s"
                )
            await asyncio.sleep(poll_s)
