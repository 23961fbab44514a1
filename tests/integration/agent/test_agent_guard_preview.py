"""The guard's verdict in the approval, read over MCP from the real server and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import pytest
from langgraph.checkpoint.memory import InMemorySaver
from mcp.server.mcpserver import MCPServer

from agent.conversation import Conversations
from agent.mcp_backend import connect_mcp
from graph.context import AgentContext
from graph.errors import GuardPreviewFailed
from graph.graph import build_graph
from runner.simulator.server import SimulatorServer
from tests.integration.runner.simulator_fixtures import client_for, start_simulator
from tools.context import ToolServices
from tools.mcp_server import RunbooksMcp

ACTOR = "terminal:ana"


@pytest.fixture
def simulator() -> Iterator[SimulatorServer]:
    server = start_simulator(build_seconds=0.0)
    yield server
    server.stop()


def jenkins_mcp(pool: asyncpg.Pool, simulator: SimulatorServer) -> MCPServer[Any]:
    @asynccontextmanager
    async def lifespan(_: MCPServer[ToolServices]) -> AsyncIterator[ToolServices]:
        async with client_for(simulator) as jenkins:
            yield ToolServices(pool=pool, jenkins=jenkins)

    return RunbooksMcp(lifespan).server


async def test_preview_reads_the_verdict_for_the_person(
    db_pool: asyncpg.Pool, simulator: SimulatorServer
) -> None:
    async with connect_mcp(jenkins_mcp(db_pool, simulator)) as backend:
        ana = backend.for_actor(ACTOR)
        stop = await ana.preview("request_jenkins_stop", {"job": "team/deploy-prod", "build": 4})
        ack = await ana.preview("acknowledge_incident", {"incident_id": 1})
        with pytest.raises(GuardPreviewFailed, match="rollback needs the target_build"):
            await ana.preview("request_jenkins_rollback", {"job": "deploy-prod"})
    assert stop is not None
    assert stop["decision"] == "needs_approval"
    assert stop["requested_by"] == ACTOR
    assert stop["plan"] == ["POST /job/team/job/deploy-prod/4/stop (abort build #4)"]
    assert ack is None
    assert await db_pool.fetchval("SELECT count(*) FROM action_executions") == 0


async def test_the_approval_shows_the_servers_verdict_then_the_request_gets_it(
    db_pool: asyncpg.Pool, simulator: SimulatorServer
) -> None:
    async with connect_mcp(jenkins_mcp(db_pool, simulator)) as backend:
        chat = Conversations(build_graph(InMemorySaver()), AgentContext(backend=backend))
        asked = await chat.send("t", "restart deploy-prod 3", actor=ACTOR)
        assert asked.approval is not None
        guard = asked.approval["guard"]
        assert guard["decision"] == "needs_approval"
        assert guard["reason"] == (
            "job 'deploy-prod' matches the production pattern '*prod*' and needs a person's approval"
        )
        assert guard["text"].startswith("Guard: after you confirm, it will wait for an approver")
        assert (
            guard["plan"][0] == "GET /job/deploy-prod/3/api/json (read the parameters of build #3)"
        )
        assert await db_pool.fetchval("SELECT count(*) FROM action_executions") == 0

        done = await chat.decide("t", approve=True, actor=ACTOR)
    assert done.answer is not None and "needs a person's approval" in done.answer
    row = await db_pool.fetchrow("SELECT status, status_reason FROM action_executions")
    assert row is not None
    assert (row["status"], row["status_reason"]) == ("awaiting_approval", guard["reason"])
