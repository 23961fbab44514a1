"""Fixtures of the ingest tests: an osmem-server clone per test, clean log queues."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aio_pika
import asyncpg
import httpx
import pytest
from elasticsearch import AsyncElasticsearch
from osmem_server import OsmemServer

from backend.api.app import create_app
from backend.messaging.topology import LOGS_EXCHANGE, QUEUES, declare_topology
from backend.settings import ApiSettings
from ingest.backend_client import IngestClient
from ingest.checkpoints import CheckpointRepository
from ingest.consumer import ConsumerOptions, LogConsumer
from ingest.log_exchange import LogExchange
from ingest.mapping import load_mapping
from ingest.publisher import IndexSource, LogPublisher, PublisherOptions
from ingest.search import LogSearch
from tests.integration.ingest.osmem_client import osmem_client
from tests.integration.ingest.support import PublisherFactory


@pytest.fixture(scope="session")
def es_server() -> Iterator[OsmemServer]:
    """One osmem-server process for the run (an in-memory Elasticsearch-compatible server)."""
    with OsmemServer.start(japanese=False) as server:
        yield server


@pytest.fixture
def es_url(es_server: OsmemServer) -> Iterator[str]:
    """A fresh, empty cluster for one test."""
    with es_server.clone() as clone:
        yield clone.url


@pytest.fixture
async def es(es_url: str) -> AsyncIterator[AsyncElasticsearch]:
    client = osmem_client(es_url)
    yield client
    await client.close()


@pytest.fixture
async def amqp(rabbitmq_url: str) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A channel on the run's vhost, with the topology declared and the log queues empty."""
    connection = await aio_pika.connect(rabbitmq_url)
    channel = await connection.channel()
    await declare_topology(channel)
    for spec in QUEUES:
        if spec.exchange == LOGS_EXCHANGE:
            for name in (spec.name, spec.dead_letter_queue):
                await (await channel.declare_queue(name, passive=True)).purge()
    yield channel
    await connection.close()


class SwitchableTransport(httpx.AsyncBaseTransport):
    """The in-process backend, which a test can make unreachable for a while."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.down = False
        self.refused_while_down = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            self.refused_while_down += 1
            raise httpx.ConnectError("backend down (test)", request=request)
        return await self.inner.handle_async_request(request)


@pytest.fixture
async def backend(
    db_pool: asyncpg.Pool, database_url: str, rabbitmq_url: str, api_token: str
) -> AsyncIterator[SwitchableTransport]:
    """The real backend app (ingestion, detection, outbox) in-process on the run's database."""
    settings = ApiSettings(
        database_url=database_url, rabbitmq_url=rabbitmq_url, api_token=api_token
    )
    app = create_app(settings, pool=db_pool, probe_broker=False)
    async with app.router.lifespan_context(app):
        yield SwitchableTransport(httpx.ASGITransport(app=app))


@pytest.fixture
async def consumer(
    backend: SwitchableTransport, rabbitmq_url: str, api_token: str
) -> AsyncIterator[LogConsumer]:
    """A running consumer posting to the in-process backend; stopped after the test."""
    client = IngestClient("http://backend.test", api_token, transport=backend)
    consumer = LogConsumer(
        rabbitmq_url=rabbitmq_url,
        client=client,
        options=ConsumerOptions(batch_size=500, batch_wait_s=0.05, backoff_max_s=0.2),
    )
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    yield consumer
    stop.set()
    await asyncio.wait_for(task, 15)
    await client.close()


@pytest.fixture
async def start_publisher(
    es: AsyncElasticsearch, db_pool: asyncpg.Pool, rabbitmq_url: str
) -> AsyncIterator[PublisherFactory]:
    """Start publishers on both log index patterns (`url` overrides RabbitMQ's); stopped after."""
    started: list[tuple[asyncio.Task[None], asyncio.Event, LogExchange]] = []

    def start(url: str | None = None, **options: Any) -> LogPublisher:
        exchange = LogExchange(url or rabbitmq_url)
        publisher = LogPublisher(
            search=LogSearch(es),
            exchange=exchange,
            checkpoints=CheckpointRepository(db_pool),
            mapping=load_mapping(),
            sources=(IndexSource("jenkins", "jenkins-logs-*"), IndexSource("api", "api-logs-*")),
            options=PublisherOptions(**{"page_size": 250, "poll_interval_s": 0.05, **options}),
        )
        stop = asyncio.Event()
        started.append((asyncio.create_task(publisher.run(stop)), stop, exchange))
        return publisher

    yield start
    for task, stop, exchange in started:
        stop.set()
        await asyncio.wait_for(task, 15)
        await exchange.close()
