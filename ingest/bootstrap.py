"""Composition roots of the ingest services: settings in, running service out."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import elastic_transport

from backend.db.pool import create_pool
from ingest.backend_client import IngestClient
from ingest.checkpoints import CheckpointRepository
from ingest.consumer import ConsumerOptions, LogConsumer
from ingest.lifecycle import stop_on_signals
from ingest.log_exchange import LogExchange
from ingest.mapping import load_mapping
from ingest.publisher import IndexSource, LogPublisher, PublisherOptions
from ingest.search import LogSearch, build_es_client
from ingest.settings import ConsumerSettings, PublisherSettings


async def serve_publisher(
    settings: PublisherSettings,
    *,
    stop: asyncio.Event | None = None,
    node_class: type[elastic_transport.BaseNode] | None = None,
) -> None:
    """Run the publisher until stopped; `node_class` adapts the ES client in tests only."""
    stop = stop or stop_on_signals()
    mapping = load_mapping(settings.ingest_mapping_file)
    pool = await create_pool(settings.database_url, min_size=1, max_size=2)
    client = build_es_client(settings, node_class=node_class)
    exchange = LogExchange(settings.rabbitmq_url, max_in_flight=settings.publish_max_in_flight)
    publisher = LogPublisher(
        search=LogSearch(client, tiebreaker=settings.es_tiebreaker_field),
        exchange=exchange,
        checkpoints=CheckpointRepository(pool),
        mapping=mapping,
        sources=(
            IndexSource("jenkins", settings.es_jenkins_index),
            IndexSource("api", settings.es_api_index),
        ),
        options=PublisherOptions(
            page_size=settings.es_page_size,
            overlap=timedelta(seconds=settings.es_overlap_s),
            poll_interval_s=settings.es_poll_interval_s,
            late_sweep_interval_s=settings.es_late_sweep_interval_s,
            backoff_max_s=settings.publish_backoff_max_s,
        ),
    )
    try:
        await publisher.run(stop)
    finally:
        await exchange.close()
        await client.close()
        await pool.close()


async def serve_consumer(settings: ConsumerSettings, *, stop: asyncio.Event | None = None) -> None:
    """Run the consumer until stopped."""
    stop = stop or stop_on_signals()
    client = IngestClient(
        settings.backend_url,
        settings.api_token.get_secret_value(),
        timeout_s=settings.consume_request_timeout_s,
    )
    consumer = LogConsumer(
        rabbitmq_url=settings.rabbitmq_url,
        client=client,
        options=ConsumerOptions(
            batch_size=settings.consume_batch_size,
            batch_wait_s=settings.consume_batch_wait_s,
            backoff_max_s=settings.consume_backoff_max_s,
        ),
    )
    try:
        await consumer.run(stop)
    finally:
        await client.close()
