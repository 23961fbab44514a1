"""Graph state: a narrow input (who says what, where) and the full state of a thread.

Values are plain data (str, int, dict, list, messages) so the PostgreSQL checkpointer
stores them without custom types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages

Outcome = Literal[
    "answered",
    "cancelled",
    "not_approver",
    "blocked",
    "repeat",
    "step_limit",
    "model_down",
    "model_error",
]


@dataclass
class InputState:
    """What a person sends: the message, who they are, where they are."""

    message: str = ""
    """The person's message, as typed."""
    actor: str | None = None
    """Who is talking (a Slack user id, a terminal user name)."""
    channel: str | None = None
    """Where they are talking (e.g. "terminal", "slack:C0123")."""


@dataclass
class State(InputState):
    """The whole thread: transcript and memory, plus the current turn's working values."""

    messages: Annotated[list[AnyMessage], add_messages] = field(default_factory=list)
    """The conversation so far (people's messages and the agent's answers)."""
    focus: dict[str, Any] = field(default_factory=dict)
    """What the conversation is about: the last job, build, incident and action named."""
    language: str = "en"
    """The language of the current message ("en" or "es")."""
    plan: dict[str, Any] | None = None
    """The current step's plan (`Plan.as_dict()`)."""
    plan_source: Literal["model", "command"] | None = None
    """Whether the plan came from the model or from the explicit-command parser."""
    guard: dict[str, Any] | None = None
    """The server guard's preview of the planned change, shown when a person is asked."""
    approval: dict[str, Any] | None = None
    """What the person was asked to approve, and their decision."""
    results: list[dict[str, Any]] = field(default_factory=list)
    """This turn's tool calls: `{"tool", "args", "result"}`."""
    steps: int = 0
    """Tool calls made in this turn (bounded by the step limit)."""
    outcome: Outcome | None = None
    """Why the turn ended early, if it did."""
    answer: str | None = None
    """The answer of this turn, shown to the person."""
