"""The supervisor with real child processes: restart on crash, nothing left behind on stop."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from backend.supervisor import RestartPolicy, ServiceSpec, Supervisor

# A service that starts a grandchild in its own process group, records both pids, and sleeps.
SERVICE = """
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
with open(sys.argv[1], "a") as f:
    f.write(f"{os.getpid()} {child.pid}\\n")
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is not alive for our purpose.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


async def _wait_for(predicate: object, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():  # type: ignore[operator]
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def test_crashed_service_is_restarted_and_stop_leaves_no_process(tmp_path: Path) -> None:
    pid_file = tmp_path / "pids"
    events: list[tuple[str, str]] = []
    supervisor = Supervisor(
        [ServiceSpec("svc", [sys.executable, "-c", SERVICE, str(pid_file)])],
        report=lambda name, what: events.append((name, what)),
        policy=RestartPolicy(initial_delay_s=0.05),
        stop_timeout_s=5,
    )
    running = asyncio.create_task(supervisor.run())

    def lines() -> list[list[int]]:
        if not pid_file.exists():
            return []
        return [[int(x) for x in line.split()] for line in pid_file.read_text().splitlines()]

    await _wait_for(lambda: len(lines()) == 1)
    first_pid, first_child = lines()[0]
    os.kill(first_pid, signal.SIGKILL)
    await _wait_for(lambda: len(lines()) == 2)
    second_pid, second_child = lines()[1]
    assert second_pid != first_pid
    assert supervisor.restarts["svc"] == 1
    assert any("exited with code -9" in what for _, what in events)

    supervisor.stop()
    await asyncio.wait_for(running, timeout=10)
    for pid in (second_pid, second_child, first_child):
        await _wait_for(lambda pid=pid: not _alive(pid))
