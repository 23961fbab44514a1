"""Settings of the stdio MCP server (the HTTP face uses the API's settings)."""

from __future__ import annotations

from pydantic import Field

from backend.settings import CommonSettings


class McpSettings(CommonSettings):
    """`runbooks mcp --stdio`: where the database is; Jenkins comes from the JENKINS_* settings."""

    mcp_pool_max_size: int = Field(default=4, ge=1, le=50)
    mcp_use_jenkins: bool = Field(
        default=True, description="Open a Jenkins client for the Jenkins read tools."
    )
