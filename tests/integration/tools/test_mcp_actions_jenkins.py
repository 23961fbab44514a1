"""Remediation and Jenkins tools over MCP: real guard and database, the Jenkins simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any, cast

import pytest
from mcp import Client
from mcp.server.mcpserver import MCPServer
from mcp_types import RequestParamsMeta

from runner.simulator.server import SimulatorServer
from tests.integration.runner.simulator_fixtures import client_for, start_simulator
from tools.context import ToolServices
from tools.mcp_server import RunbooksMcp


@pytest.fixture
def simulator() -> Iterator[SimulatorServer]:
    server = start_simulator(build_seconds=0.0)
    yield server
    server.stop()


@pytest.fixture
def jenkins_mcp(tool_services: ToolServices, simulator: SimulatorServer) -> RunbooksMcp:
    @asynccontextmanager
    async def lifespan(_: MCPServer[ToolServices]) -> AsyncIterator[ToolServices]:
        async with client_for(simulator) as jenkins:
            yield ToolServices(pool=tool_services.pool, jenkins=jenkins)

    return RunbooksMcp(lifespan)


def _as(actor: str) -> RequestParamsMeta:
    return cast(RequestParamsMeta, {"actor": actor})


def _result(call: Any) -> dict[str, Any]:
    assert call.structured_content is not None
    result: dict[str, Any] = call.structured_content
    return result


async def test_jenkins_reads(jenkins_mcp: RunbooksMcp) -> None:
    async with Client(jenkins_mcp.server) as client:
        deploys = _result(await client.call_tool("list_jenkins_jobs", {"query": "deploy"}))
        build = _result(
            await client.call_tool("get_build_status", {"job": "deploy-prod", "build": 3})
        )
        missing = await client.call_tool("get_build_status", {"job": "deploy-prod", "build": 999})
        status = _result(await client.call_tool("get_server_status", {}))
    assert {job["full_name"] for job in deploys["data"]["jobs"]} == {
        "deploy-prod",
        "team/deploy-prod",
        "team/deploy-staging",
    }
    assert build["status"] == "ok"
    assert (
        build["data"]["result"] == "FAILURE" and build["data"]["parameters"]["VERSION"] == "2.13.1"
    )
    assert missing.is_error is True and _result(missing)["data"]["error"] == "not_found"
    assert status["data"]["jenkins"] == "up"


async def test_restart_outside_production_is_approved_by_the_guard(
    jenkins_mcp: RunbooksMcp,
) -> None:
    async with Client(jenkins_mcp.server) as client:
        call = await client.call_tool(
            "request_jenkins_restart",
            {"job": "api-gateway", "build": 2, "reason": "flaky test"},
            meta=_as("slack:U1"),
        )
        action_id = _result(call)["data"]["action_id"]
        status = _result(await client.call_tool("get_action_status", {"action_id": action_id}))
    result = _result(call)
    assert call.is_error is False and result["status"] == "ok"
    assert result["data"]["action"]["status"] == "approved"
    assert result["data"]["action"]["requested_by"] == "slack:U1"
    assert "api-gateway" in result["data"]["will_run"]
    assert status["data"]["action"]["id"] == action_id


async def test_production_rollback_waits_for_a_second_person(jenkins_mcp: RunbooksMcp) -> None:
    async with Client(jenkins_mcp.server) as client:
        asked = await client.call_tool(
            "request_jenkins_rollback",
            {"job": "deploy-prod", "target_build": 2},
            meta=_as("slack:U1"),
        )
        action_id = _result(asked)["data"]["action_id"]
        self_approval = await client.call_tool(
            "approve_action", {"action_id": action_id}, meta=_as("slack:U1")
        )
        approved = await client.call_tool(
            "approve_action", {"action_id": action_id}, meta=_as("slack:U2")
        )
        stopped = await client.call_tool(
            "request_jenkins_stop", {"job": "deploy-prod", "build": 5}, meta=_as("slack:U1")
        )
        rejected = await client.call_tool(
            "reject_action",
            {"action_id": _result(stopped)["data"]["action_id"], "reason": "not now"},
            meta=_as("slack:U2"),
        )
        stats = _result(await client.call_tool("get_actions_stats", {"hours": 1}))
        unknown = await client.call_tool("approve_action", {"action_id": 424242})

    assert _result(asked)["status"] == "approval_required"
    assert "deploy-prod" in _result(asked)["data"]["will_run"]
    assert (
        self_approval.is_error is True and _result(self_approval)["data"]["error"] == "not_allowed"
    )
    assert approved.is_error is False
    assert _result(approved)["data"]["action"]["approved_by"] == "slack:U2"
    assert _result(stopped)["status"] == "approval_required"
    assert _result(rejected)["data"]["action"]["status"] == "rejected"
    assert _result(rejected)["data"]["action"]["rejected_by"] == "slack:U2"
    assert stats["data"]["total"] == 2
    assert (
        unknown.is_error is True and _result(unknown)["summary"] == "action 424242 does not exist"
    )
