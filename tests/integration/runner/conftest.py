"""The runner's integration harness: simulator, relay and runner in-process on the run's
database and vhost."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar

import aio_pika
import asyncpg
import orjson
import pytest
from aio_pika.abc import AbstractChannel, AbstractQueue
from pydantic import SecretStr

from backend.messaging.topology import ACTION_REQUESTS_QUEUE, EVENTS_EXCHANGE, declare_topology
from backend.outbox.publisher import EventPublisher
from backend.outbox.relay import OutboxRelay, RelayPolicy
from runner.process import run_runner
from runner.settings import RunnerSettings
from runner.simulator.server import SimulatorServer
from tests.integration.runner.simulator_fixtures import TOKEN, USER, start_simulator

T = TypeVar("T")


async def eventually(probe: Callable[[], Awaitable[T | None]], *, timeout_s: float = 15.0) -> T:
    """Poll `probe` until it returns something truthy, or fail at the deadline."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout_s}s (last: {value!r})")
        await asyncio.sleep(0.02)


@pytest.fixture
def simulator() -> Iterator[SimulatorServer]:
    server = start_simulator(build_seconds=0.0)
    yield server
    server.stop()


RunnerSettingsFactory = Callable[..., RunnerSettings]


@pytest.fixture
def runner_settings(database_url: str, rabbitmq_url: str) -> RunnerSettingsFactory:
    def make(simulator: SimulatorServer, **overrides: Any) -> RunnerSettings:
        values: dict[str, Any] = {
            "database_url": database_url,
            "rabbitmq_url": rabbitmq_url,
            "jenkins_url": simulator.url,
            "jenkins_user": USER,
            "jenkins_api_token": SecretStr(TOKEN),
            "jenkins_backoff_s": 0.01,
            "jenkins_backoff_max_s": 0.05,
            "runner_id": f"test-runner-{uuid.uuid4().hex[:8]}",
            "runner_poll_interval_s": 0.02,
            "guard_cooldown_s": 0.0,
        }
        return RunnerSettings(**(values | overrides))

    return make


@pytest.fixture
async def amqp(rabbitmq_url: str) -> AsyncIterator[AbstractChannel]:
    """A channel with the topology declared and `action_requests` emptied of older tests' messages."""
    connection = await aio_pika.connect(rabbitmq_url)
    channel = await connection.channel()
    await declare_topology(channel)
    await (await channel.get_queue(ACTION_REQUESTS_QUEUE)).purge()
    yield channel
    await connection.close()


@pytest.fixture
async def events_queue(amqp: AbstractChannel) -> AbstractQueue:
    """An exclusive queue that sees every event on `events`."""
    exchange = await amqp.get_exchange(EVENTS_EXCHANGE)
    queue = await amqp.declare_queue(f"test-runner-events-{uuid.uuid4().hex}", exclusive=True)
    await queue.bind(exchange, routing_key="#")
    return queue


@pytest.fixture
async def relay(
    db_pool: asyncpg.Pool, database_url: str, rabbitmq_url: str, amqp: AbstractChannel
) -> AsyncIterator[None]:
    """The outbox relay as a task: events committed in a test reach RabbitMQ."""
    relay = OutboxRelay(
        db_pool,
        EventPublisher(rabbitmq_url, confirm_timeout_s=5),
        database_url=database_url,
        policy=RelayPolicy(poll_interval_s=0.1, reconnect_max_s=0.5),
    )
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    yield
    stop.set()
    await asyncio.wait_for(task, timeout=10)


class RunnerTask:
    """`runbooks runner` as a task of the test's loop."""

    def __init__(self, settings: RunnerSettings) -> None:
        self.settings = settings
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> RunnerTask:
        self.task = asyncio.create_task(run_runner(self.settings, stop=self.stop))
        return self

    async def __aexit__(self, *_: object) -> None:
        self.stop.set()
        assert self.task is not None
        await asyncio.wait_for(self.task, timeout=30)


async def drain_events(
    queue: AbstractQueue, *, until: Callable[[list[dict[str, Any]]], bool], timeout_s: float = 15.0
) -> list[dict[str, Any]]:
    """Read events (JSON bodies) until `until(events)` holds."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout_s
    while not until(seen):
        if time.monotonic() > deadline:
            raise AssertionError(f"events seen: {[e['event_type'] for e in seen]}")
        message = await queue.get(fail=False, timeout=1)
        if message is None:
            await asyncio.sleep(0.05)
            continue
        await message.ack()
        seen.append(orjson.loads(message.body))
    return seen
