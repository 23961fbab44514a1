"""The publisher process killed mid-run and restarted: no gap, no duplicate rows."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from elasticsearch import AsyncElasticsearch

from ingest.consumer import LogConsumer
from tests.integration.ingest.support import eventually, index_documents, jenkins_doc
from tests.integration.ingest.tcp_proxy import TcpProxy

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
async def slow_broker() -> AsyncIterator[TcpProxy]:
    """RabbitMQ behind a proxy that holds each chunk 50 ms: the first run lasts seconds."""
    proxy = TcpProxy("127.0.0.1", 5672, delay_s=0.05)
    await proxy.start()
    yield proxy
    await proxy.cut()


@pytest.fixture
def publisher_env(
    es_url: str, database_url: str, rabbitmq_url: str, slow_broker: TcpProxy
) -> Iterator[dict[str, str]]:
    vhost = rabbitmq_url.rsplit("/", 1)[1]
    env = {
        **os.environ,
        "ES_URL": es_url,
        "DATABASE_URL": database_url,
        "RABBITMQ_URL": f"amqp://guest:guest@127.0.0.1:{slow_broker.port}/{vhost}",
        "ES_PAGE_SIZE": "100",
        "ES_OVERLAP_S": "2",
        "ES_POLL_INTERVAL_S": "0.1",
        "LOG_LEVEL": "WARNING",
    }
    yield env


def start_publisher(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration.ingest.publisher_process"], cwd=ROOT, env=env
    )


async def test_killed_publisher_resumes_from_its_checkpoint(
    es: AsyncElasticsearch,
    db_pool: asyncpg.Pool,
    publisher_env: dict[str, str],
    consumer: LogConsumer,
) -> None:
    total = 5000
    start = datetime(2024, 7, 1, tzinfo=UTC)
    docs = [
        (
            "jenkins-logs-r",
            f"r{n:05d}",
            jenkins_doc(n, (start + timedelta(milliseconds=10 * (n // 4))).isoformat()),
        )
        for n in range(total)  # four documents per timestamp
    ]
    await index_documents(es, docs)
    process = start_publisher(publisher_env)
    try:

        async def checkpointed() -> bool:
            return bool(await db_pool.fetchval("SELECT count(*) FROM ingest_checkpoints"))

        await eventually(checkpointed, what="a first checkpoint")
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        held = await db_pool.fetchval("SELECT last_id FROM ingest_checkpoints")
        assert held != docs[-1][1], "killed too late to test a restart"

        process = start_publisher(publisher_env)

        async def all_stored() -> bool:
            return bool(await db_pool.fetchval("SELECT count(*) FROM logs_jenkins") >= total)

        await eventually(all_stored, timeout=90, what=f"{total} rows")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) in (0, -signal.SIGTERM)

    rows = await db_pool.fetch("SELECT source_id FROM logs_jenkins")
    assert len(rows) == total
    assert {r["source_id"] for r in rows} == {doc_id for _, doc_id, _ in docs}
    # Resumed from the checkpoint: only the pages in flight and the short overlap came again.
    assert consumer.stats.duplicates < 1000
    assert await db_pool.fetchval("SELECT last_id FROM ingest_checkpoints") == docs[-1][1]
