"""Composition root of `runbooks slack`: Slack client, agent (MCP tools, memory, model), roles, guard."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any, Protocol

import structlog
from langchain_core.language_models import BaseChatModel
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from agent.llm import build_chat_model
from agent.mcp_backend import McpTarget, connect_mcp, stdio_target
from agent.memory import open_checkpointer
from agent.runtime import agent_context
from agent.settings import AgentSettings
from agent.slack.app import build_bolt_app
from agent.slack.chatops import ChatOpsDeps, SlackChatOps
from agent.slack.clicks import SlackClicks
from agent.slack.conversation import SlackConversation
from agent.slack.http_server import HttpListener, build_http_app
from agent.slack.roles import RoleDirectory
from agent.slack.settings import SlackBotSettings
from agent.slack.surface import SlackSurface
from agent.slack.web_client import build_web_client
from backend.db.pool import create_pool
from backend.settings import load_settings
from graph.graph import build_graph
from graph.tooling import ToolBackend
from runner.guard import ActionGuard, GuardPolicy
from runner.settings import GuardSettings

log = structlog.get_logger(__name__)


class ActorBackend(ToolBackend, Protocol):
    """A tool backend that can act on behalf of a named person (MCP `_meta.actor`)."""

    def for_actor(self, actor: str | None) -> ToolBackend: ...


def group_members_of(client: AsyncWebClient) -> Any:
    """Reads a user group's members from Slack (`usergroups:read`)."""

    async def members(group_id: str) -> Iterable[str]:
        response = await client.usergroups_users_list(usergroup=group_id)
        users: list[Any] = response.get("users", [])
        return [str(user) for user in users]

    return members


@asynccontextmanager
async def open_slack_bot(
    settings: SlackBotSettings,
    agent_settings: AgentSettings,
    guard_settings: GuardSettings,
    *,
    client: AsyncWebClient | None = None,
    backend: ActorBackend | None = None,
    llm: BaseChatModel | None = None,
    mcp_target: McpTarget | None = None,
) -> AsyncIterator[AsyncApp]:
    """The Bolt app with everything it calls; tests pass their own backend, model or MCP server."""
    async with AsyncExitStack() as stack:
        pool = await create_pool(settings.database_url, min_size=1, max_size=6)
        stack.push_async_callback(pool.close)
        client = client or build_web_client(settings)
        if backend is None:
            target = mcp_target or agent_settings.mcp_url or stdio_target()
            token = (
                agent_settings.api_token.get_secret_value() if agent_settings.api_token else None
            )
            backend = await stack.enter_async_context(
                connect_mcp(target, token=token, timeout_s=agent_settings.llm_timeout_s)
            )
        checkpointer = await stack.enter_async_context(open_checkpointer(settings.database_url))
        context = agent_context(
            agent_settings, backend=backend, llm=llm or build_chat_model(agent_settings)
        )
        conversation = SlackConversation(build_graph(checkpointer), context, backend.for_actor)
        roles = RoleDirectory(
            settings.slack_roles, group_members_of(client), cache_ttl_s=settings.slack_roles_cache_s
        )
        guard = ActionGuard(GuardPolicy.from_settings(guard_settings))
        chatops = SlackChatOps(ChatOpsDeps(SlackSurface(client), pool, conversation, roles, guard))
        clicks = SlackClicks(chatops, backend.for_actor)
        secret = settings.slack_signing_secret
        yield build_bolt_app(
            client=client,
            chatops=chatops,
            clicks=clicks,
            signing_secret=secret.get_secret_value()
            if settings.resolved_mode == "http" and secret
            else None,
        )


async def run_slack_bot(settings: SlackBotSettings) -> None:
    """Serve Slack until SIGINT/SIGTERM: Socket Mode, or HTTP on SLACK_HTTP_HOST:PORT."""
    agent_settings = load_settings(AgentSettings)
    guard_settings = load_settings(GuardSettings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with open_slack_bot(settings, agent_settings, guard_settings) as bolt:
        if settings.resolved_mode == "http":
            listener = HttpListener(
                build_http_app(bolt, path=settings.slack_http_path),
                host=settings.slack_http_host,
                port=settings.slack_http_port,
            )
            await listener.start()
            log.info(
                "slack.listening",
                mode="http",
                url=f"http://{settings.slack_http_host}:{listener.port}{settings.slack_http_path}",
            )
            await stop.wait()
            await listener.stop()
        else:
            assert settings.slack_app_token is not None
            handler = AsyncSocketModeHandler(
                bolt, app_token=settings.slack_app_token.get_secret_value(), web_client=bolt.client
            )
            await handler.connect_async()  # type: ignore[no-untyped-call]
            log.info("slack.listening", mode="socket")
            await stop.wait()
            await handler.close_async()  # type: ignore[no-untyped-call]
    log.info("slack.stopped")
