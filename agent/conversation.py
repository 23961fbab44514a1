"""Running the graph for people: one thread per conversation, approvals resumed by thread.

`Conversations` is what the terminal chat and the Slack bot call; it turns a message
(or an approve/cancel decision) into a `Turn`: an answer, or a pending approval that
shows exactly what will run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import structlog
from langchain_core.runnables import RunnableConfig
from langgraph.types import Command

from graph.context import AgentContext
from graph.graph import AgentGraph
from graph.state import InputState

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Turn:
    """What the person sees after a message or a decision."""

    thread_id: str
    answer: str | None = None
    """The answer, when the turn is over."""
    approval: Mapping[str, Any] | None = None
    """When set, nothing ran yet: `tool`, `args`, `will_run`, `guard`; answer with `decide`."""
    outcome: str | None = None
    """How the turn ended (answered, cancelled, blocked, step_limit, model_down, ...)."""


class Conversations:
    """Threads of the agent graph, kept by the graph's checkpointer."""

    def __init__(self, graph: AgentGraph, context: AgentContext) -> None:
        self._graph = graph
        self._context = context

    def _config(self, thread_id: str) -> RunnableConfig:
        # A backstop under the graph's own step limit: a few nodes per step.
        limit = 5 * self._context.max_steps + 10
        return {"configurable": {"thread_id": thread_id}, "recursion_limit": limit}

    def _turn(self, thread_id: str, out: Mapping[str, Any]) -> Turn:
        interrupts = out.get("__interrupt__") or ()
        if interrupts:
            return Turn(thread_id=thread_id, approval=cast(Mapping[str, Any], interrupts[0].value))
        return Turn(thread_id=thread_id, answer=out.get("answer"), outcome=out.get("outcome"))

    async def pending(self, thread_id: str) -> Mapping[str, Any] | None:
        """The approval this thread is waiting for, if any."""
        snapshot = await self._graph.aget_state(self._config(thread_id))
        for task in snapshot.tasks:
            for waiting in task.interrupts:
                return cast(Mapping[str, Any], waiting.value)
        return None

    async def send(
        self, thread_id: str, message: str, *, actor: str | None, channel: str | None = None
    ) -> Turn:
        """A person's message. A thread waiting for approval takes a new message as cancel."""
        if await self.pending(thread_id) is not None:
            await self.decide(thread_id, approve=False, actor=actor)
        state = InputState(message=message, actor=actor, channel=channel)
        out = await self._graph.ainvoke(state, self._config(thread_id), context=self._context)
        log.info("conversation.turn", thread_id=thread_id, actor=actor)
        return self._turn(thread_id, cast(Mapping[str, Any], out))

    async def decide(self, thread_id: str, *, approve: bool, actor: str | None) -> Turn:
        """Answer the pending approval of `thread_id` (approve or cancel)."""
        if await self.pending(thread_id) is None:
            return Turn(thread_id=thread_id, answer=None, outcome="nothing_pending")
        resume: Command[Any] = Command(
            resume={"decision": "approve" if approve else "cancel", "by": actor}
        )
        out = await self._graph.ainvoke(resume, self._config(thread_id), context=self._context)
        return self._turn(thread_id, cast(Mapping[str, Any], out))
