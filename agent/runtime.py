"""Composition root of the agent: model, MCP tools, memory and policy wired once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from langchain_core.language_models import BaseChatModel

from agent.conversation import Conversations
from agent.llm import build_chat_model
from agent.mcp_backend import McpTarget, connect_mcp, stdio_target
from agent.memory import open_checkpointer
from agent.settings import AgentSettings
from graph.context import AgentContext
from graph.graph import build_graph
from graph.settings import PlannerOptions
from graph.tooling import ToolBackend


def agent_context(
    settings: AgentSettings, *, backend: ToolBackend, llm: BaseChatModel | None
) -> AgentContext:
    """The graph's run-time context from settings."""
    return AgentContext(
        backend=backend,
        llm=llm,
        planner=PlannerOptions.from_settings(settings),
        max_steps=settings.agent_max_steps,
        follow_up=settings.agent_follow_up,
        approvers=frozenset(settings.agent_approvers),
        safe_tools=frozenset(settings.agent_safe_tools),
    )


def default_stdio_target(settings: AgentSettings, *, log_level: str | None = None) -> McpTarget:
    """`runbooks mcp --stdio` on this agent's database (and log level, when given)."""
    overrides = {"DATABASE_URL": settings.database_url}
    if log_level:
        overrides["LOG_LEVEL"] = log_level
    return stdio_target(overrides=overrides)


@asynccontextmanager
async def open_agent(
    settings: AgentSettings,
    *,
    backend: ToolBackend | None = None,
    llm: BaseChatModel | None = None,
    mcp_target: McpTarget | None = None,
) -> AsyncIterator[Conversations]:
    """Conversations backed by PostgreSQL memory, the MCP tools and the configured model.

    Tests pass their own `backend` or `mcp_target` (an in-process server) and `llm`.
    """
    async with AsyncExitStack() as stack:
        if backend is None:
            target = mcp_target or settings.mcp_url or default_stdio_target(settings)
            token = settings.api_token.get_secret_value() if settings.api_token else None
            backend = await stack.enter_async_context(
                connect_mcp(target, token=token, timeout_s=settings.llm_timeout_s)
            )
        checkpointer = await stack.enter_async_context(open_checkpointer(settings.database_url))
        context = agent_context(settings, backend=backend, llm=llm or build_chat_model(settings))
        yield Conversations(build_graph(checkpointer), context)
