"""The outbox relay on the real broker: outages, concurrency, retries."""

from __future__ import annotations

import asyncio
import socket
from collections import Counter

import asyncpg
import httpx
import orjson
from aio_pika.abc import AbstractQueue

from backend.outbox.relay import OutboxRelay
from backend.repositories import outbox as outbox_sql
from backend.uow import UnitOfWork
from tests.integration.core.conftest import (
    RelayFactory,
    build_failure,
    drain,
    jenkins_record,
    wait_until_published,
)


def dead_port_url() -> str:
    """An AMQP URL on a local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"amqp://guest:guest@127.0.0.1:{port}/"


async def queue_events(pool: asyncpg.Pool, count: int) -> set[str]:
    async with UnitOfWork(pool) as uow:
        ids = {str(uow.outbox.add("test.event", {"n": n})) for n in range(count)}
        await uow.commit()
    return ids


async def test_broker_unreachable_then_back_delivers_every_event_once(
    client: httpx.AsyncClient,
    db_pool: asyncpg.Pool,
    events_queue: AbstractQueue,
    make_relay: RelayFactory,
) -> None:
    stop = asyncio.Event()
    blind = make_relay(dead_port_url())
    blind_task = asyncio.create_task(blind.run(stop))
    # Logs keep flowing while the relay cannot reach a broker.
    for n in range(5):
        batch = [jenkins_record(100 * n + i) for i in range(10)]
        batch.append(build_failure(100 * n + 50, job=f"svc-{n}"))
        reply = await client.post("/api/logs/jenkins", json=batch)
        assert reply.status_code == 200
    expected = {str(r["id"]) for r in await db_pool.fetch("SELECT id FROM outbox_events")}
    assert len(expected) >= 5
    stop.set()
    await blind_task
    pending = await db_pool.fetch("SELECT status, attempts FROM outbox_events")
    assert {(r["status"], r["attempts"]) for r in pending} == {("pending", 0)}

    stop = asyncio.Event()
    task = asyncio.create_task(make_relay().run(stop))
    try:
        await wait_until_published(db_pool)
    finally:
        stop.set()
        await task
    delivered = [m.message_id for m in await drain(events_queue)]
    assert sorted(delivered) == sorted(expected)


async def test_two_relays_publish_each_event_exactly_once(
    db_pool: asyncpg.Pool, events_queue: AbstractQueue, make_relay: RelayFactory
) -> None:
    expected = await queue_events(db_pool, 2000)
    stop = asyncio.Event()
    relays = [make_relay(batch_size=100), make_relay(batch_size=100)]
    tasks = [asyncio.create_task(r.run(stop)) for r in relays]
    try:
        # More events while both relays are draining.
        expected |= await queue_events(db_pool, 500)
        await wait_until_published(db_pool, timeout=30)
    finally:
        stop.set()
        await asyncio.gather(*tasks)
    delivered = Counter(m.message_id for m in await drain(events_queue))
    assert set(delivered) == expected
    assert max(delivered.values()) == 1


async def test_relay_wakes_on_notify(
    db_pool: asyncpg.Pool, events_queue: AbstractQueue, make_relay: RelayFactory
) -> None:
    stop = asyncio.Event()
    relay = make_relay(poll_interval_s=30)  # only a NOTIFY can wake it in time
    task = asyncio.create_task(relay.run(stop))
    try:
        deadline = asyncio.get_running_loop().time() + 10
        while not relay._publisher.connected:
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.02)
        [event_id] = await queue_events(db_pool, 1)
        message = await events_queue.get(timeout=5, fail=False)
        while message is None:
            assert asyncio.get_running_loop().time() < deadline, "relay did not wake"
            await asyncio.sleep(0.01)
            message = await events_queue.get(timeout=5, fail=False)
        assert message.message_id == event_id
        assert orjson.loads(message.body)["n"] == 0
    finally:
        stop.set()
        await task


async def test_failed_attempts_back_off_then_die(db_pool: asyncpg.Pool) -> None:
    await queue_events(db_pool, 1)
    statuses = []
    for attempt in range(3):
        async with db_pool.acquire() as conn, conn.transaction():
            await conn.execute("UPDATE outbox_events SET next_attempt_at = now()")
            [event] = await outbox_sql.claim_due(conn, limit=10)
            dead = await outbox_sql.mark_failed(
                conn,
                [(event.id, "nack")],
                max_attempts=3,
                backoff_base_s=10,
                backoff_max_s=25,
            )
        row = await db_pool.fetchrow(
            "SELECT status, attempts, last_error,"
            " EXTRACT(EPOCH FROM next_attempt_at - now())::float8 AS wait FROM outbox_events"
        )
        assert row is not None
        assert row["attempts"] == attempt + 1
        assert row["last_error"] == "nack"
        statuses.append((row["status"], dead))
        if attempt < 2:
            assert abs(row["wait"] - min(25, 10 * 2**attempt)) < 1
    assert statuses == [("pending", 0), ("pending", 0), ("dead", 1)]
    async with db_pool.acquire() as conn:
        assert await outbox_sql.claim_due(conn, limit=10) == []
        backlog = await outbox_sql.backlog(conn)
    assert (backlog.pending, backlog.dead) == (0, 1)


async def test_uow_rolls_back_events_with_the_change(db_pool: asyncpg.Pool) -> None:
    async with UnitOfWork(db_pool) as uow:
        uow.outbox.add("test.event", {"n": 1})
        await uow.audit.record("incident", 1, "test", "tester")
        # no commit: nothing of it may remain
    assert await db_pool.fetchval("SELECT count(*) FROM outbox_events") == 0
    assert await db_pool.fetchval("SELECT count(*) FROM audit_log") == 0


async def test_relay_claims_nothing_locked_by_another(
    db_pool: asyncpg.Pool, make_relay: RelayFactory
) -> None:
    await queue_events(db_pool, 3)
    async with db_pool.acquire() as conn, conn.transaction():
        held = await outbox_sql.claim_due(conn, limit=10)
        assert len(held) == 3
        relay: OutboxRelay = make_relay()
        outcome = await relay.relay_batch()  # not connected, but it finds nothing to publish
        assert outcome.claimed == 0
