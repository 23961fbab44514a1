"""The production tool backend: an MCP client session to the orchestrator's MCP server.

Streamable HTTP to `<API>/mcp` with the API bearer token, or stdio to `runbooks mcp
--stdio`; tests pass an in-process server. Calls carry the person's identity in
`_meta.actor`, which the server records as who asked. The guard's preview of a Jenkins
action is read from the server's `runbooks://guard/preview/...` resource template.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.server.mcpserver import MCPServer
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolResult, TextContent, TextResourceContents

from graph.errors import GuardPreviewFailed
from graph.tooling import GUARDED_ACTIONS, ToolSpec, is_mutating, normalize_result, tool_result
from tools.guard_preview import guard_preview_uri

META_ACTOR_KEY = "actor"  # tools.actor.META_ACTOR_KEY on the server side
_LIST_PAGES_MAX = 20


def result_of(call: CallToolResult) -> dict[str, Any]:
    """The shared result dict from an MCP call result (structured content first)."""
    if isinstance(call.structured_content, dict):
        return normalize_result(call.structured_content)
    text = "".join(block.text for block in call.content if isinstance(block, TextContent))
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        parsed = None
    if isinstance(parsed, dict) and "status" in parsed:
        return normalize_result(parsed)
    if call.is_error:
        return tool_result("error", text.strip()[:300] or "the tool reported an error")
    return tool_result("ok", text.strip()[:300], {"text": text})


class McpToolBackend:
    """`ToolBackend` over one connected MCP client; `for_actor` names who is asking."""

    def __init__(self, client: Client, actor: str | None = None) -> None:
        self._client = client
        self._actor = actor

    def for_actor(self, actor: str | None) -> McpToolBackend:
        """The same session, calling tools on behalf of `actor`."""
        return McpToolBackend(self._client, actor)

    async def list_tools(self) -> list[ToolSpec]:
        specs: list[ToolSpec] = []
        cursor: str | None = None
        for _ in range(_LIST_PAGES_MAX):
            page = await self._client.list_tools(cursor=cursor)
            for tool in page.tools:
                hints = tool.annotations
                specs.append(
                    ToolSpec(
                        name=tool.name,
                        description=tool.description or tool.title or tool.name,
                        input_schema=dict(tool.input_schema),
                        mutating=is_mutating(
                            tool.name, read_only_hint=hints.read_only_hint if hints else None
                        ),
                    )
                )
            cursor = page.next_cursor
            if cursor is None:
                break
        return specs

    def _meta(self) -> Any:
        return {META_ACTOR_KEY: self._actor} if self._actor else None

    async def call_tool(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        return result_of(await self._client.call_tool(name, args, meta=self._meta()))

    async def preview(self, name: str, args: dict[str, Any]) -> dict[str, Any] | None:
        """The server guard's verdict on a Jenkins action tool call; None for other tools."""
        action = GUARDED_ACTIONS.get(name)
        job = args.get("job")
        if action is None or not isinstance(job, str):
            return None
        uri = guard_preview_uri(
            action,
            job,
            build=_number(args.get("build")),
            target_build=_number(args.get("target_build")),
        )
        try:
            # Bypass the client's cache: a verdict depends on the moment it is asked.
            read = await self._client.read_resource(uri, meta=self._meta(), cache_mode="bypass")
        except MCPError as error:
            raise GuardPreviewFailed(error.error.message) from error
        text = "".join(c.text for c in read.contents if isinstance(c, TextResourceContents))
        try:
            preview = json.loads(text)
        except json.JSONDecodeError:
            preview = None
        if not isinstance(preview, dict):
            raise GuardPreviewFailed("the guard's preview is not a JSON object")
        return preview


def _number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


McpTarget = str | StdioServerParameters | MCPServer[Any]


def stdio_target(*, overrides: Mapping[str, str] | None = None) -> StdioServerParameters:
    """The orchestrator's MCP server as a child process (`runbooks mcp --stdio`).

    The child reads its own settings, so it gets this process's environment (the SDK
    would pass only PATH and HOME), with `overrides` on top.
    """
    # The script installed beside this interpreter, so an unactivated virtualenv works too.
    beside = Path(sys.executable).parent / "runbooks"
    command = str(beside) if beside.exists() else "runbooks"
    env = {**os.environ, **(overrides or {})}
    return StdioServerParameters(command=command, args=["mcp", "--stdio"], env=env)


@asynccontextmanager
async def connect_mcp(
    target: McpTarget, *, token: str | None = None, timeout_s: float = 60.0
) -> AsyncIterator[McpToolBackend]:
    """A connected backend: an MCP URL (with bearer token), a stdio command, or a server."""
    server: Any = target
    if isinstance(target, str):
        headers = {"Authorization": f"Bearer {token}"} if token else None
        http = create_mcp_http_client(headers=headers)
        server = streamable_http_client(target, http_client=http)
        async with http, Client(server, read_timeout_seconds=timeout_s) as client:
            yield McpToolBackend(client)
        return
    async with Client(server, read_timeout_seconds=timeout_s) as client:
        yield McpToolBackend(client)
