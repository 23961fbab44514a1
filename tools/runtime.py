"""Composition root of the stand-alone MCP server (`runbooks mcp --stdio`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

from mcp.server.mcpserver import MCPServer

from backend.db.pool import create_pool
from tools.context import ToolServices
from tools.jenkins_access import open_jenkins_reader
from tools.mcp_server import RunbooksMcp
from tools.settings import McpSettings


def package_version() -> str:
    try:
        return version("mcp-runbooks")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0"


def stdio_server(settings: McpSettings) -> RunbooksMcp:
    """The MCP server whose lifespan opens the pool (and the Jenkins client) once."""

    @asynccontextmanager
    async def lifespan(_: MCPServer[ToolServices]) -> AsyncIterator[ToolServices]:
        pool = await create_pool(
            settings.database_url, min_size=1, max_size=settings.mcp_pool_max_size
        )
        try:
            async with open_jenkins_reader(enabled=settings.mcp_use_jenkins) as jenkins:
                yield ToolServices(pool=pool, jenkins=jenkins)
        finally:
            await pool.close()

    return RunbooksMcp(lifespan, version=package_version())
