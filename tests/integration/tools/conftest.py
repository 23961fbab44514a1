"""Tool tests: the catalogue served in-process over MCP against the real PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from mcp import Client
from mcp.server.mcpserver import MCPServer

from backend.detection.engine import IncidentDetector
from backend.detection.rules import load_rules
from backend.services.ingestion import LogIngestion
from tools.context import ToolServices
from tools.mcp_server import RunbooksMcp


@pytest.fixture
def tool_services(db_pool: asyncpg.Pool) -> ToolServices:
    return ToolServices(pool=db_pool)


@pytest.fixture
def runbooks_mcp(tool_services: ToolServices) -> RunbooksMcp:
    @asynccontextmanager
    async def lifespan(_: MCPServer[ToolServices]) -> AsyncIterator[ToolServices]:
        yield tool_services

    return RunbooksMcp(lifespan)


def connect(runbooks_mcp: RunbooksMcp) -> Client:
    """An in-process client session; enter it inside the test (its task group is task-bound)."""
    return Client(runbooks_mcp.server, raise_exceptions=True)


class Seeder:
    """Feeds logs through the real ingestion path, so incidents come from the real rules."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._ingestion = LogIngestion(
            pool, IncidentDetector(load_rules()), max_batch_records=1000, update_interval_s=0
        )
        self.now = datetime.now(UTC).replace(microsecond=0)

    async def jenkins(self, *records: dict[str, Any]) -> list[int]:
        result = await self._ingestion.ingest("jenkins", json.dumps(list(records)).encode())
        return result.opened

    async def api(self, *records: dict[str, Any]) -> list[int]:
        result = await self._ingestion.ingest("api", json.dumps(list(records)).encode())
        return result.opened

    def at(self, minutes_ago: float) -> str:
        return (self.now - timedelta(minutes=minutes_ago)).isoformat()


@pytest.fixture
def seeder(db_pool: asyncpg.Pool) -> Seeder:
    return Seeder(db_pool)
