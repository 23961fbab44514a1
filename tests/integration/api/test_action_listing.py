"""GET /api/actions: the newest actions first, filtered by job and status."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from backend.api.app import create_app
from backend.settings import ApiSettings


@pytest.fixture
async def api(
    db_pool: asyncpg.Pool, database_url: str, rabbitmq_url: str, api_token: str
) -> AsyncIterator[httpx.AsyncClient]:
    settings = ApiSettings(
        database_url=database_url, rabbitmq_url=rabbitmq_url, api_token=api_token
    )
    app = create_app(settings, pool=db_pool)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://api.test",
            headers={"Authorization": f"Bearer {api_token}"},
        ) as http:
            yield http


async def _request(api: httpx.AsyncClient, action: str, job: str, **target: int) -> int:
    reply = await api.post(
        "/api/actions/request",
        json={"action": action, "job": job, "requested_by": "alice", **target},
    )
    assert reply.status_code == 200, reply.text
    return int(reply.json()["id"])


async def test_lists_newest_first_filtered_by_job_and_status(api: httpx.AsyncClient) -> None:
    first = await _request(api, "rollback", "deploy-prod", target_build=2)
    second = await _request(api, "stop", "deploy-prod", build=5)
    other = await _request(api, "rollback", "api-gateway", target_build=1)

    everything = (await api.get("/api/actions")).json()
    assert [a["id"] for a in everything] == [other, second, first]

    prod = (await api.get("/api/actions", params={"job": "deploy-prod"})).json()
    assert [a["id"] for a in prod] == [second, first]

    waiting = (
        await api.get("/api/actions", params={"job": "deploy-prod", "status": "awaiting_approval"})
    ).json()
    assert {a["status"] for a in waiting} == {"awaiting_approval"}
    assert len((await api.get("/api/actions", params={"limit": 1})).json()) == 1


async def test_unknown_status_is_a_422_naming_the_parameter(api: httpx.AsyncClient) -> None:
    reply = await api.get("/api/actions", params={"status": "exploded"})
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["loc"] == ["query", "status"]
