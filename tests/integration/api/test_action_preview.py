"""Guard preview: the verdict a request would get now, on the real database, storing nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from backend.api.app import create_app
from backend.services.action_preview import preview_action
from backend.services.actions import InvalidActionRequest, request_action
from backend.settings import ApiSettings
from runner.guard import ActionGuard, GuardPolicy

GUARD = ActionGuard(GuardPolicy(deny_jobs=("legacy-*",), production_patterns=("*prod*",)))
TABLES = ("action_executions", "outbox_events", "audit_log")


async def _counts(pool: asyncpg.Pool) -> dict[str, int]:
    async with pool.acquire() as conn:
        return {table: await conn.fetchval(f"SELECT count(*) FROM {table}") for table in TABLES}


async def _start(pool: asyncpg.Pool, action_id: int) -> None:
    """The runner's claim, as far as the guard's counts see it."""
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE action_executions SET status = 'running', started_at = now() WHERE id = $1",
            action_id,
        )


async def test_allowed_request_is_previewed_with_its_plan_and_nothing_is_written(
    db_pool: asyncpg.Pool,
) -> None:
    before = await _counts(db_pool)
    seen = await preview_action(
        db_pool, action="restart", job="team/build-app", build=7, requested_by="alice", guard=GUARD
    )
    assert seen.decision == "allowed"
    assert seen.reason == "allowed by policy"
    assert (
        seen.plan[0] == "GET /job/team/job/build-app/7/api/json (read the parameters of build #7)"
    )
    assert not seen.dry_run and not seen.high_risk
    assert seen.requested_by == "alice"
    assert await _counts(db_pool) == before


async def test_production_job_needs_approval(db_pool: asyncpg.Pool) -> None:
    seen = await preview_action(
        db_pool, action="restart", job="deploy-prod", build=123, requested_by="alice", guard=GUARD
    )
    assert seen.decision == "needs_approval"
    assert "production pattern '*prod*'" in seen.reason
    assert seen.high_risk
    assert await _counts(db_pool) == dict.fromkeys(TABLES, 0)


async def test_denylisted_job_is_refused_with_the_guard_reason(db_pool: asyncpg.Pool) -> None:
    seen = await preview_action(
        db_pool, action="stop", job="legacy-batch", build=3, requested_by="alice", guard=GUARD
    )
    assert seen.decision == "refused"
    assert "denylist pattern 'legacy-*'" in seen.reason
    assert await _counts(db_pool) == dict.fromkeys(TABLES, 0)


async def test_preview_and_request_read_the_same_database_counts(db_pool: asyncpg.Pool) -> None:
    first = await request_action(
        db_pool, action="restart", job="build-app", build=1, requested_by="bob", guard=GUARD
    )
    await _start(db_pool, first.id)
    before = await _counts(db_pool)
    seen = await preview_action(
        db_pool, action="restart", job="build-app", build=2, requested_by="alice", guard=GUARD
    )
    assert seen.decision == "refused"
    assert "cooldown is 300s" in seen.reason
    assert await _counts(db_pool) == before
    real = await request_action(
        db_pool, action="restart", job="build-app", build=2, requested_by="alice", guard=GUARD
    )
    assert real.status == "rejected"
    assert real.status_reason is not None
    # The same check refused both; only the seconds elapsed differ between them.
    for reason in (seen.reason, real.status_reason):
        assert reason.startswith("an action on 'build-app' started ")


async def test_a_malformed_request_is_an_error_not_a_verdict(db_pool: asyncpg.Pool) -> None:
    with pytest.raises(InvalidActionRequest, match="rollback needs the target_build"):
        await preview_action(db_pool, action="rollback", job="build-app", requested_by="alice")


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


async def test_rest_preview_answers_with_the_verdict_and_stores_nothing(
    api: httpx.AsyncClient, db_pool: asyncpg.Pool
) -> None:
    reply = await api.get(
        "/api/actions/preview",
        params={"action": "rollback", "job": "team/deploy-prod", "target_build": 118},
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["decision"] == "needs_approval"
    assert body["reason"] == "'rollback' is a high-risk action and needs a person's approval"
    assert body["requested_by"] == "api"
    assert body["plan"][0].startswith("GET /job/team/job/deploy-prod/118/api/json")
    assert await _counts(db_pool) == dict.fromkeys(TABLES, 0)


async def test_rest_preview_refuses_bad_requests_and_needs_the_token(
    api: httpx.AsyncClient,
) -> None:
    missing = await api.get("/api/actions/preview", params={"action": "stop", "job": "build-app"})
    assert missing.status_code == 400
    assert "stop needs the build number" in missing.json()["detail"]
    unknown = await api.get("/api/actions/preview", params={"action": "explode", "job": "x"})
    assert unknown.status_code == 422
    anonymous = await api.get(
        "/api/actions/preview",
        params={"action": "restart", "job": "build-app", "build": 1},
        headers={"Authorization": "Bearer wrong"},
    )
    assert anonymous.status_code == 401
