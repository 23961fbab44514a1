"""What a run of the graph is given besides its state: the model, the tools, the policy."""

from __future__ import annotations

from dataclasses import dataclass, field

from langchain_core.language_models import BaseChatModel

from graph.settings import PlannerOptions
from graph.tooling import ToolBackend


@dataclass(frozen=True)
class AgentContext:
    """Run-time dependencies and policy, passed as LangGraph's `context` on every call."""

    backend: ToolBackend
    """Where tools are listed and run (an MCP session in production)."""
    llm: BaseChatModel | None = None
    """The planner's model; None runs explicit commands only."""
    planner: PlannerOptions = field(default_factory=PlannerOptions)
    """How the plan node asks the model."""
    max_steps: int = 4
    """Tool calls allowed per turn before the agent answers with what it has."""
    follow_up: bool = True
    """After a read, let the model look at the result (answer or read more)."""
    approvers: frozenset[str] = frozenset()
    """Who may approve a change in the interrupt; empty means any identified person."""
    safe_tools: frozenset[str] = frozenset()
    """Mutating tools the policy lets run without asking (the server's guard still decides)."""

    def may_approve(self, who: str | None) -> bool:
        """True when `who` may answer an approval request."""
        if not who:
            return False
        return not self.approvers or who in self.approvers
