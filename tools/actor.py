"""Who is calling a tool: stored as requested_by / acknowledged_by / resolved_by and audited."""

from __future__ import annotations

import re
from typing import Any

import structlog
from mcp.server.context import ServerRequestContext

log = structlog.get_logger(__name__)

# `<namespace>:<id>`, e.g. `slack:U123ABC`, `terminal:alice`, `mcp:claude-ai`.
_ACTOR = re.compile(r"^[a-z][a-z0-9_-]{0,31}:[A-Za-z0-9._@+-]{1,128}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")
META_ACTOR_KEY = "actor"


def valid_actor(value: object) -> str | None:
    """`value` when it is a well-formed actor, else None."""
    return value if isinstance(value, str) and _ACTOR.match(value) else None


def client_actor(client_name: str | None) -> str:
    """The actor naming an MCP client by the name it gave at initialize."""
    cleaned = _UNSAFE.sub("-", client_name or "").strip("-")[:128]
    return f"mcp:{cleaned or 'unknown'}"


def resolve_actor(*, meta: Any, transport_actor: str | None, client_name: str | None) -> str:
    """The caller's identity: a trusted `_meta.actor`, else the transport's, else the client's.

    Every caller already holds full access (the API token, or the operator's own stdio
    process), so `_meta.actor` cannot raise privileges; it lets the agent attribute a call
    to the Slack or terminal user it acts for.
    """
    claimed = meta.get(META_ACTOR_KEY) if isinstance(meta, dict) else None
    if claimed is not None:
        actor = valid_actor(claimed)
        if actor is not None:
            return actor
        log.warning("tool.actor_ignored", reason="malformed _meta.actor")
    return transport_actor or client_actor(client_name)


def actor_for_request(request: ServerRequestContext[Any, Any], transport_actor: str | None) -> str:
    """The actor of one MCP request."""
    params = request.session.client_params
    client_name = params.client_info.name if params is not None else None
    return resolve_actor(
        meta=request.meta, transport_actor=transport_actor, client_name=client_name
    )
