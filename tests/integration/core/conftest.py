"""The API in-process on the run's database, and relays as tasks on the run's vhost."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import asyncpg
import httpx
import pytest
from aio_pika.abc import AbstractQueue

from backend.api.app import create_app
from backend.messaging.topology import EVENTS_EXCHANGE
from backend.outbox.publisher import EventPublisher
from backend.outbox.relay import OutboxRelay, RelayPolicy
from backend.settings import ApiSettings


@pytest.fixture
def api_settings(database_url: str, rabbitmq_url: str, api_token: str) -> ApiSettings:
    return ApiSettings(
        database_url=database_url,
        rabbitmq_url=rabbitmq_url,
        api_token=api_token,
        incident_update_interval_s=60,
    )


@pytest.fixture
async def client(
    db_pool: asyncpg.Pool, api_settings: ApiSettings, api_token: str
) -> AsyncIterator[httpx.AsyncClient]:
    """An authenticated client of the app, run in-process with its lifespan."""
    app = create_app(api_settings, pool=db_pool)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://api.test",
            headers={"Authorization": f"Bearer {api_token}"},
        ) as http:
            yield http


@pytest.fixture
async def amqp(rabbitmq_url: str) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    connection = await aio_pika.connect(rabbitmq_url)
    channel = await connection.channel()
    yield channel
    await connection.close()


@pytest.fixture
async def events_queue(amqp: aio_pika.abc.AbstractChannel) -> AsyncIterator[AbstractQueue]:
    """An exclusive queue bound to every routing key of `events`."""
    exchange = await amqp.declare_exchange(
        EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
    )
    queue = await amqp.declare_queue(f"test-events-{uuid.uuid4().hex}", exclusive=True)
    await queue.bind(exchange, routing_key="#")
    yield queue


RelayFactory = Callable[..., OutboxRelay]


@pytest.fixture
def make_relay(db_pool: asyncpg.Pool, database_url: str, rabbitmq_url: str) -> RelayFactory:
    def make(url: str | None = None, **policy: Any) -> OutboxRelay:
        return OutboxRelay(
            db_pool,
            EventPublisher(url or rabbitmq_url, confirm_timeout_s=5),
            database_url=database_url,
            policy=RelayPolicy(**{"poll_interval_s": 0.2, "reconnect_max_s": 0.5, **policy}),
        )

    return make


async def collect(queue: AbstractQueue, count: int, *, timeout: float = 10.0) -> list[Any]:
    """Consume `count` messages (acked), failing after `timeout` seconds."""
    received: list[Any] = []
    done = asyncio.Event()

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        async with message.process():
            received.append(message)
            if len(received) >= count:
                done.set()

    tag = await queue.consume(on_message)
    try:
        await asyncio.wait_for(done.wait(), timeout)
    finally:
        await queue.cancel(tag)
    return received


async def drain(queue: AbstractQueue) -> list[Any]:
    """Every message on the queue (call once the outbox has nothing pending)."""
    declared = await queue.declare()
    count = declared.message_count or 0
    return await collect(queue, count) if count else []


async def wait_until_published(pool: asyncpg.Pool, *, timeout: float = 15.0) -> None:
    """Poll until no outbox event is pending (every one confirmed by the broker)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        pending = await pool.fetchval(
            "SELECT count(*) FROM outbox_events WHERE status <> 'published'"
        )
        if pending == 0:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{pending} outbox events still not published")
        await asyncio.sleep(0.05)


def jenkins_record(i: int, **overrides: Any) -> dict[str, Any]:
    """A realistic INFO line with its source identity."""
    ts = datetime(2025, 3, 1, 12, 0, tzinfo=UTC) + timedelta(seconds=i)
    record: dict[str, Any] = {
        "@timestamp": ts.isoformat().replace("+00:00", "Z"),
        "level": "INFO",
        "message": f"[Pipeline] sh step {i}: npm ci",
        "job_name": "web-app",
        "build_number": 41,
        "details": {"node": "agent-2"},
        "_index": "jenkins-logs-2025.03.01",
        "_id": f"doc-{i}",
    }
    record.update(overrides)
    return record


def build_failure(i: int, job: str = "deploy-prod", build: int = 128) -> dict[str, Any]:
    return jenkins_record(
        i,
        level="ERROR",
        message="Finished: FAILURE",
        job_name=job,
        build_number=build,
        _id=f"fail-{job}-{build}-{i}",
    )
