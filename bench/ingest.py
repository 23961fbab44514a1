"""End-to-end benchmark of the core path, against `runbooks api` / `runbooks relay` subprocesses.

Runs on a scratch database and a scratch RabbitMQ vhost (both removed at the end):

1. records/s through POST /api/logs/jenkins with everything on (validation,
   source-identity dedup, detection, incidents, outbox), batches of 100 and
   1,000, with 1 and 2 API workers; the load generator is its own process;
2. how fast `runbooks relay` drains 100,000 pending events (publisher confirms);
3. latency from the HTTP response to the `incident.detected` message reaching a
   consumer, p50/p99, at a steady moderate load (API and relay running).

Besides wall-clock rates, which on a shared machine measure the neighbours too,
it meters CPU-seconds per 1,000 records (events) of the processes doing the work:
the API workers and the PostgreSQL backends serving them; the relay, its
PostgreSQL backends and RabbitMQ's beam.smp. From those it estimates the rate on
an idle machine of `--cores` cores: cores / CPU per record, and never more than
one core per single-threaded process (one API worker, the relay) allows.

    .venv/bin/python -m bench.ingest [--quick] [--only ingest,relay,latency] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import aio_pika
import asyncpg
import orjson

from backend.db.migrate import upgrade
from bench.ingest_load import TOKEN, LoadGenerator, post, records
from bench.proc_cpu import CpuMeter, cpu_seconds, pids_named, process_tree

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNBOOKS = os.path.join(ROOT, ".venv", "bin", "runbooks")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def service(args: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen([RUNBOOKS, *args], env=env, stdout=subprocess.DEVNULL)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


async def wait_http(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            if b"200" in await reader.readline():
                writer.close()
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("API did not start")
        await asyncio.sleep(0.1)


async def backends(monitor: asyncpg.Connection) -> list[int]:
    """PostgreSQL client backends connected to the bench database (but the monitor's own)."""
    rows = await monitor.fetch(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
    )
    return [r["pid"] for r in rows]


def cpu_line(unit: str, count: int, parts: dict[str, float]) -> str:
    """CPU milliseconds per 1,000 units of each part."""
    shown = ", ".join(f"{name} {1e6 * s / count:.1f}" for name, s in parts.items())
    return f"CPU ms per 1,000 {unit}: {shown}"


def estimate(count: int, cores: int, total_s: float, serial: list[float]) -> float:
    """Units/s on an idle machine: all cores busy, or one core per serial process saturated."""
    rate = cores * count / total_s
    for seconds in serial:
        if seconds > 0:
            rate = min(rate, count / seconds)
    return rate


async def ingest_rates(
    dsn: str, env: dict[str, str], port: int, workers: int, cores: int, scale: float
) -> None:
    monitor = await asyncpg.connect(dsn)
    try:
        with service(["api", "--workers", str(workers), "--no-access-log"], env) as api:
            await wait_http(port)
            warm_up = LoadGenerator(port, 100, 100, 4 * workers)  # connections, plans, regexes
            warm_up.prepare()
            warm_up.run()
            for batch, requests in ((100, int(2000 * scale)), (1000, int(300 * scale))):
                load = LoadGenerator(port, batch, requests, 4 * workers)
                load.prepare()
                api_pids = process_tree(api.pid)
                worker_pids = [p for p in api_pids if p != api.pid] or api_pids
                api_cpu = CpuMeter.start(api_pids)
                worker_cpu = {pid: cpu_seconds(pid) or 0.0 for pid in worker_pids}
                pg_cpu = CpuMeter.start(await backends(monitor))
                run = load.run()
                api_s = api_cpu.stop(api_pids)
                pg_s = pg_cpu.stop(await backends(monitor))
                per_worker = [(cpu_seconds(p) or 0.0) - worker_cpu[p] for p in worker_pids]
                n = run.records
                idle = estimate(n, cores, api_s + pg_s, [max(per_worker)])
                print(
                    f"ingest  workers={workers} batch={batch:>5}:"
                    f" wall {n / run.seconds:>9,.0f} records/s (this machine, now) |"
                    f" idle {cores}-core estimate {idle:>9,.0f} records/s |"
                    f" {cpu_line('records', n, {'api': api_s, 'postgres': pg_s})}"
                    f" (generator {1e6 * run.generator_cpu_s / n:.1f}, not counted)",
                    flush=True,
                )
    finally:
        await monitor.close()


async def seed_outbox(conn: asyncpg.Connection, count: int) -> None:
    """`count` pending incident.detected events with a realistic (~1 KB) payload."""
    incident = {"id": 1, "rule": "jenkins_build_failure", "severity": "high", "title": "x" * 60}
    incident |= {"details": {"group_key": "web-ci", "lines": ["y" * 80] * 8}}
    await conn.execute(
        "INSERT INTO outbox_events (id, event_type, routing_key, payload)"
        " SELECT gen_random_uuid(), 'incident.detected', 'incident.detected', $1::jsonb"
        " FROM generate_series(1, $2)",
        orjson.dumps({"event_type": "incident.detected", "incident": incident}).decode(),
        count,
    )


async def wait_relay_ready(monitor: asyncpg.Connection, relay_pid: int) -> None:
    """Until the relay LISTENs and has gone quiet (imports and connections done)."""
    deadline = time.monotonic() + 60
    while not await monitor.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND query LIKE 'LISTEN%'"
    ):
        if time.monotonic() > deadline:
            raise RuntimeError("relay did not start")
        await asyncio.sleep(0.1)
    previous = cpu_seconds(relay_pid) or 0.0
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        now = cpu_seconds(relay_pid) or 0.0
        if now - previous < 0.02:
            return
        previous = now


async def relay_drain(dsn: str, env: dict[str, str], cores: int, count: int) -> None:
    monitor = await asyncpg.connect(dsn)
    try:
        await monitor.execute("TRUNCATE outbox_events")
        with service(["relay"], env) as relay:
            await wait_relay_ready(monitor, relay.pid)
            beam = pids_named("beam.smp")
            relay_cpu, beam_cpu = CpuMeter.start([relay.pid]), CpuMeter.start(beam)
            pg_cpu = CpuMeter.start(await backends(monitor))
            started = time.perf_counter()
            await seed_outbox(monitor, count)
            seeded = time.perf_counter()
            while await monitor.fetchval(
                "SELECT count(*) FROM outbox_events WHERE status = 'pending'"
            ):
                await asyncio.sleep(0.05)
            wall = time.perf_counter() - started
            relay_s, beam_s = relay_cpu.stop([relay.pid]), beam_cpu.stop(beam)
            pg_s = pg_cpu.stop(await backends(monitor))
        span = await monitor.fetchval(
            "SELECT EXTRACT(EPOCH FROM max(published_at) - min(published_at))::float8"
            " FROM outbox_events"
        )
    finally:
        await monitor.close()
    idle = estimate(count, cores, relay_s + beam_s + pg_s, [relay_s])
    print(
        f"relay   drain {count:,} events: wall {count / float(span):,.0f} events/s first to last"
        f" publish ({count / (wall - (seeded - started)):,.0f}/s after the seed commit) |"
        f" idle {cores}-core estimate {idle:,.0f} events/s |"
        f" {cpu_line('events', count, {'relay': relay_s, 'rabbitmq': beam_s, 'postgres': pg_s})}"
        " (postgres includes the seed INSERT; rabbitmq is shared with other users)",
        flush=True,
    )


async def latency(port: int, amqp_url: str, rate: float, seconds: float) -> list[float]:
    """ms from each HTTP response to its incident.detected message at a consumer."""
    connection = await aio_pika.connect(amqp_url)
    channel = await connection.channel()
    exchange = await channel.declare_exchange("events", aio_pika.ExchangeType.TOPIC, durable=True)
    queue = await channel.declare_queue(exclusive=True)
    await queue.bind(exchange, "incident.detected")
    arrived: dict[int, float] = {}

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        arrived[orjson.loads(message.body)["incident"]["id"]] = time.perf_counter()

    await queue.consume(on_message, no_ack=True)
    answered: dict[int, float] = {}
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    run = uuid.uuid4().hex[:8]
    for i in range(int(rate * seconds)):
        tick = time.perf_counter()
        body = records(run, i * 100, 100, failure_job=f"latency-{run}-{i}")
        reply = orjson.loads(await post(reader, writer, port, body))
        answered[reply["incidents"]["opened"][0]] = time.perf_counter()
        await asyncio.sleep(max(0.0, 1 / rate - (time.perf_counter() - tick)))
    deadline = time.monotonic() + 10
    while len(arrived) < len(answered) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await connection.close()
    writer.close()
    return [max(0.0, (arrived[i] - t) * 1000) for i, t in answered.items() if i in arrived]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True)


async def main(args: argparse.Namespace) -> None:
    name = f"runbooks_bench_{uuid.uuid4().hex[:8]}"
    dsn = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    await upgrade(dsn)
    rabbitmqctl("add_vhost", name)
    rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    amqp_url = f"amqp://guest:guest@127.0.0.1:5672/{name}"
    port = free_port()
    env = {**os.environ, "DATABASE_URL": dsn, "RABBITMQ_URL": amqp_url, "API_TOKEN": TOKEN}
    env |= {"API_PORT": str(port), "LOG_LEVEL": "WARNING", "RELAY_POLL_INTERVAL_S": "1"}
    scale = 0.25 if args.quick else 1.0
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    try:
        if "ingest" in args.only:
            for workers in args.workers:
                await ingest_rates(dsn, env, port, workers, args.cores, scale)
        if "relay" in args.only:
            await relay_drain(dsn, env, args.cores, int(100_000 * scale))
        if "latency" in args.only:
            api = ["api", "--workers", "1", "--no-access-log"]
            with service(api, env), service(["relay"], env):
                await wait_http(port)
                samples = await latency(port, amqp_url, rate=50, seconds=10 * scale)
            print(
                f"latency response -> incident.detected consumed, {len(samples)} incidents"
                f" at 50 req/s: p50 {statistics.median(samples):.1f} ms,"
                f" p99 {percentile(samples, 0.99):.1f} ms"
            )
    finally:
        conn = await asyncpg.connect(PG_ADMIN)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()
        rabbitmqctl("delete_vhost", name)


def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a quarter of the load")
    parser.add_argument("--only", type=_csv, default=["ingest", "relay", "latency"])
    parser.add_argument(
        "--workers", type=lambda v: [int(w) for w in _csv(v)], default=[1, 2], help="e.g. 1,2"
    )
    parser.add_argument("--cores", type=int, default=2, help="cores of the idle estimate")
    asyncio.run(main(parser.parse_args()))
    sys.exit(0)
