"""Benchmark: Elasticsearch (osmem-server) -> publisher -> RabbitMQ -> consumer -> API -> rows.

Three processes besides this one: `runbooks api`, the publisher (the test entry
point, which adapts the ES client to osmem) and `runbooks ingest consume`.

1. Backlog: N documents already indexed; documents/s until every row is committed.
2. Steady load: documents indexed at a fixed rate with `@timestamp` = the moment
   they are indexed; lag = the row's `received_at` (its transaction's start,
   just before commit) minus that moment, p50/p99.

    .venv/bin/python bench/ingest_es.py [--backlog 20000] [--rate 500] [--seconds 20]
        [--profile DIR]   # each stage under `py-spy record` (pip install py-spy): DIR/<stage>.txt

Needs the local PostgreSQL and RabbitMQ (a fresh database and vhost are made
and dropped). osmem-server stands in for Elasticsearch.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
import httpx
from osmem_server import OsmemServer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.db.migrate import upgrade  # noqa: E402
from backend.messaging.topology import LOGS_JENKINS_QUEUE  # noqa: E402
from bench.ingest_es_stages import Stage, stage  # noqa: E402
from tests.integration.ingest.osmem_client import osmem_client  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
TOKEN = "bench-token-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


def doc(n: int, moment: datetime) -> dict[str, Any]:
    level = "ERROR" if n % 50 == 0 else "INFO"
    return {
        "@timestamp": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "level": level,
        "message": "Finished: FAILURE" if level == "ERROR" else f"[Pipeline] sh step {n}",
        "job_name": f"job-{n % 40}",
        "build_number": n % 500 + 1,
    }


async def index(es: Any, start: int, count: int, *, now: bool) -> None:
    operations: list[dict[str, Any]] = []
    base = datetime(2024, 1, 1, tzinfo=UTC)
    for n in range(start, start + count):
        moment = datetime.now(UTC) if now else base
        operations.append({"index": {"_index": "jenkins-logs-bench", "_id": f"d{n:08d}"}})
        operations.append(doc(n, moment))
    response = await es.bulk(operations=operations, refresh=True)
    assert not response["errors"]


async def rows(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM logs_jenkins"))


async def wait_rows(pool: asyncpg.Pool, target: int, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while (count := await rows(pool)) < target:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {count} of {target} rows after {timeout}s")
        await asyncio.sleep(0.02)
    return time.monotonic()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def checkpoint_reached(pool: asyncpg.Pool, last_id: str) -> float:
    """When the publisher's checkpoint reaches `last_id` (every document confirmed by RabbitMQ)."""
    while await pool.fetchval("SELECT last_id FROM ingest_checkpoints") != last_id:
        await asyncio.sleep(0.02)
    return time.monotonic()


async def sample_checkpoints(pool: asyncpg.Pool, seen: list[tuple[datetime, str]]) -> None:
    """(when, last confirmed id) every 50 ms: when each document was confirmed, to 50 ms."""
    while True:
        last_id = await pool.fetchval("SELECT last_id FROM ingest_checkpoints")
        if last_id is not None and (not seen or seen[-1][1] != last_id):
            seen.append((datetime.now(UTC), last_id))
        await asyncio.sleep(0.05)


def confirm_lags(created: dict[str, datetime], seen: list[tuple[datetime, str]]) -> list[float]:
    """Per document, ms from its creation to the first checkpoint at or past it."""
    lags = []
    position = 0
    for doc_id in sorted(created):
        while position < len(seen) and seen[position][1] < doc_id:
            position += 1
        if position < len(seen):
            lags.append((seen[position][0] - created[doc_id]).total_seconds() * 1000)
    return lags


async def sample_queue(url: str, depths: list[int]) -> None:
    """Ready messages in `logs_jenkins` every 0.25 s: a growing queue means the consumer lags."""
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel()
        while True:
            try:
                queue = await channel.declare_queue(LOGS_JENKINS_QUEUE, passive=True)
                depths.append(int(queue.declaration_result.message_count or 0))
            except aio_pika.exceptions.ChannelClosed:  # not declared yet
                channel = await connection.channel()
            await asyncio.sleep(0.25)
    finally:
        await connection.close()


async def run(args: argparse.Namespace, es_url: str, env: dict[str, str], db_url: str) -> None:
    es = osmem_client(es_url)
    pool = await asyncpg.create_pool(db_url, min_size=1, max_size=4)
    assert pool is not None
    processes: dict[str, Stage] = {}
    try:
        t = time.monotonic()
        for start in range(0, args.backlog, 2000):
            await index(es, start, min(2000, args.backlog - start), now=False)
        print(f"indexed a backlog of {args.backlog} documents in {time.monotonic() - t:.1f}s")

        processes["api"] = stage("api", ["backend", "api", "--no-access-log"], env, args.profile)
        async with httpx.AsyncClient() as http:
            for _ in range(300):
                try:
                    if (await http.get(f"{env['BACKEND_URL']}/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        started = time.monotonic()
        processes["consumer"] = stage(
            "consumer", ["backend", "ingest", "consume"], env, args.profile
        )
        processes["publisher"] = stage(
            "publisher", ["tests.integration.ingest.publisher_process"], env, args.profile
        )
        depths: list[int] = []
        sampler = asyncio.create_task(sample_queue(env["RABBITMQ_URL"], depths))
        published = asyncio.create_task(checkpoint_reached(pool, f"d{args.backlog - 1:08d}"))
        cpu_before = {name: process.cpu_seconds() for name, process in processes.items()}
        done = await wait_rows(pool, args.backlog, timeout=600)
        cpu = {
            name: process.cpu_seconds() - cpu_before[name] for name, process in processes.items()
        }
        sampler.cancel()
        elapsed = done - started
        span = await pool.fetchval(
            "SELECT extract(epoch FROM max(received_at) - min(received_at)) FROM logs_jenkins"
        )
        print(
            f"backlog: {args.backlog} documents -> committed rows in {elapsed:.2f}s"
            f" = {args.backlog / elapsed:,.0f} docs/s (including process start-up);"
            f" {args.backlog / max(float(span), 0.001):,.0f} docs/s from the first commit to the"
            f" last; all confirmed by RabbitMQ after {await published - started:.2f}s;"
            f" logs_jenkins ready depth max {max(depths, default=0)}"
        )
        print(
            "  CPU seconds per 1,000 documents: "
            + ", ".join(
                f"{name} {1000 * seconds / args.backlog:.2f}" for name, seconds in cpu.items()
            )
        )

        total = args.backlog
        per_tick = max(1, args.rate // 10)
        seen: list[tuple[datetime, str]] = []
        checkpoints = asyncio.create_task(sample_checkpoints(pool, seen))
        tick_started = time.monotonic()
        for tick in range(args.seconds * 10):
            await index(es, total, per_tick, now=True)
            total += per_tick
            await asyncio.sleep(max(0.0, tick_started + (tick + 1) * 0.1 - time.monotonic()))
        await wait_rows(pool, total, timeout=120)
        checkpoints.cancel()
        created = {
            r["source_id"]: r["ts"]
            for r in await pool.fetch(
                "SELECT source_id, ts FROM logs_jenkins WHERE source_id >= $1",
                f"d{args.backlog:08d}",
            )
        }
        confirmed = confirm_lags(created, seen)
        lags = [
            float(r["lag"]) * 1000
            for r in await pool.fetch(
                "SELECT extract(epoch FROM received_at - ts) AS lag FROM logs_jenkins"
                " WHERE source_id >= $1",
                f"d{args.backlog:08d}",
            )
        ]
        print(
            f"steady {args.rate} docs/s for {args.seconds}s ({len(lags)} documents):"
            f" lag indexed -> row committed p50 {percentile(lags, 0.5):.0f} ms,"
            f" p99 {percentile(lags, 0.99):.0f} ms, max {max(lags):.0f} ms"
            f" (publisher polls every {env['ES_POLL_INTERVAL_S']}s);"
            f" of which indexed -> confirmed by RabbitMQ p50 {percentile(confirmed, 0.5):.0f} ms,"
            f" p99 {percentile(confirmed, 0.99):.0f} ms"
        )
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait()
        await pool.close()
        await es.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backlog", type=int, default=20_000)
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--poll-interval", type=float, default=0.2)
    parser.add_argument("--profile", type=Path, help="write py-spy profiles of each stage here")
    args = parser.parse_args()
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)

    run_id = uuid.uuid4().hex[:8]
    db_name = f"runbooks_bench_{run_id}"
    db_url = PG_ADMIN.rsplit("/", 1)[0] + f"/{db_name}"
    vhost = f"runbooks_bench_{run_id}"
    asyncio.run(upgrade(db_url))
    rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    port = free_port()
    try:
        with OsmemServer.start(japanese=False) as server, server.clone() as clone:
            env = {
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "DATABASE_URL": db_url,
                "RABBITMQ_URL": f"amqp://guest:guest@127.0.0.1:5672/{vhost}",
                "API_TOKEN": TOKEN,
                "API_PORT": str(port),
                "BACKEND_URL": f"http://127.0.0.1:{port}",
                "ES_URL": clone.url,
                "ES_POLL_INTERVAL_S": str(args.poll_interval),
                "LOG_LEVEL": "WARNING",
            }
            asyncio.run(run(args, clone.url, env, db_url))
    finally:
        rabbitmqctl("delete_vhost", vhost)

        async def drop() -> None:
            conn = await asyncpg.connect(PG_ADMIN)
            await conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
            await conn.close()

        asyncio.run(drop())


if __name__ == "__main__":
    main()
