"""`runbooks up` as a subprocess: /health answers, the demo passes, a killed service comes back,
and Ctrl-C (SIGINT) leaves no process behind.

The system runs on its own database and vhost, with the embedded Jenkins simulator and
the CI model (the shared llama.cpp server of the evals) as its language model.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from evals.settings import ModelServerSettings
from tests.conftest import PG_ADMIN, TEST_TOKEN

pytestmark = [pytest.mark.e2e, pytest.mark.model]

ROOT = Path(__file__).resolve().parents[2]
STARTED = re.compile(r"^\S+\s+(?P<service>[\w-]+)\s+started \(pid (?P<pid>\d+)\)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


def _model_base_url() -> str:
    """The shared CI model server (started, or reused when already up)."""
    done = subprocess.run(
        [sys.executable, "-m", "evals.modelserver", "start"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


def _alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().split()[2] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


class UpProcess:
    """`runbooks up` with its output collected line by line."""

    def __init__(self, env: dict[str, str]) -> None:
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "backend", "up"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip())

    def pids(self) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for line in self.lines:
            match = STARTED.match(line.strip())
            if match:
                found.setdefault(match["service"], []).append(int(match["pid"]))
        return found

    def wait_for_start(self, service: str, count: int, timeout_s: float) -> int:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            pids = self.pids().get(service, [])
            if len(pids) >= count:
                return pids[count - 1]
            assert self.process.poll() is None, "\n".join(self.lines[-40:])
            time.sleep(0.2)
        raise AssertionError(f"{service} start #{count} not seen:\n" + "\n".join(self.lines[-40:]))


@pytest.fixture
def system_env() -> Iterator[dict[str, str]]:
    name = f"runbooks_up_{uuid.uuid4().hex[:8]}"
    database_url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    _rabbitmqctl("add_vhost", name)
    _rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    api_port, jenkins_port = _free_port(), _free_port()
    base_url = _model_base_url()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "JENKINS_", "ES_", "LLM_", "OLLAMA_", "MCP_"))
    }
    env.update(
        {
            "DATABASE_URL": database_url,
            "RABBITMQ_URL": f"amqp://guest:guest@127.0.0.1:5672/{name}",
            "API_PORT": str(api_port),
            "API_URL": f"http://127.0.0.1:{api_port}",
            "API_TOKEN": TEST_TOKEN,
            "JENKINS_SIMULATOR_PORT": str(jenkins_port),
            "LLM_PROVIDER": "openai",
            "LLM_BASE_URL": base_url,
            "LLM_MODEL": ModelServerSettings().model,
            "OLLAMA_URL": "http://127.0.0.1:9",  # no Ollama here: the plan must not wait on it
            "GUARD_COOLDOWN_S": "0",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "WARNING",
        }
    )
    yield env
    _rabbitmqctl("delete_vhost", name)

    async def drop() -> None:
        conn = await asyncpg.connect(PG_ADMIN)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())


def _run_demo(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    demo_env = {**env, "JENKINS_URL": f"http://127.0.0.1:{env['JENKINS_SIMULATOR_PORT']}"}
    return subprocess.run(
        [sys.executable, "-m", "backend", "demo"],
        cwd=ROOT,
        env=demo_env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _wait_healthy(url: str, up: UpProcess, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert up.process.poll() is None, "\n".join(up.lines[-40:])
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError("/health never answered:\n" + "\n".join(up.lines[-40:]))


def test_up_runs_the_demo_survives_a_killed_service_and_stops_cleanly(
    system_env: dict[str, str],
) -> None:
    up = UpProcess(system_env)
    try:
        _wait_healthy(system_env["API_URL"], up)
        for service in ("relay", "runner", "jenkins-simulator"):
            up.wait_for_start(service, 1, timeout_s=60)
        assert any("SIMULATOR" in line for line in up.lines), "the simulator was not announced"

        first = _run_demo(system_env)
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
        assert "demo passed" in first.stdout and "MTTR" in first.stdout

        runner_pid = up.wait_for_start("runner", 1, timeout_s=5)
        os.kill(runner_pid, signal.SIGKILL)
        restarted = up.wait_for_start("runner", 2, timeout_s=60)
        assert restarted != runner_pid
        assert any("runner" in line and "exited with code -9" in line for line in up.lines)

        second = _run_demo(system_env)
        assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    finally:
        if up.process.poll() is None:
            up.process.send_signal(signal.SIGINT)
        up.process.wait(timeout=60)

    children = [pid for pids in up.pids().values() for pid in pids]
    assert children, "no service was started"
    deadline = time.monotonic() + 15
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [pid for pid in children if _alive(pid)] == []
    assert any("all services stopped" in line for line in up.lines)
