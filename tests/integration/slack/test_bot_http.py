"""The Bolt app over HTTP with signed requests: `/devops`, mentions, approvals, signatures."""

from __future__ import annotations

import time

import asyncpg
import pytest

from backend.services import incidents
from tests.integration.slack.bot import OPERATOR, VIEWER, slack_bot
from tests.integration.slack.conftest import open_incident
from tests.support.slack_standin import SlackStandIn
from tests.unit.graph.fakes import scripted

pytestmark = pytest.mark.integration

CHANNEL = "C0OPS0001"


async def test_devops_question_is_answered_in_the_thread(
    slack: SlackStandIn, pool: asyncpg.Pool, database_url: str
) -> None:
    incident = await open_incident(pool)
    llm = scripted({"tool": "get_active_incidents", "args": {}})
    async with slack_bot(slack, pool, database_url, llm) as bot:
        response = await bot.sender.command(
            user=OPERATOR, channel=CHANNEL, text="what incidents are open?"
        )
        assert response.status_code == 200
        [status] = await slack.wait_for(lambda: slack.top_level(CHANNEL), what="status message")
        assert "what incidents are open?" in status.text
        [answer] = await slack.wait_for(
            lambda: slack.replies(CHANNEL, status.ts), what="answer in thread"
        )
        assert str(incident.id) in answer.text
        await slack.wait_for(lambda: "answered in the thread" in status.text, what="status done")


async def test_wrong_signature_or_stale_timestamp_is_refused(
    slack: SlackStandIn, pool: asyncpg.Pool, database_url: str
) -> None:
    async with slack_bot(slack, pool, database_url, scripted()) as bot:
        forged = await bot.sender.command(
            user=OPERATOR, channel=CHANNEL, text="incidents", secret="not-the-signing-secret"
        )
        stale = await bot.sender.command(
            user=OPERATOR, channel=CHANNEL, text="incidents", timestamp=int(time.time()) - 6 * 60
        )
    assert forged.status_code == 401
    assert stale.status_code == 401
    assert slack.calls_of("chat.postMessage") == []


async def test_direct_message_command_is_answered_without_the_model(
    slack: SlackStandIn, pool: asyncpg.Pool, database_url: str
) -> None:
    incident = await open_incident(pool)
    # No scripted answers: the explicit command must not reach the model.
    async with slack_bot(slack, pool, database_url, scripted()) as bot:
        ts = "1700000500.000100"
        await bot.sender.mention(
            user=VIEWER, channel="D0DIRECT01", text="incidents", ts=ts, direct=True
        )
        [answer] = await slack.wait_for(lambda: slack.replies("D0DIRECT01", ts), what="DM answer")
    assert str(incident.id) in answer.text
    assert [c.args["name"] for c in slack.calls_of("reactions.add")] == ["eyes", "white_check_mark"]


async def test_a_viewer_cannot_request_a_change(
    slack: SlackStandIn, pool: asyncpg.Pool, database_url: str
) -> None:
    incident = await open_incident(pool)
    async with slack_bot(slack, pool, database_url, scripted()) as bot:
        ts = "1700000600.000100"
        await bot.sender.mention(
            user=VIEWER, channel=CHANNEL, text=f"<@UBOT0001> ack {incident.id}", ts=ts
        )
        [answer] = await slack.wait_for(
            lambda: slack.replies(CHANNEL, ts), what="refusal in thread"
        )
    assert "viewer" in answer.text
    assert not any("approval_approve" in m.action_ids() for m in slack.messages.values())
    still = await incidents.get(pool, incident_id=incident.id)
    assert still.acknowledged_at is None
