"""Serving the simulator: in a background thread for tests, or in the foreground for the CLI."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from types import TracebackType

import uvicorn

from runner.simulator.app import create_app
from runner.simulator.auth import Credentials
from runner.simulator.config import SimulatorConfig
from runner.simulator.state import JenkinsState


def banner(url: str, credentials: Credentials, config: SimulatorConfig) -> str:
    """The line printed at start: this is a simulator, where, and how it authenticates."""
    auth = (
        f"basic auth as {credentials.user!r} with JENKINS_API_TOKEN"
        if credentials.required
        else "anonymous access (JENKINS_API_TOKEN not set)"
    )
    return (
        f"JENKINS SIMULATOR (not a real Jenkins) at {url}: {len(config.jobs)} jobs, "
        f"builds take {config.build_seconds:g}s and end {config.result}, {auth}, "
        f"CSRF crumbs {'required' if config.csrf else 'off'}"
    )


class SimulatorServer:
    """The simulator on 127.0.0.1 and a free port, served by uvicorn in a daemon thread.

    A thread (not a task) so that blocking clients such as python-jenkins can
    call it from the test's own thread.
    """

    def __init__(self, state: JenkinsState, credentials: Credentials | None = None) -> None:
        self.state = state
        self.credentials = credentials or Credentials(None, None)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(state, self.credentials),
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name="jenkins-simulator", daemon=True)

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._socket]))

    def start(self, timeout_s: float = 10.0) -> SimulatorServer:
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the Jenkins simulator did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve_forever(
    config: SimulatorConfig, credentials: Credentials, *, host: str, port: int
) -> None:
    """Run the simulator in the foreground until interrupted (the CLI's `simulate jenkins`)."""
    state = JenkinsState(config)
    uvicorn.run(
        create_app(state, credentials), host=host, port=port, log_level="warning", access_log=False
    )
