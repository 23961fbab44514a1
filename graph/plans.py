"""The planner's decision for one step: one tool call, a clarifying question, or a reply."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

PlanKind = Literal["tool", "clarify", "reply"]


@dataclass(frozen=True)
class Plan:
    """What to do next. `tool` + `args` for kind "tool"; `text` for "clarify" and "reply"."""

    kind: PlanKind
    tool: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    text: str | None = None

    @classmethod
    def call(cls, tool: str, args: dict[str, Any]) -> Plan:
        return cls(kind="tool", tool=tool, args=dict(args))

    @classmethod
    def clarify(cls, text: str) -> Plan:
        return cls(kind="clarify", text=text)

    @classmethod
    def reply(cls, text: str) -> Plan:
        return cls(kind="reply", text=text)

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for the graph's checkpointed state."""
        return {"kind": self.kind, "tool": self.tool, "args": dict(self.args), "text": self.text}

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> Plan:
        return cls(
            kind=value["kind"],
            tool=value.get("tool"),
            args=dict(value.get("args") or {}),
            text=value.get("text"),
        )
