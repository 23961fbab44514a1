"""Elasticsearch (osmem) -> publisher -> RabbitMQ -> consumer -> backend -> PostgreSQL."""

from __future__ import annotations

import asyncio

import aio_pika
import asyncpg
import orjson
from elasticsearch import AsyncElasticsearch

from backend.messaging.topology import LOGS_EXCHANGE, LOGS_JENKINS_QUEUE
from ingest.backend_client import IngestClient
from ingest.consumer import REASON_HEADER, ConsumerOptions, LogConsumer
from tests.integration.ingest.conftest import SwitchableTransport
from tests.integration.ingest.support import (
    PublisherFactory,
    api_doc,
    drain,
    eventually,
    index_documents,
    jenkins_doc,
    queue_depth,
)


async def stored_ids(pool: asyncpg.Pool) -> list[tuple[str, str]]:
    rows = await pool.fetch(
        "SELECT source_index, source_id FROM logs_jenkins"
        " UNION ALL SELECT source_index, source_id FROM logs_api"
    )
    return [(r["source_index"], r["source_id"]) for r in rows]


async def row_count(pool: asyncpg.Pool) -> int:
    count = await pool.fetchval(
        "SELECT (SELECT count(*) FROM logs_jenkins) + (SELECT count(*) FROM logs_api)"
    )
    return int(count)


async def test_ten_thousand_documents_stored_exactly_once(
    es: AsyncElasticsearch,
    db_pool: asyncpg.Pool,
    amqp: aio_pika.abc.AbstractChannel,
    consumer: LogConsumer,
    start_publisher: PublisherFactory,
) -> None:
    crowded = "2024-06-01T08:00:00.000Z"  # 4,000 documents share this timestamp
    docs = [("jenkins-logs-2024.06.01", f"c{n:05d}", jenkins_doc(n, crowded)) for n in range(4000)]
    docs += [
        (
            "jenkins-logs-2024.06.02",
            f"j{n:05d}",
            jenkins_doc(n, f"2024-06-02T08:{n // 60 % 60:02d}:{n % 60:02d}Z"),
        )
        for n in range(2000)
    ]
    docs += [
        (
            "api-logs-2024.06.01",
            f"a{n:05d}",
            api_doc(n, f"2024-06-01T09:00:{n % 60:02d}.{n % 1000:03d}Z"),
        )
        for n in range(4000)
    ]
    await index_documents(es, docs)
    start_publisher(page_size=1000)

    async def all_stored() -> bool:
        return await row_count(db_pool) >= len(docs)

    await eventually(all_stored, timeout=120, what="10,000 rows")
    ids = await stored_ids(db_pool)
    assert len(ids) == len(docs)
    assert set(ids) == {(index, doc_id) for index, doc_id, _ in docs}
    assert consumer.stats.duplicates == 0, "nothing should have been published twice"
    assert consumer.stats.dead_lettered == 0


async def test_poison_document_dead_lettered_with_reason_rest_of_batch_stored(
    es: AsyncElasticsearch,
    db_pool: asyncpg.Pool,
    amqp: aio_pika.abc.AbstractChannel,
    consumer: LogConsumer,
    start_publisher: PublisherFactory,
) -> None:
    docs = [
        ("jenkins-logs-p", f"d{n:03d}", jenkins_doc(n, f"2024-06-01T08:00:{n:02d}Z"))
        for n in range(30)
    ]
    poison = {k: v for k, v in docs[12][2].items() if k != "level"}  # a line with no level
    docs[12] = ("jenkins-logs-p", "poison", poison)
    await index_documents(es, docs)
    start_publisher()

    async def dead_lettered() -> bool:
        return await queue_depth(amqp, f"{LOGS_JENKINS_QUEUE}.dlq") == 1

    await eventually(dead_lettered, what="the poison document in the DLQ")

    async def rest_stored() -> bool:
        return await row_count(db_pool) == 29

    await eventually(rest_stored, what="the other 29 documents")
    [dead] = await drain(amqp, f"{LOGS_JENKINS_QUEUE}.dlq")
    assert dead.message_id == "jenkins-logs-p/poison"
    headers = dead.headers or {}
    assert str(headers[REASON_HEADER]).startswith("level: ")
    assert headers["x-original-routing-key"] == "logs.jenkins.unknown"
    assert orjson.loads(dead.body)["message"] == "[Pipeline] step 12"
    assert ("jenkins-logs-p", "poison") not in await stored_ids(db_pool)
    assert consumer.stats.dead_lettered == 1


async def test_backend_down_retries_and_acks_nothing_until_stored(
    db_pool: asyncpg.Pool,
    amqp: aio_pika.abc.AbstractChannel,
    backend: SwitchableTransport,
    consumer: LogConsumer,
) -> None:
    backend.down = True
    exchange = await amqp.get_exchange(LOGS_EXCHANGE)
    for n in range(40):
        record = {
            "@timestamp": f"2024-06-01T08:00:{n:02d}Z",
            "level": "ERROR" if n == 39 else "INFO",
            "message": "Finished: FAILURE" if n == 39 else f"step {n}",
            "job_name": "deploy-prod",
            "build_number": 7,
            "_index": "direct-test",
            "_id": f"r{n}",
        }
        await exchange.publish(
            aio_pika.Message(orjson.dumps(record), message_id=f"direct-test/r{n}"),
            routing_key="logs.jenkins.info",
        )

    async def retried() -> bool:
        return consumer.stats.retries >= 3

    await eventually(retried, what="retries while the backend is down")
    assert await row_count(db_pool) == 0
    # Held, not acked: nothing is ready in the queue, and nothing was lost either.
    assert await queue_depth(amqp, LOGS_JENKINS_QUEUE) == 0
    backend.down = False

    async def stored() -> bool:
        return await row_count(db_pool) == 40

    await eventually(stored, what="all 40 records after the backend came back")
    incident = await db_pool.fetchrow("SELECT rule, job_name FROM incidents")
    assert incident is not None and incident["job_name"] == "deploy-prod"


async def test_batches_acked_whole_around_dead_letters_nothing_left_unacked(
    db_pool: asyncpg.Pool,
    amqp: aio_pika.abc.AbstractChannel,
    backend: SwitchableTransport,
    rabbitmq_url: str,
    api_token: str,
) -> None:
    exchange = await amqp.get_exchange(LOGS_EXCHANGE)
    refused = {0, 99, 150, 999}  # first and last of a batch of 100, and one inside
    for n in range(1000):
        record: dict[str, object] = {
            "@timestamp": f"2024-06-01T08:{n // 60:02d}:{n % 60:02d}Z",
            "message": f"step {n}",
            "job_name": "build",
            "build_number": 1,
            "_index": "acks-test",
            "_id": f"r{n}",
        }
        if n not in refused:
            record["level"] = "INFO"
        body = b"{not json" if n == 250 else orjson.dumps(record)
        await exchange.publish(
            aio_pika.Message(body, message_id=f"acks-test/r{n}"), routing_key="logs.jenkins.info"
        )
    client = IngestClient("http://backend.test", api_token, transport=backend)
    consumer = LogConsumer(
        rabbitmq_url=rabbitmq_url,
        client=client,
        options=ConsumerOptions(batch_size=100, batch_wait_s=0.05, backoff_max_s=0.2),
    )
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:

        async def settled() -> bool:
            return await row_count(db_pool) == 995 and consumer.stats.dead_lettered == 5

        await eventually(settled, what="995 rows and 5 dead letters")
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
        await client.close()
    # Its connection closed: anything left unacked would be back in the queue now.
    assert await queue_depth(amqp, LOGS_JENKINS_QUEUE) == 0
    assert await queue_depth(amqp, f"{LOGS_JENKINS_QUEUE}.dlq") == 5
    assert consumer.stats.duplicates == 0
    assert consumer.stats.batches >= 10
