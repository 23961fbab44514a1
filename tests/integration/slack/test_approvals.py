"""A restart asked for in Slack: approval card, roles and the two-person rule, then the runner.

Everything is real but Slack (the Web API stand-in) and Jenkins (the simulator): the Bolt
app over signed HTTP, the agent graph (explicit command, no model), the in-process MCP
server over the backend services, the relay, the runner and the notifier.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from pydantic import SecretStr

from agent.notifier.consumer import run_notifier
from agent.slack.roles import Role
from backend.outbox.publisher import EventPublisher
from backend.services import actions, incidents
from runner.jenkins.client import JenkinsClient
from runner.process import run_runner
from runner.settings import RunnerSettings
from runner.simulator.server import SimulatorServer
from tests.integration.runner.simulator_fixtures import TOKEN, USER, client_for, start_simulator
from tests.integration.slack.bot import slack_bot
from tests.integration.slack.conftest import open_incident
from tests.integration.slack.test_notifier import CRITICAL_CHANNEL, settings_for
from tests.support.slack_standin import Message, SlackStandIn
from tests.unit.graph.fakes import scripted

pytestmark = pytest.mark.integration

REQUESTER = "U0REQUESTER"
SECOND = "U0SECONDAPP"
OPERATOR = "U0OPERATOR"
ROLES = {REQUESTER: Role.APPROVER, SECOND: Role.APPROVER, OPERATOR: Role.OPERATOR}
ROOT = "1700000099.000100"


@pytest.fixture
async def simulator() -> AsyncIterator[SimulatorServer]:
    server = start_simulator(build_seconds=0.0)
    yield server
    server.stop()


@pytest.fixture
async def jenkins(simulator: SimulatorServer) -> AsyncIterator[JenkinsClient]:
    async with client_for(simulator) as client:
        yield client


@pytest.fixture
async def runner(
    simulator: SimulatorServer, database_url: str, rabbitmq_url: str
) -> AsyncIterator[None]:
    settings = RunnerSettings(
        database_url=database_url,
        rabbitmq_url=rabbitmq_url,
        jenkins_url=simulator.url,
        jenkins_user=USER,
        jenkins_api_token=SecretStr(TOKEN),
        runner_id=f"slack-test-runner-{uuid.uuid4().hex[:8]}",
        runner_poll_interval_s=0.05,
        guard_cooldown_s=0.0,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(run_runner(settings, stop=stop))
    yield
    stop.set()
    await asyncio.wait_for(task, timeout=30)


@pytest.fixture
async def notifier(
    slack: SlackStandIn, events_flow: EventPublisher, database_url: str, rabbitmq_url: str
) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_notifier(settings_for(slack, database_url, rabbitmq_url), stop=stop)
    )
    yield
    stop.set()
    await asyncio.wait_for(task, timeout=30)


def approval_card(slack: SlackStandIn, channel: str) -> Message | None:
    return next(
        (m for m in slack.replies(channel, ROOT) if "approval_approve" in m.action_ids()), None
    )


def ephemerals_to(slack: SlackStandIn, user: str) -> list[dict[str, Any]]:
    return [c.args for c in slack.calls_of("chat.postEphemeral") if c.args.get("user") == user]


async def test_restart_from_a_mention_is_approved_by_a_second_person_and_runs(
    slack: SlackStandIn,
    pool: asyncpg.Pool,
    database_url: str,
    jenkins: JenkinsClient,
    runner: None,
    notifier: None,
) -> None:
    incident = await open_incident(pool, job="deploy-prod", build=3)
    [incident_card] = await slack.wait_for(
        lambda: slack.top_level(CRITICAL_CHANNEL), what="incident card"
    )
    channel = CRITICAL_CHANNEL
    async with slack_bot(
        slack, pool, database_url, scripted(), jenkins=jenkins, roles=ROLES
    ) as bot:
        response = await bot.sender.mention(
            user=REQUESTER, channel=channel, text="<@UBOT0001> restart deploy-prod 3", ts=ROOT
        )
        assert response.status_code == 200
        card = await slack.wait_for(lambda: approval_card(slack, channel), what="approval card")
        assert "deploy-prod" in card.all_text and "Two-person rule" in card.all_text
        assert "needs_approval" in card.all_text  # the guard's verdict
        assert "/job/deploy-prod/3/api/json" in card.all_text  # the dry-run plan
        assert any(c.args.get("name") == "eyes" for c in slack.calls_of("reactions.add"))

        # The requester may not approve their own production restart.
        await bot.sender.click(
            user=REQUESTER,
            channel=channel,
            message_ts=card.ts,
            button=card.button("approval_approve"),
        )
        [refusal] = await slack.wait_for(
            lambda: ephemerals_to(slack, REQUESTER), what="ephemeral refusal"
        )
        assert "two-person rule" in refusal["text"]
        # An operator may not approve at all.
        await bot.sender.click(
            user=OPERATOR,
            channel=channel,
            message_ts=card.ts,
            button=card.button("approval_approve"),
        )
        [refusal] = await slack.wait_for(lambda: ephemerals_to(slack, OPERATOR), what="operator")
        assert "approver role" in refusal["text"]
        assert card.updates == 0

        # A second approver approves: the runner restarts the build on the simulator.
        await bot.sender.click(
            user=SECOND, channel=channel, message_ts=card.ts, button=card.button("approval_approve")
        )
        await slack.wait_for(
            lambda: "succeeded" in card.all_text, timeout=30, what="approval card: succeeded"
        )
        assert f"Approved* by <@{SECOND}>" in card.all_text
        assert card.action_ids() == []
        await slack.wait_for(lambda: "Resolved" in incident_card.all_text, what="incident resolved")
        assert "MTTR" in incident_card.all_text and "auto_remediation" in incident_card.all_text

    async with pool.acquire() as conn:
        action = await conn.fetchrow(
            "SELECT status, requested_by, approved_by, new_build_number FROM action_executions"
        )
    assert action is not None
    assert (action["status"], action["requested_by"], action["approved_by"]) == (
        "succeeded",
        f"slack:{REQUESTER}",
        f"slack:{SECOND}",
    )
    assert action["new_build_number"] == 6
    resolved = await incidents.get(pool, incident_id=incident.id)
    assert resolved.status == "resolved"


async def test_an_automatic_action_awaiting_approval_gets_a_card_in_the_incident_thread(
    slack: SlackStandIn, pool: asyncpg.Pool, database_url: str, notifier: None
) -> None:
    incident = await open_incident(pool, job="deploy-prod", build=3)
    [incident_card] = await slack.wait_for(
        lambda: slack.top_level(CRITICAL_CHANNEL), what="incident card"
    )
    action = await actions.request_action(
        pool,
        action="stop",
        job="deploy-prod",
        build=3,
        incident_id=incident.id,
        requested_by="rule:jenkins_deployment_failure",
    )
    assert action.status == "awaiting_approval"

    def card_in_thread() -> Message | None:
        return next(
            (
                m
                for m in slack.replies(CRITICAL_CHANNEL, incident_card.ts)
                if "approval_approve" in m.action_ids()
            ),
            None,
        )

    card = await slack.wait_for(card_in_thread, what="approval card in the incident thread")
    assert f"action #{action.id}" in card.all_text and "/job/deploy-prod/3/stop" in card.all_text
    async with slack_bot(slack, pool, database_url, scripted(), roles=ROLES) as bot:
        await bot.sender.click(
            user=OPERATOR,
            channel=CRITICAL_CHANNEL,
            message_ts=card.ts,
            button=card.button("approval_approve"),
        )
        await slack.wait_for(lambda: ephemerals_to(slack, OPERATOR), what="operator refused")
        await bot.sender.click(
            user=SECOND,
            channel=CRITICAL_CHANNEL,
            message_ts=card.ts,
            button=card.button("approval_approve"),
        )
        await slack.wait_for(
            lambda: f"Approved* by <@{SECOND}>" in card.all_text, what="card shows the decision"
        )
    approved = await actions.get_action(pool, action_id=action.id)
    assert approved.status == "approved" and approved.approved_by == f"slack:{SECOND}"
    assert card.action_ids() == []
