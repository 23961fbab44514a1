"""The Slack bot as `runbooks slack` runs it in HTTP mode, for tests: real Bolt app, real graph,
in-process MCP server over the real services, a scripted chat model, the Web API stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
from langchain_core.language_models import BaseChatModel
from mcp.server.mcpserver import MCPServer

from agent.settings import AgentSettings
from agent.slack.http_server import HttpListener, build_http_app
from agent.slack.roles import Role
from agent.slack.runtime import open_slack_bot
from agent.slack.settings import SlackBotSettings
from runner.settings import GuardSettings
from tests.integration.slack.conftest import BOT_TOKEN
from tests.integration.slack.slack_requests import SIGNING_SECRET, SlackSender
from tests.support.slack_standin import SlackStandIn
from tools.context import JenkinsReader, ToolServices
from tools.mcp_server import RunbooksMcp

APPROVER = "U0APPROVER"
OPERATOR = "U0OPERATOR"
VIEWER = "U0VIEWER"
ROLES = {APPROVER: Role.APPROVER, OPERATOR: Role.OPERATOR}


@dataclass
class RunningBot:
    sender: SlackSender
    url: str


def mcp_server(pool: asyncpg.Pool, jenkins: JenkinsReader | None = None) -> MCPServer[Any]:
    """The orchestrator's MCP server, in process, over the test database (and Jenkins)."""

    @asynccontextmanager
    async def lifespan(_: MCPServer[ToolServices]) -> AsyncIterator[ToolServices]:
        yield ToolServices(pool=pool, jenkins=jenkins)

    return RunbooksMcp(lifespan).server


@asynccontextmanager
async def slack_bot(
    slack: SlackStandIn,
    pool: asyncpg.Pool,
    database_url: str,
    llm: BaseChatModel,
    *,
    jenkins: JenkinsReader | None = None,
    roles: dict[str, Role] | None = None,
) -> AsyncIterator[RunningBot]:
    settings = SlackBotSettings(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.api_url,
        slack_roles=ROLES if roles is None else roles,
        database_url=database_url,
    )
    agent_settings = AgentSettings(database_url=database_url, agent_follow_up=False)
    mcp = mcp_server(pool, jenkins)
    async with open_slack_bot(
        settings, agent_settings, GuardSettings(), llm=llm, mcp_target=mcp
    ) as bolt:
        listener = HttpListener(build_http_app(bolt), host="127.0.0.1", port=0)
        await listener.start()
        url = f"http://127.0.0.1:{listener.port}/slack/events"
        try:
            async with httpx.AsyncClient(timeout=30) as http:
                yield RunningBot(SlackSender(http, url), url)
        finally:
            await listener.stop()
