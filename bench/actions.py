"""Benchmark of the action path: request -> outbox -> relay -> RabbitMQ -> runner -> Jenkins.

Against the Jenkins simulator (its own process) with zero build time, on a
throw-away database and RabbitMQ vhost (PostgreSQL on 127.0.0.1:5432, RabbitMQ
on :5672); relay and runner run as tasks of this process. Reports
- throughput: actions/s from the first request of a burst to the last `succeeded`;
- added latency of the runner path, one request at a time (no backlog):
  request committed -> first Jenkins call (reading the build to restart) and
  -> the build POST, p50/p99.
Each action restarts its own job, so every Jenkins call maps to one action.

    .venv/bin/python bench/actions.py [--actions 300] [--clients 16] [--max-running 64]
                                      [--latency-actions 100]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from typing import Any

import asyncpg
import httpx
import yaml

from backend.db.migrate import upgrade
from backend.db.pool import create_pool
from backend.observability import configure_logging
from backend.outbox.publisher import EventPublisher
from backend.outbox.relay import OutboxRelay, RelayPolicy
from backend.services import actions as service
from runner.guard import ActionGuard, GuardPolicy
from runner.process import run_runner
from runner.settings import RunnerSettings
from runner.simulator.config import SimulatorConfig

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def simulator_config(jobs: int) -> SimulatorConfig:
    return SimulatorConfig.model_validate(
        {
            "build_seconds": 0,
            "jobs": [
                {
                    "name": f"bench-{n}",
                    "parameters": [{"name": "VERSION", "default": "1.0.0"}],
                    "history": [{"parameters": {"VERSION": "1.0.0"}}],
                }
                for n in range(jobs)
            ],
        }
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def simulator_calls(http: httpx.AsyncClient) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = (await http.get("/_simulator/calls")).json()["calls"]
    return calls


async def bench(
    args: argparse.Namespace, database_url: str, rabbitmq_url: str, jenkins_url: str
) -> None:
    http = httpx.AsyncClient(base_url=jenkins_url)
    while True:  # the simulator process is starting
        try:
            await http.get("/api/json")
            break
        except httpx.TransportError:
            await asyncio.sleep(0.1)
    before = len(await simulator_calls(http))
    pool = await create_pool(database_url, min_size=2, max_size=args.clients + 4)
    guard = ActionGuard(GuardPolicy(max_concurrent=args.max_running, cooldown_s=0))
    settings = RunnerSettings(
        database_url=database_url,
        rabbitmq_url=rabbitmq_url,
        jenkins_url=jenkins_url,
        runner_id="bench",
        runner_prefetch=args.max_running,
        runner_poll_interval_s=0.01,
        guard_max_concurrent=args.max_running,
        guard_cooldown_s=0,
        log_level="WARNING",
    )
    stop = asyncio.Event()
    relay = OutboxRelay(
        pool,
        EventPublisher(rabbitmq_url),
        database_url=database_url,
        policy=RelayPolicy(poll_interval_s=0.2),
    )
    tasks = [
        asyncio.create_task(relay.run(stop)),
        asyncio.create_task(run_runner(settings, stop=stop)),
    ]
    while len(await simulator_calls(http)) <= before:  # the runner's start-up health probe
        await asyncio.sleep(0.05)

    # Phase 1, throughput: a burst of requests from concurrent clients.
    burst = range(args.actions)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in burst:
        queue.put_nowait(n)

    async def client() -> None:
        while not queue.empty():
            n = queue.get_nowait()
            await request(n)

    async def request(n: int) -> int:
        action = await service.request_action(
            pool, action="restart", job=f"bench-{n}", build=1, requested_by="bench", guard=guard
        )
        committed[n] = time.time()
        assert action.status == "approved", action.status_reason
        return action.id

    committed: dict[int, float] = {}
    started = time.time()
    await asyncio.gather(*(client() for _ in range(args.clients)))
    async with pool.acquire() as conn:
        while await final_count(conn) < args.actions:
            await asyncio.sleep(0.02)
        last = await conn.fetchval(
            "SELECT extract(epoch FROM max(finished_at)) FROM action_executions"
        )
    elapsed = float(last) - started

    # Phase 2, latency: one request at a time, so no backlog is measured.
    quiet = range(args.actions, args.actions + args.latency_actions)
    async with pool.acquire() as conn:
        for n in quiet:
            await request(n)
            while await final_count(conn) < n + 1:
                await asyncio.sleep(0.002)
        rows = await conn.fetch(
            "SELECT status, count(*) AS n FROM action_executions GROUP BY status"
        )
    stop.set()
    await asyncio.gather(*tasks)
    await pool.close()

    first_call: dict[int, float] = {}
    post_call: dict[int, float] = {}
    for call in await simulator_calls(http):
        if call["path"].startswith("/job/bench-"):
            n = int(call["path"].split("/")[2].removeprefix("bench-"))
            first_call.setdefault(n, call["at"])
            if call["method"] == "POST":
                post_call.setdefault(n, call["at"])
    await http.aclose()
    to_first = [(first_call[n] - committed[n]) * 1000 for n in quiet]
    to_post = [(post_call[n] - committed[n]) * 1000 for n in quiet]
    outcome = {r["status"]: r["n"] for r in rows}
    print(f"outcome: {outcome}")
    print(
        f"throughput: {args.actions / elapsed:.1f} actions/s request -> succeeded"
        f" ({args.actions} actions, {args.clients} clients, max running {args.max_running}, {elapsed:.2f}s)"
    )
    print(f"latency, {args.latency_actions} actions one at a time:")
    print(
        f"  request committed -> first Jenkins call: p50 {statistics.median(to_first):.1f} ms, p99 {percentile(to_first, 0.99):.1f} ms"
    )
    print(
        f"  request committed -> build POST:         p50 {statistics.median(to_post):.1f} ms, p99 {percentile(to_post, 0.99):.1f} ms"
    )


async def final_count(conn: asyncpg.Connection | Any) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM action_executions"
        " WHERE status IN ('succeeded', 'failed', 'rejected', 'unknown')"
    )
    return count


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--actions", type=int, default=300)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--max-running", type=int, default=64)
    parser.add_argument("--latency-actions", type=int, default=100)
    args = parser.parse_args()
    run = uuid.uuid4().hex[:8]
    name = f"runbooks_bench_{run}"
    database_url = f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"
    rabbitmqctl("add_vhost", name)
    rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    configure_logging("WARNING")
    # The simulator runs in its own process, as Jenkins would: no GIL shared with the runner.
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as jobs:
        yaml.safe_dump(simulator_config(args.actions + args.latency_actions).model_dump(), jobs)
        port = free_port()
        simulator = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "backend",
                "simulate",
                "jenkins",
                "--port",
                str(port),
                "--config",
                jobs.name,
            ],
            env={k: v for k, v in os.environ.items() if not k.startswith("JENKINS_")},
            stderr=subprocess.DEVNULL,
        )
        try:
            asyncio.run(upgrade(database_url))
            asyncio.run(
                bench(
                    args,
                    database_url,
                    f"amqp://guest:guest@127.0.0.1:5672/{name}",
                    f"http://127.0.0.1:{port}",
                )
            )
        finally:
            simulator.terminate()
            simulator.wait(timeout=10)
            cleanup(name)


def cleanup(name: str) -> None:
    """Drop the bench's vhost and database."""
    rabbitmqctl("delete_vhost", name)

    async def drop() -> None:
        conn = await asyncpg.connect(PG_ADMIN)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())


if __name__ == "__main__":
    main()
