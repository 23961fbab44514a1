"""The API's two tool faces: REST `/api/tools` and MCP at `/mcp`, behind the same token."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import httpx2
import pytest
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from backend.api.app import create_app
from backend.settings import ApiSettings
from tests.integration.tools.conftest import Seeder
from tools.catalogue import CATALOGUE


@pytest.fixture
def api_settings(database_url: str, api_token: str) -> ApiSettings:
    return ApiSettings(database_url=database_url, api_token=api_token)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
async def api_url(db_pool: asyncpg.Pool, api_settings: ApiSettings) -> AsyncIterator[str]:
    """The API served by uvicorn on a free port (MCP's HTTP client needs a real socket)."""
    app = create_app(api_settings, pool=db_pool, probe_broker=False)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    deadline = asyncio.get_running_loop().time() + 15
    while not server.started:
        assert not task.done(), "the API did not start"
        assert asyncio.get_running_loop().time() < deadline, "the API took too long to start"
        await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


def _mcp(url: str, token: str) -> Client:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30)
    return Client(streamable_http_client(f"{url}/mcp", http_client=http), mode="legacy")


async def test_rest_lists_the_catalogue(api_url: str, api_token: str) -> None:
    async with httpx.AsyncClient(base_url=api_url) as http:
        denied = await http.get("/api/tools")
        listed = await http.get("/api/tools", headers={"Authorization": f"Bearer {api_token}"})
    assert denied.status_code == 401
    assert listed.status_code == 200
    by_name = {tool["name"]: tool for tool in listed.json()}
    assert set(by_name) == {tool.name for tool in CATALOGUE}
    for tool in CATALOGUE:
        assert by_name[tool.name]["input_schema"] == tool.input_model.model_json_schema()
        assert by_name[tool.name]["mutating"] is tool.mutating


async def test_mcp_over_http_needs_the_token(api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url) as http:
        response = await http.post(
            "/mcp",
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers={"Accept": "application/json, text/event-stream"},
        )
    assert response.status_code == 401


async def test_rest_and_mcp_give_the_same_results(
    api_url: str, api_token: str, seeder: Seeder
) -> None:
    (incident,) = await seeder.jenkins(
        {
            "@timestamp": seeder.at(4),
            "level": "ERROR",
            "message": "Finished: FAILURE",
            "job_name": "api-build",
            "build_number": 12,
        }
    )
    calls: list[tuple[str, dict[str, Any], int]] = [
        ("get_incident", {"incident_id": incident}, 200),
        ("get_active_incidents", {"severity": "medium"}, 200),
        ("get_incident", {"incident_id": 999}, 404),
        ("get_incident", {"incident_id": "seven"}, 422),
        # An absolute `since`: a relative one is resolved against each call's own clock.
        ("read_api_logs", {"status": "5xx", "since": seeder.at(60)}, 200),
    ]
    headers = {"Authorization": f"Bearer {api_token}"}
    async with (
        httpx.AsyncClient(base_url=api_url, headers=headers) as http,
        _mcp(api_url, api_token) as mcp,
    ):
        for name, arguments, code in calls:
            rest = await http.post(f"/api/tools/{name}", json=arguments)
            over_mcp = await mcp.call_tool(name, arguments)
            assert rest.status_code == code, (name, rest.text)
            assert rest.json() == over_mcp.structured_content, name
            assert over_mcp.is_error is (code != 200)
        ack = await mcp.call_tool("acknowledge_incident", {"incident_id": incident})
        unknown = await http.post("/api/tools/drop_database", json={})
    # Over HTTP every caller holds the API token; that is who is recorded.
    assert ack.structured_content is not None
    assert ack.structured_content["data"]["acknowledged_by"] == "token:api"
    assert unknown.status_code == 404 and unknown.json()["status"] == "error"
