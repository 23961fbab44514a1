"""`runbooks mcp --stdio` as a subprocess, driven by the official MCP client over stdio."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from tests.unit.tools.test_catalogue import EXPECTED_MUTATING, EXPECTED_READ

pytestmark = pytest.mark.e2e


def _runbooks() -> str:
    found = shutil.which("runbooks", path=str(Path(sys.executable).parent))
    assert found, "the runbooks script is not installed in this environment"
    return found


async def test_initialize_list_and_call_over_stdio(database_url: str) -> None:
    params = StdioServerParameters(
        command=_runbooks(),
        args=["mcp", "--stdio"],
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "MCP_USE_JENKINS": "false",
            "LOG_LEVEL": "WARNING",
        },
    )
    async with Client(params, mode="legacy", read_timeout_seconds=30) as client:
        assert client.server_capabilities.tools is not None
        assert client.server_capabilities.tools.list_changed is True
        listed = await client.list_tools()
        assert {t.name for t in listed.tools} == set(EXPECTED_READ) | set(EXPECTED_MUTATING)

        stats = await client.call_tool("get_incidents_stats", {"hours": 1})
        assert stats.is_error is False
        assert stats.structured_content is not None
        assert stats.structured_content["status"] in {"ok", "no_data"}

        missing = await client.call_tool("get_action_status", {"action_id": 987654})
        assert missing.is_error is True

        bad = await client.call_tool("get_incident", {"incident": 1})
        assert bad.is_error is True
        assert bad.structured_content is not None
        assert bad.structured_content["data"]["error"] == "invalid_argument"
