"""Fixtures for the Slack tests: the Web API stand-in, clean card tables, a running relay."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aio_pika
import asyncpg
import pytest

from backend.detection.model import Detection
from backend.domain.statuses import Severity
from backend.messaging.topology import INCIDENT_NOTIFICATIONS_QUEUE, declare_topology
from backend.outbox.publisher import EventPublisher
from backend.outbox.relay import OutboxRelay, RelayPolicy
from backend.services.incident_models import IncidentPublic
from backend.services.incident_recording import record_detections
from backend.uow import UnitOfWork
from tests.support.slack_standin import SlackStandIn

BOT_TOKEN = "xoxb-test-0000-notarealtoken"


@pytest.fixture
async def slack() -> AsyncIterator[SlackStandIn]:
    async with SlackStandIn() as standin:
        yield standin


@pytest.fixture
async def pool(db_pool: asyncpg.Pool) -> asyncpg.Pool:
    """The test's pool, with the Slack card table emptied too."""
    async with db_pool.acquire() as conn:
        await conn.execute("TRUNCATE slack_messages")
    return db_pool


@pytest.fixture
async def events_flow(
    pool: asyncpg.Pool, database_url: str, rabbitmq_url: str
) -> AsyncIterator[EventPublisher]:
    """The real outbox relay running, `incident_notifications` emptied; yields a publisher."""
    connection = await aio_pika.connect(rabbitmq_url)
    channel = await connection.channel()
    await declare_topology(channel)
    await (await channel.get_queue(INCIDENT_NOTIFICATIONS_QUEUE)).purge()
    await connection.close()
    publisher = EventPublisher(rabbitmq_url)
    await publisher.connect()
    relay = OutboxRelay(
        pool, publisher, database_url=database_url, policy=RelayPolicy(poll_interval_s=0.2)
    )
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    yield publisher
    stop.set()
    await asyncio.wait_for(task, timeout=30)
    await publisher.close()


async def open_incident(
    pool: asyncpg.Pool,
    *,
    severity: Severity = Severity.CRITICAL,
    job: str = "deploy-prod",
    build: int = 123,
    rule: str = "jenkins_deployment_failure",
) -> IncidentPublic:
    """Open an incident the way log ingestion does (incident row + incident.detected outbox)."""
    now = datetime.now(UTC)
    detection = Detection(
        rule=rule,
        severity=severity,
        fingerprint=f"{rule}:{job}",
        group_key=job,
        source="jenkins",
        title=f"Deployment of {job} failed",
        message=f"ERROR: deploy step failed for {job} <@channel> build {build}",
        first_seen=now,
        last_seen=now,
        job_name=job,
        build_number=build,
        runbook_url="https://runbooks.example.com/jenkins/deployment-failure",
    )
    async with UnitOfWork(pool) as uow:
        changes = await record_detections(uow, [detection], update_interval_s=60)
        await uow.commit()
    return changes.recorded[0].incident
