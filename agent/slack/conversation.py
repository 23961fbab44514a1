"""One Slack thread = one agent thread, run through the agent's `Conversations`.

The checkpointer key is the thread key (`slack:<channel>:<thread ts>`), so a follow-up in
the same Slack thread continues the same conversation. Each run acts as one Slack user:
the tool backend is re-bound to that actor (MCP `_meta.actor`), so actions, acks and
resolutions are recorded as theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from agent.conversation import Conversations
from graph.context import AgentContext
from graph.graph import AgentGraph
from graph.tooling import ToolBackend

BackendFor = Callable[[str], ToolBackend]
"""Builds the tool backend that acts for one actor (`slack:U…`)."""


def thread_key(channel: str, thread_ts: str) -> str:
    """The agent thread id of a Slack thread."""
    return f"slack:{channel}:{thread_ts}"


def actor_of(user_id: str) -> str:
    """The actor a Slack user acts as, in the audit log and on actions."""
    return f"slack:{user_id}"


@dataclass(frozen=True)
class Turn:
    """What one run of the graph produced: an answer, or a request for approval."""

    answer: str | None
    approval: dict[str, Any] | None = None
    results: list[dict[str, Any]] = field(default_factory=list)
    """The tool calls of the turn (`{"tool", "args", "result"}`), after a decision."""


class SlackConversation:
    """Runs the agent graph for Slack threads, each run as the Slack user concerned."""

    def __init__(self, graph: AgentGraph, context: AgentContext, backend_for: BackendFor) -> None:
        self._graph = graph
        # Slack checks roles and the two-person rule before it resumes a thread, so the
        # graph's own approver list is left open; the server's guard still decides what runs.
        self._context = replace(context, approvers=frozenset())
        self._backend_for = backend_for

    def _as(self, actor: str) -> Conversations:
        return Conversations(self._graph, replace(self._context, backend=self._backend_for(actor)))

    async def ask(self, *, key: str, message: str, actor: str, channel: str) -> Turn:
        """Run one turn for a person's message (a pending approval in the thread is cancelled)."""
        turn = await self._as(actor).send(key, message, actor=actor, channel=channel)
        approval = dict(turn.approval) if turn.approval is not None else None
        return Turn(answer=turn.answer, approval=approval)

    async def pending_approval(self, key: str) -> dict[str, Any] | None:
        """The approval request the thread is waiting on, if any."""
        pending = await Conversations(self._graph, self._context).pending(key)
        return dict(pending) if pending is not None else None

    async def decide(self, *, key: str, approve: bool, by: str, requested_by: str) -> Turn:
        """Resume the thread at its interrupt; the tool (if approved) runs as the requester."""
        turn = await self._as(requested_by).decide(key, approve=approve, actor=by)
        snapshot = await self._graph.aget_state({"configurable": {"thread_id": key}})
        results = [r for r in snapshot.values.get("results", []) if isinstance(r, dict)]
        approval = dict(turn.approval) if turn.approval is not None else None
        return Turn(answer=turn.answer, approval=approval, results=results if approve else [])
