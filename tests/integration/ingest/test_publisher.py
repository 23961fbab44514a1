"""Publisher against osmem-server, RabbitMQ and PostgreSQL: order, confirms, checkpoint."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import aio_pika
import asyncpg
import orjson
import pytest
from elasticsearch import AsyncElasticsearch

from backend.messaging.topology import LOGS_API_QUEUE, LOGS_JENKINS_QUEUE
from tests.integration.ingest.support import (
    PublisherFactory,
    api_doc,
    drain,
    eventually,
    index_documents,
    jenkins_doc,
    queue_depth,
)
from tests.integration.ingest.tcp_proxy import TcpProxy


async def test_every_document_published_once_in_order_with_shared_timestamps(
    es: AsyncElasticsearch,
    db_pool: asyncpg.Pool,
    rabbitmq_url: str,
    amqp: aio_pika.abc.AbstractChannel,
    start_publisher: PublisherFactory,
) -> None:
    same = "2024-05-01T10:00:00.000Z"
    docs = [("jenkins-logs-2024.05.01", f"j{n:05d}", jenkins_doc(n, same)) for n in range(1200)]
    docs += [
        (
            "jenkins-logs-2024.05.02",
            f"k{n:05d}",
            jenkins_doc(n, f"2024-05-02T10:00:{n % 60:02d}.5Z", level="ERROR"),
        )
        for n in range(600)
    ]
    docs += [
        (
            "api-logs-2024.05.01",
            f"a{n:04d}",
            api_doc(n, "2024-05-01T11:00:00Z", status=503 if n % 3 else 200),
        )
        for n in range(300)
    ]
    await index_documents(es, docs)
    start_publisher()

    async def all_published() -> bool:
        return (
            await queue_depth(amqp, LOGS_JENKINS_QUEUE),
            await queue_depth(amqp, LOGS_API_QUEUE),
        ) == (1800, 300)

    await eventually(all_published, what="1,800 + 300 messages")
    jenkins = await drain(amqp, LOGS_JENKINS_QUEUE)
    api = await drain(amqp, LOGS_API_QUEUE)
    ids = Counter(m.message_id for m in jenkins + api)
    assert set(ids) == {f"{index}/{doc_id}" for index, doc_id, _ in docs}
    assert max(ids.values()) == 1

    first = orjson.loads(jenkins[0].body)
    assert jenkins[0].message_id == "jenkins-logs-2024.05.01/j00000"
    assert (first["_index"], first["_id"], first["level"]) == (
        "jenkins-logs-2024.05.01",
        "j00000",
        "INFO",
    )
    assert jenkins[0].delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert Counter(m.routing_key for m in jenkins) == {
        "logs.jenkins.info": 1200,
        "logs.jenkins.error": 600,
    }
    assert Counter(m.routing_key for m in api) == {"logs.api.5xx": 200, "logs.api.2xx": 100}

    rows = {r["source_index"]: r for r in await db_pool.fetch("SELECT * FROM ingest_checkpoints")}
    assert rows["jenkins-logs-*"]["last_id"] == "k00599"
    assert rows["api-logs-*"]["last_id"] == "a0299"


async def test_late_documents_inside_the_overlap_are_published(
    es: AsyncElasticsearch,
    db_pool: asyncpg.Pool,
    rabbitmq_url: str,
    amqp: aio_pika.abc.AbstractChannel,
    start_publisher: PublisherFactory,
) -> None:
    ts = "2024-05-01T10:00:05.000Z"
    await index_documents(es, [("jenkins-logs-x", f"m{n}", jenkins_doc(n, ts)) for n in range(5)])
    publisher = start_publisher(overlap=timedelta(seconds=60), late_sweep_interval_s=0.1)
    await eventually(lambda: _depth_is(amqp, 5), what="the first five")

    # Indexed after the checkpoint passed them: same timestamp with a smaller id, and older.
    await index_documents(
        es,
        [
            ("jenkins-logs-x", "a-late", jenkins_doc(90, ts)),
            ("jenkins-logs-x", "older", jenkins_doc(91, "2024-05-01T10:00:01.000Z")),
            ("jenkins-logs-x", "too-old", jenkins_doc(92, "2024-05-01T09:58:00.000Z")),
        ],
    )
    await eventually(lambda: _depth_is(amqp, 7), what="the two late documents")
    state = publisher.states["jenkins-logs-*"]
    sweeps = state.sweeps

    async def three_more_sweeps() -> bool:  # each re-reads the window: nothing twice
        return state.sweeps >= sweeps + 3

    await eventually(three_more_sweeps, what="more sweeps")
    ids = Counter(m.message_id for m in await drain(amqp, LOGS_JENKINS_QUEUE))
    assert set(ids) == {f"jenkins-logs-x/m{n}" for n in range(5)} | {
        "jenkins-logs-x/a-late",
        "jenkins-logs-x/older",
    }
    assert max(ids.values()) == 1
    checkpoint = await db_pool.fetchrow("SELECT last_id FROM ingest_checkpoints")
    assert checkpoint is not None and checkpoint["last_id"] == "m4"


async def _depth_is(amqp: aio_pika.abc.AbstractChannel, expected: int) -> bool:
    return await queue_depth(amqp, LOGS_JENKINS_QUEUE) == expected


@pytest.fixture
async def proxy() -> AsyncIterator[TcpProxy]:
    """A cuttable path to RabbitMQ; cut last, after the publishers stopped."""
    proxy = TcpProxy("127.0.0.1", 5672)
    await proxy.start()
    yield proxy
    await proxy.cut()


async def test_broker_outage_waits_resumes_and_never_checkpoints_past_unconfirmed(
    proxy: TcpProxy,
    es: AsyncElasticsearch,
    db_pool: asyncpg.Pool,
    rabbitmq_url: str,
    amqp: aio_pika.abc.AbstractChannel,
    start_publisher: PublisherFactory,
) -> None:
    total = 2000
    docs = [
        (
            "jenkins-logs-o",
            f"d{n:05d}",
            jenkins_doc(n, f"2024-05-01T10:{n // 60 % 60:02d}:{n % 60:02d}.{n // 3600:03d}Z"),
        )
        for n in range(total)
    ]
    docs.sort(key=lambda d: (d[2]["@timestamp"], d[1]))
    order = [f"jenkins-logs-o/{doc_id}" for _, doc_id, _ in docs]
    await index_documents(es, docs)
    proxy.delay_s = 0.05  # at least 2 s for the 40 pages: the cut lands mid-run
    vhost = rabbitmq_url.rsplit("/", 1)[1]
    publisher = start_publisher(
        f"amqp://guest:guest@127.0.0.1:{proxy.port}/{vhost}", page_size=50, backoff_max_s=0.3
    )

    async def some_progress() -> bool:
        return bool(await db_pool.fetchval("SELECT count(*) FROM ingest_checkpoints") == 1)

    await eventually(some_progress, what="a first checkpoint")
    await proxy.cut()
    state = publisher.states["jenkins-logs-*"]
    retries = state.retries

    async def retried_while_down() -> bool:
        return state.retries >= retries + 3

    await eventually(retried_while_down, timeout=60, what="retries while RabbitMQ is unreachable")
    held = await db_pool.fetchval("SELECT last_id FROM ingest_checkpoints")
    confirmed = {m.message_id for m in await drain(amqp, LOGS_JENKINS_QUEUE)}
    position = order.index(f"jenkins-logs-o/{held}")
    assert position < total - 1, "the outage should interrupt the run"
    missing = [mid for mid in order[: position + 1] if mid not in confirmed]
    assert missing == [], "checkpoint passed documents the broker never confirmed"

    await proxy.start()

    async def finished() -> bool:
        last = await db_pool.fetchval("SELECT last_id FROM ingest_checkpoints")
        return bool(last == docs[-1][1])

    await eventually(finished, timeout=90, what="the checkpoint to reach the last document")
    after = [m.message_id for m in await drain(amqp, LOGS_JENKINS_QUEUE)]
    assert confirmed | set(after) == set(order)
    # Re-sent after the outage: only documents past the held checkpoint.
    assert not set(after) & set(order[: position + 1])
