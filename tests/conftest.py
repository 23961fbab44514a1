"""Fixtures: each test run gets its own PostgreSQL database and RabbitMQ vhost.

Tests never mock the database or the broker. The run's database and vhost are
created at session start, exported as DATABASE_URL / RABBITMQ_URL (so processes
started by tests use them too) and dropped at the end. Each test that asks for
`db_pool` starts from empty tables.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

from backend.db.migrate import upgrade
from backend.db.pool import create_pool

PG_ADMIN = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
RUN_ID = uuid.uuid4().hex[:10]
TEST_TOKEN = "test-token-0123456789abcdef"


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A fresh, migrated database for this test run."""
    name = f"runbooks_test_{RUN_ID}"
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    asyncio.run(upgrade(url))
    os.environ["DATABASE_URL"] = url
    yield url

    async def drop() -> None:
        conn = await asyncpg.connect(PG_ADMIN)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())


@pytest.fixture(scope="session")
def rabbitmq_url() -> Iterator[str]:
    """A fresh vhost for this test run."""
    vhost = f"runbooks_test_{RUN_ID}"
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    url = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    os.environ["RABBITMQ_URL"] = url
    yield url
    _rabbitmqctl("delete_vhost", vhost)


@pytest.fixture(scope="session")
def api_token() -> str:
    os.environ["API_TOKEN"] = TEST_TOKEN
    return TEST_TOKEN


TABLES = (
    "logs_jenkins, logs_api, action_executions, incidents, outbox_events, detection_buckets,"
    " ingest_checkpoints, processed_messages, audit_log"
)


@pytest.fixture
async def db_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on the run's database, its tables emptied first."""
    pool = await create_pool(database_url, min_size=1, max_size=8)
    async with pool.acquire() as conn:
        await conn.execute(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE")
    yield pool
    await pool.close()
