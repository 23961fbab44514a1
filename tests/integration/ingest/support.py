"""Helpers of the ingest tests: index documents in osmem, read what reached RabbitMQ."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aio_pika
from elasticsearch import AsyncElasticsearch

from ingest.publisher import LogPublisher

# Starts a publisher on both index patterns: (rabbitmq_url=None, **PublisherOptions).
PublisherFactory = Callable[..., LogPublisher]


async def index_documents(
    es: AsyncElasticsearch, docs: Sequence[tuple[str, str, dict[str, Any]]], *, chunk: int = 2000
) -> None:
    """Bulk-index (index, id, source) triples, searchable on return."""
    for start in range(0, len(docs), chunk):
        operations: list[dict[str, Any]] = []
        for index, doc_id, source in docs[start : start + chunk]:
            operations.append({"index": {"_index": index, "_id": doc_id}})
            operations.append(source)
        response = await es.bulk(operations=operations, refresh=True)
        assert not response["errors"], response


def jenkins_doc(n: int, timestamp: str, *, level: str = "INFO") -> dict[str, Any]:
    return {
        "@timestamp": timestamp,
        "level": level,
        "message": f"[Pipeline] step {n}",
        "job_name": f"job-{n % 7}",
        "build_number": n % 50 + 1,
    }


def api_doc(n: int, timestamp: str, *, status: int = 200) -> dict[str, Any]:
    return {
        "@timestamp": timestamp,
        "http_method": "GET",
        "http_status": status,
        "endpoint": f"/api/items/{n % 13}",
        "message": f"request {n}",
    }


async def eventually(
    check: Callable[[], Awaitable[bool]], *, timeout: float = 30.0, what: str = "condition"
) -> None:
    """Poll `check` until true, failing the test at the deadline."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.05)


async def queue_depth(channel: aio_pika.abc.AbstractChannel, name: str) -> int:
    queue = await channel.declare_queue(name, passive=True)
    return int(queue.declaration_result.message_count or 0)


async def drain(
    channel: aio_pika.abc.AbstractChannel, name: str
) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Every message now in a queue, acked."""
    queue = await channel.declare_queue(name, passive=True)
    messages = []
    while (message := await queue.get(no_ack=True, fail=False)) is not None:
        messages.append(message)
    return messages
