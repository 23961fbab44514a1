"""A process supervisor: start services as child processes, restart the ones that crash, stop all.

Each child runs in its own process group so that stopping it also stops whatever it
started (uvicorn workers, a model server). On Linux a child also receives SIGTERM
if the supervisor dies without cleaning up, so nothing is left behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class ServiceSpec:
    """One supervised service: a name and the command that runs it."""

    name: str
    argv: Sequence[str]
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RestartPolicy:
    """Exponential backoff between restarts; the backoff resets after a run longer than `reset_after_s`."""

    initial_delay_s: float = 0.5
    max_delay_s: float = 15.0
    reset_after_s: float = 30.0

    def next_delay(self, previous_delay_s: float, ran_for_s: float) -> float:
        """The delay before the next restart, given the last delay and how long the run lasted."""
        if ran_for_s >= self.reset_after_s or previous_delay_s <= 0:
            return self.initial_delay_s
        return min(previous_delay_s * 2, self.max_delay_s)


Report = Callable[[str, str], None]


def _die_with_parent() -> None:  # runs in the child between fork and exec
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Supervisor:
    """Run services until asked to stop; restart each one that exits while running."""

    def __init__(
        self,
        services: Sequence[ServiceSpec],
        *,
        report: Report,
        policy: RestartPolicy | None = None,
        stop_timeout_s: float = 10.0,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self._services = list(services)
        self._env = dict(env or {})
        self._report = report
        self._policy = policy or RestartPolicy()
        self._stop_timeout_s = stop_timeout_s
        self._stopping = asyncio.Event()
        self._processes: dict[str, asyncio.subprocess.Process] = {}
        self.restarts: dict[str, int] = {s.name: 0 for s in services}

    def pids(self) -> dict[str, int]:
        """The current process id of each running service."""
        return {name: p.pid for name, p in self._processes.items() if p.returncode is None}

    def stop(self) -> None:
        """Ask every service to stop (safe to call from a signal handler)."""
        self._stopping.set()

    async def run(self) -> None:
        """Start every service and keep it running until `stop()`; then stop them all."""
        watchers = [asyncio.create_task(self._keep_running(spec)) for spec in self._services]
        try:
            await self._stopping.wait()
        finally:
            self._stopping.set()
            await asyncio.gather(*(self._terminate(name) for name in list(self._processes)))
            await asyncio.gather(*watchers, return_exceptions=True)

    async def _spawn(self, spec: ServiceSpec) -> asyncio.subprocess.Process:
        env = {**os.environ, **self._env, **spec.env}
        return await asyncio.create_subprocess_exec(
            *spec.argv,
            env=env,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )

    async def _keep_running(self, spec: ServiceSpec) -> None:
        delay = 0.0
        while not self._stopping.is_set():
            started = time.monotonic()
            try:
                process = await self._spawn(spec)
            except OSError as error:
                self._report(spec.name, f"could not start: {error}")
                code: int | None = None
            else:
                self._processes[spec.name] = process
                self._report(spec.name, f"started (pid {process.pid})")
                code = await process.wait()
                # What the crashed service started (workers) must not outlive it.
                _signal_group(process.pid, signal.SIGKILL)
            if self._stopping.is_set():
                return
            ran_for = time.monotonic() - started
            delay = self._policy.next_delay(delay, ran_for)
            self.restarts[spec.name] += 1
            self._report(
                spec.name,
                f"exited with code {code} after {ran_for:.1f}s; restarting in {delay:.1f}s",
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=delay)

    async def _terminate(self, name: str) -> None:
        process = self._processes.get(name)
        if process is None or process.returncode is not None:
            return
        _signal_group(process.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), timeout=self._stop_timeout_s)
        except TimeoutError:
            self._report(name, "did not stop in time; killing it")
            _signal_group(process.pid, signal.SIGKILL)
            await process.wait()
        # Whatever the service left in its group (workers) goes with it.
        _signal_group(process.pid, signal.SIGKILL)
        self._report(name, f"stopped (code {process.returncode})")


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)
