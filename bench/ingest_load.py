"""The load generator of bench/ingest.py: realistic Jenkins batches over keep-alive HTTP/1.1.

Runs in its own process; bodies are built before the clock starts and the
parent is told when to start, so it can meter the server's CPU over exactly
the timed interval.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.synchronize import Event

import orjson

TOKEN = "bench-token-0123456789abcdef"
JOBS = [f"{team}-{kind}" for team in ("payments", "web", "search") for kind in ("ci", "nightly")]


def records(run: str, start: int, count: int, *, failure_job: str | None = None) -> bytes:
    """A batch of realistic console lines, ~1% WARNING/ERROR; optionally one build failure."""
    base = datetime(2025, 3, 1, tzinfo=UTC)
    batch = []
    for n in range(start, start + count):
        level, message = "INFO", f"[Pipeline] sh: npm run build --workspace=pkg-{n % 40}"
        if n % 100 == 7:
            level, message = "WARNING", "Retrying artifact upload after timeout (attempt 2/3)"
        batch.append(
            {
                "@timestamp": (base + timedelta(milliseconds=n)).isoformat(),
                "level": level,
                "message": message,
                "job_name": JOBS[n % len(JOBS)],
                "build_number": 1000 + n // 5000,
                "details": {"node": f"agent-{n % 4}", "stage": "build"},
                "_index": "jenkins-logs",
                "_id": f"{run}-{n}",
            }
        )
    if failure_job is not None:
        batch[-1].update(level="ERROR", message="Finished: FAILURE", job_name=failure_job)
    return orjson.dumps(batch)


async def post(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, port: int, body: bytes
) -> bytes:
    """One keep-alive HTTP/1.1 POST; a minimal client keeps the generator's own cost low."""
    writer.write(
        b"POST /api/logs/jenkins HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAuthorization: Bearer %s\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
        % (port, TOKEN.encode(), len(body))
        + body
    )
    status = await reader.readline()
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    reply = await reader.readexactly(length)
    if b" 200 " not in status:
        raise RuntimeError(f"{status!r} {reply[:300]!r}")
    return reply


async def _throughput(port: int, bodies: list[bytes], connections: int) -> float:
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while not queue.empty():
            await post(reader, writer, port, queue.get_nowait())
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(connections)))
    return time.perf_counter() - started


@dataclass(frozen=True)
class LoadRun:
    """One timed run: wall seconds and the generator's own CPU-seconds."""

    records: int
    seconds: float
    generator_cpu_s: float


def _generator(
    port: int,
    batch: int,
    requests: int,
    connections: int,
    ready: Event,
    go: Event,
    result: multiprocessing.Queue[tuple[float, float]],
) -> None:
    run = uuid.uuid4().hex[:8]
    bodies = [records(run, i * batch, batch) for i in range(requests)]
    ready.set()
    go.wait()
    cpu = time.process_time()
    seconds = asyncio.run(_throughput(port, bodies, connections))
    result.put((seconds, time.process_time() - cpu))


class LoadGenerator:
    """`prepare()` builds the bodies in a child process; `run()` times the posting."""

    def __init__(self, port: int, batch: int, requests: int, connections: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._ready, self._go = context.Event(), context.Event()
        self._result: multiprocessing.Queue[tuple[float, float]] = context.Queue()
        self._records = batch * requests
        self._process = context.Process(
            target=_generator,
            args=(port, batch, requests, connections, self._ready, self._go, self._result),
        )

    def prepare(self) -> None:
        self._process.start()
        deadline = time.monotonic() + 300
        while not self._ready.wait(timeout=0.5):
            if not self._process.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("load generator did not get ready")

    def run(self) -> LoadRun:
        self._go.set()
        seconds, cpu = self._result.get(timeout=900)
        self._process.join()
        return LoadRun(self._records, seconds, cpu)
