"""Actions end to end on real PostgreSQL + RabbitMQ + the Jenkins simulator: the issue's list."""

from __future__ import annotations

import asyncio

import aio_pika
import asyncpg
import orjson
import pytest
from aio_pika.abc import AbstractChannel, AbstractQueue

from backend.domain.errors import NotAllowed
from backend.messaging.topology import EVENTS_EXCHANGE
from backend.services import actions as service
from backend.services.action_models import ActionPublic
from runner.guard import ActionGuard, GuardPolicy
from runner.simulator.server import SimulatorServer
from tests.integration.runner.conftest import (
    RunnerSettingsFactory,
    RunnerTask,
    drain_events,
    eventually,
)
from tests.integration.runner.simulator_fixtures import start_simulator

GUARD = ActionGuard(GuardPolicy(cooldown_s=0, max_concurrent=3))


async def final(pool: asyncpg.Pool, action_id: int, *, timeout_s: float = 15.0) -> ActionPublic:
    async def probe() -> ActionPublic | None:
        action = await service.get_action(pool, action_id=action_id)
        return action if action.final else None

    return await eventually(probe, timeout_s=timeout_s)


pytestmark = pytest.mark.usefixtures("relay")


async def test_same_request_delivered_twice_calls_jenkins_once(
    db_pool: asyncpg.Pool,
    simulator: SimulatorServer,
    runner_settings: RunnerSettingsFactory,
    amqp: AbstractChannel,
) -> None:
    async with RunnerTask(runner_settings(simulator)):
        action = await service.request_action(
            db_pool, action="restart", job="api-gateway", build=3, requested_by="alice", guard=GUARD
        )
        assert action.status == "approved" and action.plan[0].startswith(
            "GET /job/api-gateway/3/api/json"
        )
        done = await final(db_pool, action.id)
        # The relay delivered it once; now the broker redelivers the same event, and a second
        # event (another id) names the same action: neither may run it again.
        async with db_pool.acquire() as conn:
            row = await conn.fetchrow(
                "SELECT id, payload FROM outbox_events WHERE event_type = 'action.requested'"
            )
        assert row is not None
        exchange = await amqp.get_exchange(EVENTS_EXCHANGE)
        body = orjson.dumps(row["payload"])
        await exchange.publish(
            aio_pika.Message(body, message_id=str(row["id"])), routing_key="action.requested"
        )
        await exchange.publish(
            aio_pika.Message(body, message_id="another-event-id"), routing_key="action.approved"
        )

        async def both_handled() -> bool:
            async with db_pool.acquire() as conn:
                return bool(
                    await conn.fetchval(
                        "SELECT count(*) FROM processed_messages WHERE consumer = 'runner'"
                    )
                    == 2
                )

        await eventually(both_handled)
    assert done.status == "succeeded" and done.new_build_number == 4
    assert simulator.state.call_count(method="POST", path_contains="/build") == 1


async def test_ten_concurrent_requests_with_a_limit_of_two_never_run_more_than_two(
    db_pool: asyncpg.Pool, runner_settings: RunnerSettingsFactory
) -> None:
    jobs = [
        {
            "name": f"svc-{n}",
            "parameters": [{"name": "VERSION", "default": "1"}],
            "history": [{"parameters": {"VERSION": "1"}}],
        }
        for n in range(10)
    ]
    server = start_simulator(jobs=jobs, build_seconds=0.4)
    try:
        async with RunnerTask(runner_settings(server, guard_max_concurrent=2, runner_prefetch=10)):
            requested = await asyncio.gather(
                *(
                    service.request_action(
                        db_pool,
                        action="restart",
                        job=f"svc-{n}",
                        build=1,
                        requested_by="load",
                        guard=GUARD,
                    )
                    for n in range(10)
                )
            )
            results = [await final(db_pool, a.id) for a in requested]
        builds = [
            b for job in server.state.jobs.values() for b in job.builds.values() if b.number > 1
        ]
    finally:
        server.stop()
    assert peak_overlap([(b.started_at, b.finished_at or 0.0) for b in builds]) <= 2
    ran = [a for a in results if a.started_at is not None]
    assert len(ran) >= 2
    moments = sorted(
        [(a.started_at, 1) for a in ran] + [(a.finished_at, -1) for a in ran],
        key=lambda m: (m[0], m[1]),
    )
    running = peak = 0
    for _, step in moments:
        running += step
        peak = max(peak, running)
    assert peak <= 2
    refused = [a for a in results if a.status == "rejected"]
    assert all("already running (limit 2)" in (a.status_reason or "") for a in refused)
    assert len(ran) + len(refused) == 10
    assert all(a.status == "succeeded" for a in ran)


async def test_dry_run_runs_the_path_but_never_calls_jenkins(
    db_pool: asyncpg.Pool, simulator: SimulatorServer, runner_settings: RunnerSettingsFactory
) -> None:
    async with RunnerTask(runner_settings(simulator)):
        await eventually(
            lambda: asyncio.sleep(0, simulator.state.call_count())
        )  # the start-up health probe
        before = simulator.state.call_count()
        action = await service.request_action(
            db_pool,
            action="restart",
            job="api-gateway",
            build=3,
            requested_by="alice",
            dry_run=True,
            guard=GUARD,
        )
        done = await final(db_pool, action.id)
    assert done.status == "succeeded" and done.dry_run
    assert done.result is not None and done.result["dry_run"] is True
    assert (
        done.result["would_call"][1]
        == "POST /job/api-gateway/buildWithParameters with those parameters (or /build if none)"
    )
    assert simulator.state.call_count() == before


async def test_stop_on_production_waits_for_approval_and_refuses_self_approval(
    db_pool: asyncpg.Pool, runner_settings: RunnerSettingsFactory, events_queue: AbstractQueue
) -> None:
    server = start_simulator(build_seconds=60.0)
    try:
        item = server.state.enqueue("deploy-prod", {"VERSION": "2.15.0"}, user="ci")
        server.state.advance()
        async with RunnerTask(runner_settings(server)):
            action = await service.request_action(
                db_pool,
                action="stop",
                job="deploy-prod",
                build=item.build_number,
                requested_by="alice",
                reason="hung deploy",
                guard=GUARD,
            )
            assert action.status == "awaiting_approval" and action.needs_approval
            assert "'stop' is a high-risk action" in (action.status_reason or "")
            with pytest.raises(NotAllowed, match="two-person rule"):
                await service.approve_action(
                    db_pool, action_id=action.id, actor="alice", guard=GUARD
                )
            assert (
                await service.get_action(db_pool, action_id=action.id)
            ).status == "awaiting_approval"
            approved = await service.approve_action(
                db_pool, action_id=action.id, actor="bob", guard=GUARD
            )
            assert approved.approved_by == "bob"
            done = await final(db_pool, action.id)
        assert done.status == "succeeded" and done.build_result == "ABORTED"
        assert server.state.jobs["deploy-prod"].builds[item.build_number or 0].result == "ABORTED"
    finally:
        server.stop()
    events = await drain_events(
        events_queue, until=lambda seen: any(e["event_type"] == "action.succeeded" for e in seen)
    )
    kinds = [e["event_type"] for e in events]
    assert (
        kinds.index("action.awaiting_approval")
        < kinds.index("action.approved")
        < kinds.index("action.started")
        < kinds.index("action.succeeded")
    )


async def test_jenkins_500_then_201_is_retried_and_succeeds(
    db_pool: asyncpg.Pool, simulator: SimulatorServer, runner_settings: RunnerSettingsFactory
) -> None:
    simulator.state.fail_next(1, status=500, method="POST")
    async with RunnerTask(runner_settings(simulator)):
        action = await service.request_action(
            db_pool, action="trigger", job="nightly-tests", requested_by="alice", guard=GUARD
        )
        done = await final(db_pool, action.id)
    assert done.status == "succeeded", done.status_reason
    assert simulator.state.call_count(method="POST", path_contains="/nightly-tests/build") == 2


async def test_missing_job_fails_with_a_clear_reason(
    db_pool: asyncpg.Pool, simulator: SimulatorServer, runner_settings: RunnerSettingsFactory
) -> None:
    async with RunnerTask(runner_settings(simulator)):
        action = await service.request_action(
            db_pool, action="restart", job="ghost-job", build=7, requested_by="alice", guard=GUARD
        )
        done = await final(db_pool, action.id)
    assert done.status == "failed"
    assert done.status_reason == "Jenkins job 'ghost-job' does not exist"
    assert simulator.state.call_count(method="POST") == 0


async def test_failed_rebuild_fails_the_action_and_leaves_the_incident_open(
    db_pool: asyncpg.Pool, runner_settings: RunnerSettingsFactory
) -> None:
    server = start_simulator(build_seconds=0.0)
    server.state.set_result("FAILURE", job="api-gateway")
    try:
        async with RunnerTask(runner_settings(server)):
            action = await service.request_action(
                db_pool,
                action="restart",
                job="api-gateway",
                build=1,
                requested_by="alice",
                guard=GUARD,
            )
            done = await final(db_pool, action.id)
    finally:
        server.stop()
    assert done.status == "failed" and done.build_result == "FAILURE"
    assert done.status_reason == "the new build #4 of 'api-gateway' ended FAILURE"


async def test_running_action_found_at_start_is_marked_unknown_not_rerun(
    db_pool: asyncpg.Pool,
    simulator: SimulatorServer,
    runner_settings: RunnerSettingsFactory,
    events_queue: AbstractQueue,
) -> None:
    settings = runner_settings(simulator)
    action = await service.request_action(
        db_pool, action="restart", job="api-gateway", build=3, requested_by="alice", guard=GUARD
    )
    async with db_pool.acquire() as conn:  # as a runner that died mid-action left it
        await conn.execute(
            "UPDATE action_executions SET status = 'running', started_at = now(), claimed_by = $2, heartbeat_at = now() WHERE id = $1",
            action.id,
            settings.runner_id,
        )
    async with RunnerTask(settings):
        done = await final(db_pool, action.id)
    assert done.status == "unknown" and "it was not rerun" in (done.status_reason or "")
    assert simulator.state.call_count(method="POST") == 0
    events = await drain_events(
        events_queue, until=lambda seen: any(e["event_type"] == "action.unknown" for e in seen)
    )
    unknown = next(e for e in events if e["event_type"] == "action.unknown")
    assert unknown["action"]["id"] == action.id


async def test_idempotency_key_and_reject(db_pool: asyncpg.Pool) -> None:
    first = await service.request_action(
        db_pool,
        action="rollback",
        job="deploy-prod",
        target_build=2,
        requested_by="alice",
        idempotency_key="k-1",
        guard=GUARD,
    )
    again = await service.request_action(
        db_pool,
        action="rollback",
        job="deploy-prod",
        target_build=2,
        requested_by="alice",
        idempotency_key="k-1",
        guard=GUARD,
    )
    assert first.id == again.id and first.status == "awaiting_approval"
    rejected = await service.reject_action(
        db_pool, action_id=first.id, actor="bob", reason="not now"
    )
    assert (rejected.status, rejected.rejected_by, rejected.status_reason) == (
        "rejected",
        "bob",
        "not now",
    )
    async with db_pool.acquire() as conn:
        count = await conn.fetchval("SELECT count(*) FROM action_executions")
        changes = [
            r["change"]
            for r in await conn.fetch(
                "SELECT change FROM audit_log WHERE entity_type = 'action' ORDER BY id"
            )
        ]
    assert count == 1 and changes == ["action.requested", "action.rejected"]
    stats = await service.actions_stats(db_pool, hours=1)
    assert stats.total == 1 and stats.by_status == {"rejected": 1}


def peak_overlap(spans: list[tuple[float, float]]) -> int:
    """The most spans open at one moment (an end sorts before a start at the same instant)."""
    moments = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    running = peak = 0
    for _, step in moments:
        running += step
        peak = max(peak, running)
    return peak
