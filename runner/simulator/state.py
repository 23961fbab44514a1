"""The simulator's Jenkins: jobs, folders, queue and builds, moved along by a clock.

Time is lazy: every request first calls `advance()`, which starts queue items
whose quiet period is over and finishes builds whose planned time has passed.
So builds finish "after a delay" without background tasks, and tests can pass
a fake clock. Thread-safe: tests read it from another thread than the server's.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from runner.simulator.config import BuildResult, JobSpec, ParameterSpec, SimulatorConfig

ParamValue = str | bool


class SimulatorRequestError(Exception):
    """A request Jenkins would refuse; carries the HTTP status Jenkins answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class SimBuild:
    job: str
    number: int
    parameters: dict[str, ParamValue]
    queue_id: int
    started_at: float
    planned_s: float
    planned_result: BuildResult
    user: str
    result: BuildResult | None = None
    finished_at: float | None = None

    @property
    def building(self) -> bool:
        return self.result is None


@dataclass
class SimJob:
    name: str
    kind: str
    description: str
    parameters: list[ParameterSpec]
    disabled: bool
    result: BuildResult | None
    build_seconds: float | None
    builds: dict[int, SimBuild] = field(default_factory=dict)
    next_build_number: int = 1


@dataclass
class SimQueueItem:
    id: int
    job: str
    parameters: dict[str, ParamValue]
    queued_at: float
    ready_at: float
    user: str
    build_number: int | None = None
    cancelled: bool = False


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    at: float


def resolve_parameters(
    definitions: list[ParameterSpec], given: dict[str, str]
) -> dict[str, ParamValue]:
    """Jenkins's rule: defined parameters only (others are dropped), defaults fill the gaps."""
    values: dict[str, ParamValue] = {}
    for spec in definitions:
        raw = given.get(spec.name)
        if raw is None:
            values[spec.name] = spec.default
        elif spec.type == "boolean":
            values[spec.name] = raw.strip().lower() == "true"
        elif spec.type == "choice" and spec.choices and raw not in spec.choices:
            raise SimulatorRequestError(400, f"Illegal choice for parameter {spec.name}: {raw}")
        else:
            values[spec.name] = raw
    return values


class JenkinsState:
    """Everything the simulated Jenkins knows, and the hooks tests steer it with."""

    def __init__(self, config: SimulatorConfig, *, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.clock = clock
        self.lock = threading.RLock()
        self.crumb = secrets.token_hex(16)
        self.jobs: dict[str, SimJob] = {}
        self.folders: set[str] = set()
        self.queue: dict[int, SimQueueItem] = {}
        self.calls: list[Call] = []
        self.build_seconds = config.build_seconds
        self.default_result: BuildResult = config.result
        self._next_queue_id = 1
        self._fail_budget = 0
        self._fail_status = 500
        self._fail_method: str | None = None
        for spec in config.jobs:
            self._add_job(spec)

    # -- setup ------------------------------------------------------------------------------

    def _add_job(self, spec: JobSpec) -> None:
        parts = spec.name.split("/")
        for depth in range(1, len(parts)):
            self.folders.add("/".join(parts[:depth]))
        job = SimJob(
            name=spec.name,
            kind=spec.kind,
            description=spec.description,
            parameters=list(spec.parameters),
            disabled=spec.disabled,
            result=spec.result,
            build_seconds=spec.build_seconds,
        )
        now = self.clock()
        spacing = self.config.history_spacing_minutes * 60
        for index, past in enumerate(spec.history):
            started = now - spacing * (len(spec.history) - index) - past.duration_s
            number = job.next_build_number
            job.builds[number] = SimBuild(
                job=spec.name,
                number=number,
                parameters=resolve_parameters(
                    job.parameters,
                    {
                        k: str(v).lower() if isinstance(v, bool) else v
                        for k, v in past.parameters.items()
                    },
                ),
                queue_id=self._take_queue_id(),
                started_at=started,
                planned_s=past.duration_s,
                planned_result=past.result,
                user=past.user,
                result=past.result,
                finished_at=started + past.duration_s,
            )
            job.next_build_number += 1
        self.jobs[spec.name] = job

    def _take_queue_id(self) -> int:
        queue_id = self._next_queue_id
        self._next_queue_id += 1
        return queue_id

    # -- time -------------------------------------------------------------------------------

    def advance(self) -> None:
        """Start queue items whose quiet period is over; finish builds whose time has come."""
        with self.lock:
            now = self.clock()
            for item in self.queue.values():
                if item.build_number is None and not item.cancelled and item.ready_at <= now:
                    self._start_build(item)
            for job in self.jobs.values():
                for build in job.builds.values():
                    if build.building and build.started_at + build.planned_s <= now:
                        build.result = build.planned_result
                        build.finished_at = build.started_at + build.planned_s

    def _start_build(self, item: SimQueueItem) -> None:
        job = self.jobs[item.job]
        number = job.next_build_number
        job.next_build_number += 1
        seconds = job.build_seconds if job.build_seconds is not None else self.build_seconds
        job.builds[number] = SimBuild(
            job=job.name,
            number=number,
            parameters=dict(item.parameters),
            queue_id=item.id,
            started_at=item.ready_at,
            planned_s=seconds,
            planned_result=job.result or self.default_result,
            user=item.user,
        )
        item.build_number = number

    # -- Jenkins operations -----------------------------------------------------------------

    def find_job(self, name: str) -> SimJob:
        job = self.jobs.get(name)
        if job is None:
            raise SimulatorRequestError(404, f"No such job: {name}")
        return job

    def find_build(self, name: str, number: int) -> SimBuild:
        build = self.find_job(name).builds.get(number)
        if build is None:
            raise SimulatorRequestError(404, f"No such build: {name} #{number}")
        return build

    def enqueue(self, name: str, given: dict[str, str], *, user: str) -> SimQueueItem:
        """Schedule a build; an identical item still waiting is reused, as Jenkins does."""
        with self.lock:
            job = self.find_job(name)
            if job.disabled:
                raise SimulatorRequestError(409, f"{name} is not buildable")
            parameters = resolve_parameters(job.parameters, given)
            for item in self.queue.values():
                waiting = item.build_number is None and not item.cancelled
                if waiting and item.job == name and item.parameters == parameters:
                    return item
            now = self.clock()
            item = SimQueueItem(
                id=self._take_queue_id(),
                job=name,
                parameters=parameters,
                queued_at=now,
                ready_at=now + self.config.queue_seconds,
                user=user,
            )
            self.queue[item.id] = item
            return item

    def stop(self, name: str, number: int) -> SimBuild:
        """Abort a running build; stopping a finished build changes nothing, as in Jenkins."""
        with self.lock:
            build = self.find_build(name, number)
            if build.building:
                build.result = "ABORTED"
                build.finished_at = self.clock()
            return build

    # -- test hooks -------------------------------------------------------------------------

    def fail_next(self, count: int, *, status: int = 500, method: str | None = None) -> None:
        """Make the next `count` calls (of `method`, or any) answer `status`."""
        with self.lock:
            self._fail_budget = count
            self._fail_status = status
            self._fail_method = method.upper() if method else None

    def take_failure(self, method: str) -> int | None:
        """The status to fail this call with, if a `fail_next` budget is left."""
        with self.lock:
            if self._fail_budget <= 0 or self._fail_method not in (None, method):
                return None
            self._fail_budget -= 1
            return self._fail_status

    def set_result(self, result: BuildResult, *, job: str | None = None) -> None:
        """The result of the next builds: of one job, or the default of all."""
        with self.lock:
            if job is None:
                self.default_result = result
            else:
                self.find_job(job).result = result

    def set_build_seconds(self, seconds: float, *, job: str | None = None) -> None:
        with self.lock:
            if job is None:
                self.build_seconds = seconds
            else:
                self.find_job(job).build_seconds = seconds

    def rotate_crumb(self) -> None:
        """Invalidate issued crumbs, as a Jenkins restart or session change does."""
        with self.lock:
            self.crumb = secrets.token_hex(16)

    def record_call(self, method: str, path: str) -> None:
        with self.lock:
            self.calls.append(Call(method, path, self.clock()))

    def call_count(self, *, method: str | None = None, path_contains: str | None = None) -> int:
        """How many Jenkins calls arrived (simulator control calls are not counted)."""
        with self.lock:
            return sum(
                1
                for call in self.calls
                if (method is None or call.method == method)
                and (path_contains is None or path_contains in call.path)
            )
