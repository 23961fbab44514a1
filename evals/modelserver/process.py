"""Starting, finding and stopping llama-server on 127.0.0.1.

Two ways to run it: a shared server recorded in a state file under the cache
(`make model` starts it, later runs reuse it, `stop` ends it), and a private
one for the length of a `with serve(...)` block that reuses a healthy shared
server when there is one and otherwise starts and stops its own.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
import structlog

from evals.modelserver.catalogue import ModelSpec, model_spec
from evals.modelserver.errors import ModelStartError
from evals.modelserver.install import ensure_server, ensure_weights, server_environment
from evals.settings import ModelServerSettings

log = structlog.get_logger(__name__)

HOST = "127.0.0.1"


@dataclass(frozen=True)
class ServerState:
    """A running llama-server: enough to find it, use it and stop it."""

    pid: int
    port: int
    model: str
    log_path: str

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL (what LLM_BASE_URL takes)."""
        return f"http://{HOST}:{self.port}/v1"


def server_command(
    binary: Path, weights: Path, spec: ModelSpec, settings: ModelServerSettings, port: int
) -> list[str]:
    """The llama-server command line for 2-core CPU serving."""
    return [
        str(binary),
        "--model",
        str(weights),
        "--alias",
        spec.key,
        "--host",
        HOST,
        "--port",
        str(port),
        "--threads",
        str(settings.threads),
        "--threads-batch",
        str(settings.threads),
        # llama-server splits the context across slots; give each slot the full size
        "--ctx-size",
        str(settings.ctx_size * settings.parallel),
        "--parallel",
        str(settings.parallel),
        # a request without max_tokens could otherwise generate until the context is full
        "--n-predict",
        str(settings.max_tokens),
        "--jinja",
        "--no-webui",
    ]


def free_port() -> int:
    """A port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def is_healthy(port: int, timeout_s: float = 2.0) -> bool:
    """Whether llama-server on `port` answers /health with the model loaded."""
    try:
        response = httpx.get(f"http://{HOST}:{port}/health", timeout=timeout_s)
    except httpx.HTTPError:
        return False
    return response.status_code == 200


def is_llama_server(pid: int) -> bool:
    """Whether `pid` is alive and is a llama-server (guards against pid reuse)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"llama-server" in cmdline.split(b"\0", 1)[0]


def log_tail(path: Path, lines: int = 5) -> str:
    """The last lines of the server log, for an error message."""
    try:
        return " | ".join(path.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return ""


def launch(
    settings: ModelServerSettings, *, detach: bool
) -> tuple[subprocess.Popen[bytes], ServerState]:
    """Set up if needed, start llama-server and wait until it is healthy."""
    spec = model_spec(settings.model)
    binary = ensure_server(settings.cache_dir)
    weights = ensure_weights(spec, settings.cache_dir)
    port = settings.port or free_port()
    run_dir = settings.cache_dir / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    log_path = run_dir / f"{spec.key}-{port}.log"
    started = time.monotonic()
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            server_command(binary, weights, spec, settings, port),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=server_environment(binary, dict(os.environ)),
            start_new_session=detach,
        )
    state = ServerState(pid=process.pid, port=port, model=spec.key, log_path=str(log_path))
    deadline = started + settings.startup_timeout_s
    while not is_healthy(port):
        if process.poll() is not None:
            raise ModelStartError(f"llama-server exited {process.returncode}: {log_tail(log_path)}")
        if time.monotonic() > deadline:
            terminate(process.pid)
            raise ModelStartError(f"llama-server not healthy after {settings.startup_timeout_s}s")
        time.sleep(0.2)
    log.info(
        "model.started",
        model=spec.key,
        port=port,
        pid=process.pid,
        startup_s=round(time.monotonic() - started, 2),
    )
    return process, state


def terminate(pid: int, grace_s: float = 15.0) -> None:
    """SIGTERM, then SIGKILL after a grace period; returns once the process is gone."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        try:
            finished, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # not our child: poll for its disappearance
            finished = 0 if is_llama_server(pid) else pid
        if finished:
            return
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


class SharedModelServer:
    """The machine's shared server for one model, recorded in `<cache>/run/<model>.json`."""

    def __init__(self, settings: ModelServerSettings) -> None:
        self._settings = settings
        self._state_path = settings.cache_dir / "run" / f"{model_spec(settings.model).key}.json"

    def status(self) -> ServerState | None:
        """The running shared server, or None (a stale state file is removed)."""
        try:
            state = ServerState(**json.loads(self._state_path.read_text()))
        except (OSError, ValueError, TypeError):
            return None
        if is_llama_server(state.pid) and is_healthy(state.port):
            return state
        self._state_path.unlink(missing_ok=True)
        return None

    def start(self) -> ServerState:
        """Reuse the running shared server or start one that outlives this process."""
        running = self.status()
        if running is not None:
            return running
        _, state = launch(self._settings, detach=True)
        self._state_path.write_text(json.dumps(asdict(state)))
        return state

    def stop(self) -> bool:
        """Stop the shared server; False when none was running."""
        state = self.status()
        if state is None:
            return False
        terminate(state.pid)
        self._state_path.unlink(missing_ok=True)
        log.info("model.stopped", model=state.model, pid=state.pid)
        return True


@contextmanager
def serve(settings: ModelServerSettings) -> Iterator[ServerState]:
    """A healthy server for the block: the shared one if running, else a private one."""
    shared = SharedModelServer(settings).status()
    if shared is not None:
        yield shared
        return
    process, state = launch(settings, detach=False)
    try:
        yield state
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
