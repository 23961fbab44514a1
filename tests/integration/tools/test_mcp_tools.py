"""Every tool over an in-process MCP session, on the real backend (PostgreSQL, real rules)."""

from __future__ import annotations

from typing import Any, cast

import asyncpg
from mcp import Client
from mcp_types import RequestParamsMeta

from tests.integration.tools.conftest import Seeder, connect
from tools.catalogue import CATALOGUE, TOOLS_BY_NAME
from tools.mcp_server import RunbooksMcp


def _data(result: Any) -> dict[str, Any]:
    assert result.structured_content is not None
    data: dict[str, Any] = result.structured_content["data"]
    return data


async def _seed_two_incidents(seeder: Seeder) -> tuple[int, int]:
    (build,) = await seeder.jenkins(
        {
            "@timestamp": seeder.at(10),
            "level": "ERROR",
            "message": "Finished: FAILURE",
            "job_name": "api-build",
            "build_number": 41,
        }
    )
    (deploy,) = await seeder.jenkins(
        {
            "@timestamp": seeder.at(5),
            "level": "ERROR",
            "message": "ERROR: failed to deploy release 2.3 to production",
            "job_name": "deploy-prod",
            "build_number": 7,
        }
    )
    return build, deploy


async def test_list_shows_the_catalogue_schemas_and_hints(runbooks_mcp: RunbooksMcp) -> None:
    async with connect(runbooks_mcp) as client:
        listed = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(listed) == {tool.name for tool in CATALOGUE}
    for name, tool in listed.items():
        definition = TOOLS_BY_NAME[name]
        assert tool.input_schema == definition.input_model.model_json_schema()
        assert tool.output_schema is not None and "status" in tool.output_schema["properties"]
        assert tool.annotations is not None
        assert tool.annotations.read_only_hint is (not definition.mutating)


async def test_incident_reads(runbooks_mcp: RunbooksMcp, seeder: Seeder) -> None:
    build, deploy = await _seed_two_incidents(seeder)
    async with connect(runbooks_mcp) as client:
        active = await client.call_tool("get_active_incidents", {})
        critical = await client.call_tool("get_critical_incidents", {"limit": 5})
        one = await client.call_tool("get_incident", {"incident_id": deploy})
        stats = await client.call_tool("get_incidents_stats", {"hours": 2})
        missing = await client.call_tool("get_incident", {"incident_id": 4242})
        bad = await client.call_tool("get_active_incidents", {"severity": "urgent"})

    assert active.is_error is False and active.structured_content["status"] == "ok"
    assert {i["id"] for i in _data(active)["incidents"]} == {build, deploy}
    assert deploy in {i["id"] for i in _data(critical)["incidents"]}
    assert _data(one)["job_name"] == "deploy-prod" and _data(one)["build_number"] == 7
    assert _data(stats)["total"] == 2 and _data(stats)["overall"]["open"] == 2
    assert missing.is_error is True
    assert _data(missing) == {
        "error": "not_found",
        "message": "incident 4242 does not exist",
        "field": None,
    }
    assert bad.is_error is True and _data(bad)["field"] == "severity"


async def test_acknowledge_and_resolve_record_the_actor(
    runbooks_mcp: RunbooksMcp, seeder: Seeder, db_pool: asyncpg.Pool
) -> None:
    build, _ = await _seed_two_incidents(seeder)
    async with connect(runbooks_mcp) as client:
        ack = await client.call_tool(
            "acknowledge_incident",
            {"incident_id": build},
            meta=cast(RequestParamsMeta, {"actor": "slack:U123"}),
        )
        resolved = await client.call_tool(
            "resolve_incident", {"incident_id": build, "notes": "rebuilt with the cache cleared"}
        )
        again = await client.call_tool("resolve_incident", {"incident_id": build})

    assert ack.is_error is False
    assert _data(ack)["status"] == "acknowledged" and _data(ack)["acknowledged_by"] == "slack:U123"
    assert _data(resolved)["status"] == "resolved"
    # No _meta.actor: the client's own identity is recorded.
    assert _data(resolved)["resolved_by"].startswith("mcp:")
    assert _data(resolved)["resolution_notes"] == "rebuilt with the cache cleared"
    assert again.is_error is True and _data(again)["error"] == "invalid_transition"
    audited = await db_pool.fetch(
        "SELECT actor, to_status FROM audit_log WHERE entity_type = 'incident' AND entity_id = $1"
        " ORDER BY id",
        str(build),
    )
    assert [(r["actor"], r["to_status"]) for r in audited][-2:] == [
        ("slack:U123", "acknowledged"),
        (_data(resolved)["resolved_by"], "resolved"),
    ]


async def test_log_reads(runbooks_mcp: RunbooksMcp, seeder: Seeder) -> None:
    await seeder.jenkins(
        {
            "@timestamp": seeder.at(3),
            "level": "WARN",
            "message": "slow agent",
            "job_name": "api-build",
        },
        {
            "@timestamp": seeder.at(2),
            "level": "INFO",
            "message": "checkout done",
            "job_name": "api-build",
        },
        {
            "@timestamp": seeder.at(60 * 30),
            "level": "WARN",
            "message": "old line",
            "job_name": "api-build",
        },
    )
    await seeder.api(
        {
            "@timestamp": seeder.at(1),
            "http_method": "GET",
            "http_status": 503,
            "endpoint": "/orders",
            "message": "upstream down",
        },
        {
            "@timestamp": seeder.at(1),
            "http_method": "POST",
            "http_status": 201,
            "endpoint": "/orders",
        },
    )
    async with connect(runbooks_mcp) as client:
        warns = await client.call_tool(
            "read_jenkins_logs", {"job": "api-build", "level": "warning"}
        )
        week = await client.call_tool("read_jenkins_logs", {"level": "WARN", "since": "1w"})
        errors = await client.call_tool("read_api_logs", {"status": "5xx", "since": "1h"})
        nothing = await client.call_tool("read_api_logs", {"status": 404})
        bad_since = await client.call_tool("read_api_logs", {"since": "yesterdayish"})

    assert [e["message"] for e in _data(warns)["entries"]] == ["slow agent"]
    assert [e["message"] for e in _data(week)["entries"]] == ["slow agent", "old line"]
    assert [(e["http_status"], e["endpoint"]) for e in _data(errors)["entries"]] == [
        (503, "/orders")
    ]
    assert nothing.is_error is False and nothing.structured_content["status"] == "no_data"
    assert bad_since.is_error is True and _data(bad_since)["field"] == "since"


async def test_server_status(runbooks_mcp: RunbooksMcp, seeder: Seeder) -> None:
    await _seed_two_incidents(seeder)
    async with connect(runbooks_mcp) as client:
        status = await client.call_tool("get_server_status", {})
    data = _data(status)
    assert status.is_error is False
    assert data["database"] == "up" and data["broker"] == "unknown"
    assert data["open_incidents"] == 2 and data["outbox"]["pending"] >= 2


async def test_tool_list_change_is_announced(runbooks_mcp: RunbooksMcp) -> None:
    seen: list[str] = []

    async def on_message(message: Any) -> None:
        seen.append(type(getattr(message, "root", message)).__name__)

    async with Client(runbooks_mcp.server, mode="legacy", message_handler=on_message) as client:
        assert client.server_capabilities.tools is not None
        assert client.server_capabilities.tools.list_changed is True
        await client.list_tools()
        await runbooks_mcp.replace_catalogue(CATALOGUE[:3])
        names = {tool.name for tool in (await client.list_tools(cache_mode="bypass")).tools}
    assert names == {tool.name for tool in CATALOGUE[:3]}
    assert any("ToolListChanged" in name for name in seen), seen
