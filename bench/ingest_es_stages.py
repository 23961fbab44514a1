"""The processes of `bench/ingest_es.py`: start (optionally under py-spy), stop, CPU used."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Stage:
    """One benchmarked process (under py-spy when profiling)."""

    process: subprocess.Popen[bytes]
    profiled: bool

    def terminate(self) -> None:
        """SIGTERM the stage itself (py-spy's child when profiling, so py-spy writes its file)."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        if self.profiled and children.exists():
            for child in children.read_text().split():
                os.kill(int(child), signal.SIGTERM)
        else:
            self.process.send_signal(signal.SIGTERM)

    def cpu_seconds(self) -> float:
        """User + system CPU of the stage's process tree (without py-spy itself)."""
        ticks = 0
        pending = [self.process.pid]
        while pending:
            pid = pending.pop()
            if pid != self.process.pid or not self.profiled:
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except FileNotFoundError:
                    continue
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
            for task in Path(f"/proc/{pid}/task").glob("*/children"):
                pending.extend(int(child) for child in task.read_text().split())
        return ticks / os.sysconf("SC_CLK_TCK")

    def wait(self) -> None:
        try:
            self.process.wait(30 if self.profiled else 15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def stage(name: str, args: list[str], env: dict[str, str], profile: Path | None) -> Stage:
    """Start one stage; under `py-spy record` (collapsed stacks in DIR/<name>.txt) when profiling."""
    command = [sys.executable, "-m", *args]
    if profile is not None:
        spy = str(Path(sys.executable).with_name("py-spy"))
        output = str(profile / f"{name}.txt")
        command = [
            spy,
            "record",
            "--nonblocking",
            "--subprocesses",
            "-f",
            "raw",
            "-o",
            output,
            "--",
            *command,
        ]
    return Stage(subprocess.Popen(command, env=env), profiled=profile is not None)
