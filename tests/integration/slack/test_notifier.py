"""`runbooks notifier` on real PostgreSQL and RabbitMQ, against the Slack Web API stand-in."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson
import pytest

from agent.notifier.consumer import run_notifier
from agent.notifier.settings import NotifierSettings
from backend.domain.statuses import Severity
from backend.outbox.publisher import EventPublisher
from backend.repositories.outbox import ClaimedEvent
from backend.services import incidents
from tests.integration.slack.conftest import BOT_TOKEN, open_incident
from tests.support.slack_standin import Message, SlackStandIn

pytestmark = pytest.mark.integration

CRITICAL_CHANNEL = "CCRIT0001"
DEFAULT_CHANNEL = "CDEFAULT01"


def settings_for(
    slack: SlackStandIn, database_url: str, rabbitmq_url: str, **extra: Any
) -> NotifierSettings:
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_api_url": slack.api_url,
        "database_url": database_url,
        "rabbitmq_url": rabbitmq_url,
        "slack_channel_default": DEFAULT_CHANNEL,
        "slack_channel_critical": CRITICAL_CHANNEL,
        "notifier_prefetch": 1,
        "notifier_requeue_delay_s": 0.2,
        **extra,
    }
    return NotifierSettings(**values)


@asynccontextmanager
async def notifier_running(settings: NotifierSettings) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(run_notifier(settings, stop=stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)


async def replay(pool: asyncpg.Pool, publisher: EventPublisher, event_type: str) -> str:
    """Publish an already-relayed outbox event once more, with the same id (a redelivery)."""
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT id, event_type, routing_key, payload, headers, attempts, created_at"
            " FROM outbox_events WHERE event_type = $1 ORDER BY created_at DESC LIMIT 1",
            event_type,
        )
    assert row is not None
    event = ClaimedEvent(
        id=row["id"],
        event_type=row["event_type"],
        routing_key=row["routing_key"],
        body=orjson.dumps(row["payload"]),
        headers=row["headers"],
        attempts=row["attempts"],
        created_at=row["created_at"],
    )
    assert await publisher.publish([event]) == []
    return str(row["id"])


def cards(slack: SlackStandIn, channel: str) -> Callable[[], list[Message]]:
    return lambda: slack.top_level(channel)


async def test_detected_posts_a_card_and_resolved_updates_it_with_mttr(
    slack: SlackStandIn,
    pool: asyncpg.Pool,
    events_flow: EventPublisher,
    database_url: str,
    rabbitmq_url: str,
) -> None:
    async with notifier_running(settings_for(slack, database_url, rabbitmq_url)):
        incident = await open_incident(pool)
        [card] = await slack.wait_for(cards(slack, CRITICAL_CHANNEL), what="incident card")
        text = card.all_text
        assert "CRITICAL" in text and f"Incident #{incident.id}" in text
        assert "jenkins_deployment_failure" in text and "deploy-prod" in text and "#123" in text
        assert "Occurrences" in text and "Runbook" in text
        assert "&lt;@channel&gt;" in text  # log text is escaped: it cannot ping anyone
        assert card.action_ids() == [
            "incident_acknowledge",
            "incident_resolve",
            "incident_restart",
            "incident_rollback",
        ]
        await slack.wait_for(
            lambda: _status(pool, incident.id, "notified"), what="incident marked notified"
        )

        # The same event delivered again: no second card.
        await replay(pool, events_flow, "incident.detected")
        await incidents.acknowledge(pool, incident_id=incident.id, actor="slack:U0ALICE")
        await slack.wait_for(lambda: "Acknowledged" in card.all_text, what="ack on the card")
        assert "<@U0ALICE>" in card.all_text
        assert "incident_acknowledge" not in card.action_ids()

        await incidents.resolve(
            pool, incident_id=incident.id, actor="slack:U0BOB", notes="redeployed by hand"
        )
        await slack.wait_for(lambda: "Resolved" in card.all_text, what="resolved card")
        assert "MTTR" in card.all_text and "<@U0BOB>" in card.all_text
        assert card.action_ids() == []
        assert len(slack.top_level(CRITICAL_CHANNEL)) == 1
        assert len(slack.calls_of("chat.postMessage")) == 1
        assert card.updates == 2  # ack and resolve; the replayed event changed nothing


async def _status(pool: asyncpg.Pool, incident_id: int, status: str) -> bool:
    current = await incidents.get(pool, incident_id=incident_id)
    return current.status == status


async def test_a_429_is_waited_out_and_nothing_is_lost(
    slack: SlackStandIn,
    pool: asyncpg.Pool,
    events_flow: EventPublisher,
    database_url: str,
    rabbitmq_url: str,
) -> None:
    # More 429s than the client's own retries: the event goes back to the queue and is
    # handled again later; the card is posted exactly once.
    slack.rate_limit("chat.postMessage", times=3, retry_after=1)
    settings = settings_for(slack, database_url, rabbitmq_url, slack_rate_limit_retries=1)
    async with notifier_running(settings):
        started = time.monotonic()
        incident = await open_incident(pool, severity=Severity.MEDIUM, job="payments-service")
        [card] = await slack.wait_for(cards(slack, DEFAULT_CHANNEL), what="card after 429s")
        assert f"Incident #{incident.id}" in card.all_text
    limited = [c for c in slack.calls if c.method == "chat.postMessage" and c.status == 429]
    posted = slack.calls_of("chat.postMessage")
    assert len(limited) == 3 and len(posted) == 1
    # The client waited at least Retry-After between a 429 and the next attempt.
    attempts = sorted([*limited, *posted], key=lambda c: c.at)
    gaps = [b.at - a.at for a, b in zip(attempts, attempts[1:], strict=False)]
    assert gaps[0] >= 1.0
    assert posted[0].at - started >= 2.0
