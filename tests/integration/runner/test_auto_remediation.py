"""A failing-build log through the API: incident, automatic restart, new build, resolution, events.
Plus the action routes over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest
from aio_pika.abc import AbstractQueue

from backend.api.app import create_app
from backend.services import actions as service
from backend.settings import ApiSettings
from runner.auto_remediation import auto_remediation_handler
from runner.guard import ActionGuard, GuardPolicy
from runner.simulator.server import SimulatorServer
from tests.integration.runner.conftest import (
    RunnerSettingsFactory,
    RunnerTask,
    drain_events,
    eventually,
)

GUARD = ActionGuard(GuardPolicy(cooldown_s=0))


@pytest.fixture
async def api(
    db_pool: asyncpg.Pool, database_url: str, rabbitmq_url: str, api_token: str
) -> AsyncIterator[httpx.AsyncClient]:
    settings = ApiSettings(
        database_url=database_url, rabbitmq_url=rabbitmq_url, api_token=api_token
    )
    app = create_app(
        settings, pool=db_pool, handlers=[auto_remediation_handler(GUARD)], probe_broker=False
    )
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://api.test",
            headers={"Authorization": f"Bearer {api_token}"},
        ) as client:
            yield client


@pytest.mark.usefixtures("relay")
async def test_failing_build_is_restarted_and_its_incident_resolved_with_mttr(
    api: httpx.AsyncClient,
    db_pool: asyncpg.Pool,
    simulator: SimulatorServer,
    runner_settings: RunnerSettingsFactory,
    events_queue: AbstractQueue,
) -> None:
    log = {
        "@timestamp": datetime.now(UTC).isoformat(),
        "_index": "jenkins-logs",
        "_id": "log-1",
        "level": "ERROR",
        "message": "Finished: FAILURE",
        "job_name": "api-gateway",
        "build_number": 2,
    }
    async with RunnerTask(runner_settings(simulator)):
        reply = await api.post("/api/logs/jenkins", json=[log])
        assert reply.status_code == 200, reply.text
        incident_id = reply.json()["incidents"]["opened"][0]

        async def action_id() -> int | None:
            async with db_pool.acquire() as conn:
                found: int | None = await conn.fetchval(
                    "SELECT id FROM action_executions WHERE incident_id = $1", incident_id
                )
                return found

        found = await eventually(action_id)

        async def finished() -> dict[str, object] | None:
            body: dict[str, object] = (await api.get(f"/api/actions/{found}")).json()
            return (
                body if body["status"] in ("succeeded", "failed", "rejected", "unknown") else None
            )

        action = await eventually(finished)
    assert action["status"] == "succeeded", action["status_reason"]
    assert action["requested_by"] == "rule:jenkins_build_failure" and action["action"] == "restart"
    assert action["build"] == 2 and action["new_build_number"] == 4
    rebuilt = simulator.state.jobs["api-gateway"].builds[4]
    assert rebuilt.parameters == simulator.state.jobs["api-gateway"].builds[2].parameters

    incident = (await api.get(f"/api/incidents/{incident_id}")).json()
    assert incident["status"] == "resolved" and incident["resolution_method"] == "auto_remediation"
    assert incident["resolved_by"] == "runner"
    result = action["result"]
    assert (
        isinstance(result, dict) and result["resolved_incidents"][0]["incident_id"] == incident_id
    )

    events = await drain_events(
        events_queue,
        until=lambda seen: (
            {"incident.resolved", "action.succeeded"} <= {e["event_type"] for e in seen}
        ),
    )
    kinds = [e["event_type"] for e in events]
    for earlier, later in [
        ("incident.detected", "action.requested"),
        ("action.requested", "action.started"),
        ("action.started", "action.succeeded"),
    ]:
        assert kinds.index(earlier) < kinds.index(later), kinds
    resolved = next(e for e in events if e["event_type"] == "incident.resolved")
    assert isinstance(resolved["mttr_seconds"], float) and resolved["mttr_seconds"] >= 0
    async with db_pool.acquire() as conn:
        history = [
            r["change"]
            for r in await conn.fetch(
                "SELECT change FROM audit_log WHERE entity_type = 'incident' AND entity_id = $1 ORDER BY id",
                str(incident_id),
            )
        ]
    assert history == ["action.linked", "incident.resolved"]


async def test_action_routes(api: httpx.AsyncClient, db_pool: asyncpg.Pool) -> None:
    rollback = await api.post(
        "/api/jenkins/rollback",
        json={
            "job": "deploy-prod",
            "target_build": 2,
            "requested_by": "alice",
            "reason": "2.14.0 broke checkout",
        },
    )
    assert rollback.status_code == 200, rollback.text
    action = rollback.json()
    assert action["status"] == "awaiting_approval" and action["needs_approval"] is True
    assert action["guard"]["verdict"] == "needs_approval"
    own = await api.post(f"/api/actions/{action['id']}/approve", json={"actor": "alice"})
    assert own.status_code == 403 and "two-person rule" in own.json()["detail"]
    approved = await api.post(f"/api/actions/{action['id']}/approve", json={"actor": "bob"})
    assert approved.status_code == 200 and approved.json()["approved_by"] == "bob"
    again = await api.post(f"/api/actions/{action['id']}/approve", json={"actor": "carol"})
    assert again.status_code == 409 and again.json()["current_status"] == "approved"

    restart = await api.post(
        "/api/jenkins/restart", json={"job": "api-gateway", "build": 3, "idempotency_key": "abc"}
    )
    repeat = await api.post(
        "/api/actions/request",
        json={"action": "restart", "job": "api-gateway", "build": 3, "idempotency_key": "abc"},
    )
    assert restart.json()["id"] == repeat.json()["id"]

    missing_build = await api.post(
        "/api/actions/request", json={"action": "restart", "job": "api-gateway"}
    )
    assert (
        missing_build.status_code == 400
        and "needs the build number" in missing_build.json()["detail"]
    )
    assert (await api.get("/api/actions/999")).status_code == 404
    rejected = await api.post(f"/api/actions/{restart.json()['id']}/reject", json={"actor": "bob"})
    assert (
        rejected.json()["status"] == "rejected"
        and rejected.json()["status_reason"] == "rejected by bob"
    )
    stats = (await api.get("/api/actions/stats", params={"hours": 1})).json()
    assert stats["total"] == 2 and stats["by_status"] == {"approved": 1, "rejected": 1}
    assert (await service.get_action(db_pool, action_id=action["id"])).status == "approved"
