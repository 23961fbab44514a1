"""CPU-seconds that processes spend over a measured interval, read from /proc (Linux).

Wall-clock throughput on a shared, loaded machine says more about the neighbours
than about the code; CPU time per unit of work does not (much). From it, the
throughput of an idle machine is estimated as cores / CPU-seconds per unit.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of a live process, in seconds; None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # After "pid (comm)": state is field 0, utime field 11, stime field 12.
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _stat_fields(pid: int) -> tuple[str, int] | None:
    """(comm, parent pid) of a live process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            raw = stat.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    comm = raw[raw.index(b"(") + 1 : raw.rindex(b")")].decode(errors="replace")
    return comm, int(raw.rsplit(b")", 1)[1].split()[1])


def _all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def process_tree(root: int) -> list[int]:
    """`root` and all its descendants (uvicorn's supervisor and its workers)."""
    children: dict[int, list[int]] = {}
    for pid in _all_pids():
        fields = _stat_fields(pid)
        if fields is not None:
            children.setdefault(fields[1], []).append(pid)
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def pids_named(comm: str) -> list[int]:
    """Processes whose command name is `comm` (e.g. RabbitMQ's `beam.smp`)."""
    return [pid for pid in _all_pids() if (f := _stat_fields(pid)) is not None and f[0] == comm]


@dataclass
class CpuMeter:
    """CPU-seconds a group of processes used between `start()` and `stop()`.

    Processes may join the group while it is measured (a pool opening a
    connection): one first seen at `stop()` counts all of its CPU time.
    """

    before: dict[int, float]
    used: float = 0.0

    @classmethod
    def start(cls, pids: Iterable[int]) -> CpuMeter:
        return cls({pid: s for pid in pids if (s := cpu_seconds(pid)) is not None})

    def stop(self, pids: Iterable[int]) -> float:
        """CPU-seconds used since `start()` by the group (`pids` seen now and at the start)."""
        total = 0.0
        for pid in set(pids) | set(self.before):
            now = cpu_seconds(pid)
            if now is not None:
                total += now - self.before.get(pid, 0.0)
        self.used = total
        return total
