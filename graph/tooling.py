"""The agent's view of tools: a spec per tool and the backend protocol that runs them.

Production plugs an MCP client session in (`agent.mcp_backend`); the evals plug a
deterministic world in. Both return the shared result dict:
`{"status": ..., "summary": ..., "data": {...}}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, cast, get_args, runtime_checkable

ResultStatus = Literal["ok", "no_data", "error", "approval_required", "refused"]
RESULT_STATUSES: frozenset[str] = frozenset(get_args(ResultStatus))

# ARCHITECTURE.md's mutating tools. A server's annotations are hints from a peer we do
# not control, so a tool named here is treated as mutating whatever it claims.
KNOWN_MUTATING_TOOLS: frozenset[str] = frozenset(
    {
        "acknowledge_incident",
        "resolve_incident",
        "request_jenkins_restart",
        "request_jenkins_rollback",
        "request_jenkins_stop",
        "approve_action",
        "reject_action",
    }
)


# The mutating tools that become runner actions (guarded on the server), and each action.
GUARDED_ACTIONS: dict[str, Literal["restart", "rollback", "stop"]] = {
    "request_jenkins_restart": "restart",
    "request_jenkins_rollback": "rollback",
    "request_jenkins_stop": "stop",
}


@dataclass(frozen=True)
class ToolSpec:
    """One tool as the planner sees it."""

    name: str
    description: str
    input_schema: dict[str, Any] = field(hash=False)
    mutating: bool


class ToolBackend(Protocol):
    """Where tools are listed and run: an MCP session in production, a fake world in evals."""

    async def list_tools(self) -> list[ToolSpec]: ...

    async def call_tool(self, name: str, args: dict[str, Any]) -> dict[str, Any]: ...


@runtime_checkable
class ActorScopedBackend(Protocol):
    """A backend that can attribute calls to a person (MCP `_meta.actor`)."""

    def for_actor(self, actor: str | None) -> ToolBackend: ...


@runtime_checkable
class GuardPreviewBackend(Protocol):
    """A backend that can ask the server's guard about a call before it is made."""

    async def preview(self, name: str, args: dict[str, Any]) -> dict[str, Any] | None:
        """The guard's preview (`decision`, `reason`, `plan`, `dry_run`), or None for no preview."""
        ...


async def guard_preview(
    backend: ToolBackend, name: str, args: dict[str, Any]
) -> dict[str, Any] | None:
    """What the guard would say about `name(args)`; None when the backend cannot tell."""
    if isinstance(backend, GuardPreviewBackend):
        return await backend.preview(name, args)
    return None


def acting_as(backend: ToolBackend, actor: str | None) -> ToolBackend:
    """`backend` calling on behalf of `actor` when it can say who asks; else itself."""
    return backend.for_actor(actor) if isinstance(backend, ActorScopedBackend) else backend


def is_mutating(name: str, *, read_only_hint: bool | None) -> bool:
    """Mutating unless the server says read-only and the name is not a known mutating tool."""
    return name in KNOWN_MUTATING_TOOLS or read_only_hint is not True


def tool_result(
    status: ResultStatus, summary: str, data: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Build a result dict in the shared shape."""
    return {"status": status, "summary": summary, "data": dict(data or {})}


def normalize_result(raw: object) -> dict[str, Any]:
    """Coerce whatever a backend returned into the shared result shape (never raises)."""
    if hasattr(raw, "model_dump"):
        raw = raw.model_dump(mode="json")
    if not isinstance(raw, Mapping):
        return tool_result("error", "the tool returned something that is not a result object")
    status = raw.get("status")
    if status not in RESULT_STATUSES:
        return tool_result("error", f"the tool returned an unknown status {status!r}")
    summary = raw.get("summary")
    data = raw.get("data")
    return tool_result(
        cast(ResultStatus, status),
        summary if isinstance(summary, str) else "",
        data if isinstance(data, Mapping) else {},
    )


def required_args(spec: ToolSpec) -> tuple[str, ...]:
    """The argument names the tool's input schema requires."""
    required = spec.input_schema.get("required", [])
    return tuple(str(name) for name in required) if isinstance(required, list) else ()


def arg_names(spec: ToolSpec) -> tuple[str, ...]:
    """Every argument name the tool's input schema declares."""
    properties = spec.input_schema.get("properties", {})
    return tuple(properties) if isinstance(properties, Mapping) else ()
