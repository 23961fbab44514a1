"""The guard preview resource template over an in-process MCP session, on the real database."""

from __future__ import annotations

import json
from typing import Any, cast

import asyncpg
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, RequestParamsMeta, TextResourceContents

from tests.integration.tools.conftest import connect
from tools.guard_preview import GUARD_PREVIEW_TEMPLATE, guard_preview_uri
from tools.mcp_server import RunbooksMcp


async def _read(client: Client, uri: str, actor: str | None = None) -> dict[str, Any]:
    meta = cast(RequestParamsMeta, {"actor": actor}) if actor else None
    result = await client.read_resource(uri, meta=meta, cache_mode="bypass")
    (content,) = result.contents
    assert isinstance(content, TextResourceContents)
    assert content.mime_type == "application/json"
    parsed: dict[str, Any] = json.loads(content.text)
    return parsed


async def _rows(pool: asyncpg.Pool) -> int:
    async with pool.acquire() as conn:
        count: int = await conn.fetchval(
            "SELECT (SELECT count(*) FROM action_executions) + (SELECT count(*) FROM audit_log)"
            " + (SELECT count(*) FROM outbox_events)"
        )
    return count


def test_uri_encodes_the_folder_job_as_one_segment() -> None:
    assert (
        guard_preview_uri("rollback", "team/deploy-prod", target_build=118)
        == "runbooks://guard/preview/rollback/team%2Fdeploy-prod?target_build=118"
    )
    assert guard_preview_uri("stop", "api", build=4) == "runbooks://guard/preview/stop/api?build=4"


async def test_template_is_listed_and_a_folder_job_preview_names_the_caller(
    runbooks_mcp: RunbooksMcp, db_pool: asyncpg.Pool
) -> None:
    async with connect(runbooks_mcp) as client:
        templates = (await client.list_resource_templates()).resource_templates
        prod = await _read(
            client,
            guard_preview_uri("restart", "team/deploy-prod", build=12),
            actor="terminal:alice",
        )
        plain = await _read(client, guard_preview_uri("restart", "build-app", build=3))
    assert [t.uri_template for t in templates] == [GUARD_PREVIEW_TEMPLATE]
    assert prod["job"] == "team/deploy-prod"
    assert prod["decision"] == "needs_approval"
    assert "production pattern" in prod["reason"]
    assert prod["requested_by"] == "terminal:alice"
    assert prod["plan"][0].startswith("GET /job/team/job/deploy-prod/12/api/json")
    assert plain["decision"] == "allowed"
    assert plain["requested_by"].startswith("mcp:")
    assert await _rows(db_pool) == 0


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("runbooks://guard/preview/stop/build-app", "stop needs the build number"),
        ("runbooks://guard/preview/explode/build-app?build=1", "unknown action 'explode'"),
        ("runbooks://guard/preview/stop/build-app?build=abc", "build must be a build number"),
    ],
)
async def test_malformed_previews_are_invalid_params_naming_the_problem(
    runbooks_mcp: RunbooksMcp, uri: str, message: str
) -> None:
    async with connect(runbooks_mcp) as client:
        with pytest.raises(MCPError) as raised:
            await client.read_resource(uri, cache_mode="bypass")
    assert raised.value.code == INVALID_PARAMS
    assert message in raised.value.error.message
