"""Log batches over HTTP: storage, dedup, detection, incidents, refusal of malformed batches."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import orjson
from aio_pika.abc import AbstractQueue

from backend.outbox.relay import OutboxRelay
from tests.integration.core.conftest import (
    RelayFactory,
    build_failure,
    collect,
    jenkins_record,
    wait_until_published,
)


async def test_batch_opens_incident_and_publishes_detected_event(
    client: httpx.AsyncClient,
    db_pool: asyncpg.Pool,
    events_queue: AbstractQueue,
    make_relay: RelayFactory,
) -> None:
    batch = [jenkins_record(i) for i in range(50)] + [build_failure(50)]
    reply = await client.post("/api/logs/jenkins", json=batch)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["stored"] == 51
    assert body["duplicates"] == 0
    assert len(body["incidents"]["opened"]) >= 1
    incident = await db_pool.fetchrow(
        "SELECT * FROM incidents WHERE rule = 'jenkins_build_failure'"
    )
    assert incident is not None
    assert incident["job_name"] == "deploy-prod"
    assert incident["build_number"] == 128
    assert incident["severity"] == "high"  # production job
    assert incident["id"] in body["incidents"]["opened"]

    relay = make_relay()
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        messages = await collect(events_queue, len(body["incidents"]["opened"]))
    finally:
        stop.set()
        await task
    detected = [m for m in messages if m.routing_key == "incident.detected"]
    payloads = [orjson.loads(m.body) for m in detected]
    by_rule = {p["incident"]["rule"]: p for p in payloads}
    event = by_rule["jenkins_build_failure"]
    assert event["event_type"] == "incident.detected"
    assert event["incident"]["id"] == incident["id"]
    message = next(m for m in detected if m.message_id == event["event_id"])
    assert message.message_id == event["event_id"]
    assert message.type == "incident.detected"
    assert message.content_type == "application/json"
    assert message.delivery_mode == 2


async def test_same_batch_twice_stores_nothing_new(
    client: httpx.AsyncClient, db_pool: asyncpg.Pool
) -> None:
    batch = [jenkins_record(i) for i in range(20)] + [build_failure(20)]
    first = (await client.post("/api/logs/jenkins", json=batch)).json()
    outbox_after_first = await db_pool.fetchval("SELECT count(*) FROM outbox_events")
    second = (await client.post("/api/logs/jenkins", json=batch)).json()
    assert first["stored"] == 21
    assert second == {"stored": 0, "duplicates": 21, "incidents": {"opened": [], "updated": []}}
    assert await db_pool.fetchval("SELECT count(*) FROM logs_jenkins") == 21
    assert (
        await db_pool.fetchval(
            "SELECT occurrences FROM incidents WHERE rule = 'jenkins_build_failure'"
        )
        == 1
    )
    assert await db_pool.fetchval("SELECT count(*) FROM outbox_events") == outbox_after_first


async def test_records_without_id_are_deduplicated_by_content(
    client: httpx.AsyncClient, db_pool: asyncpg.Pool
) -> None:
    record = jenkins_record(1)
    del record["_id"], record["_index"]
    other = {**record, "message": "something else"}
    first = (await client.post("/api/logs/jenkins", json=[record, record, other])).json()
    again = (await client.post("/api/logs/jenkins", json=record)).json()
    assert (first["stored"], first["duplicates"]) == (2, 1)
    assert (again["stored"], again["duplicates"]) == (0, 1)
    assert (
        await db_pool.fetchval(
            "SELECT count(DISTINCT source_id) FROM logs_jenkins WHERE source_index = 'direct'"
        )
        == 2
    )


async def test_repeat_failure_updates_the_open_incident(
    client: httpx.AsyncClient, db_pool: asyncpg.Pool
) -> None:
    first = (
        await client.post("/api/logs/jenkins", json=[build_failure(1, job="web-app", build=7)])
    ).json()
    second = (
        await client.post("/api/logs/jenkins", json=[build_failure(2, job="web-app", build=8)])
    ).json()
    [opened] = first["incidents"]["opened"]
    assert opened in second["incidents"]["updated"]
    row = await db_pool.fetchrow(
        "SELECT occurrences, build_number FROM incidents WHERE id = $1", opened
    )
    assert row is not None
    assert (row["occurrences"], row["build_number"]) == (2, 8)
    assert (
        await db_pool.fetchval(
            "SELECT count(*) FROM incidents WHERE status <> 'resolved' AND rule = 'jenkins_build_failure'"
        )
        == 1
    )
    # Inside the update interval (60 s): no incident.updated event yet.
    assert (
        await db_pool.fetchval(
            "SELECT count(*) FROM outbox_events WHERE event_type = 'incident.updated'"
        )
        == 0
    )


async def test_malformed_batch_is_refused_whole_naming_position_and_field(
    client: httpx.AsyncClient, db_pool: asyncpg.Pool
) -> None:
    batch = [jenkins_record(i) for i in range(5)]
    del batch[3]["level"]
    batch[4]["@timestamp"] = "not a time"
    reply = await client.post("/api/logs/jenkins", json=batch)
    assert reply.status_code == 422
    locs = [e["loc"] for e in reply.json()["detail"]]
    assert ["body", 3, "level"] in locs
    assert ["body", 4, "@timestamp"] in locs
    assert await db_pool.fetchval("SELECT count(*) FROM logs_jenkins") == 0


async def test_single_record_errors_name_the_field(client: httpx.AsyncClient) -> None:
    reply = await client.post(
        "/api/logs/api",
        json={
            "@timestamp": "2025-03-01T12:00:00Z",
            "http_method": "GET",
            "http_status": 999,
            "endpoint": "/x",
        },
    )
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["loc"] == ["body", "http_status"]


async def test_not_json_and_oversized_batches_are_refused(
    client: httpx.AsyncClient, db_pool: asyncpg.Pool
) -> None:
    assert (await client.post("/api/logs/jenkins", content=b"[{")).status_code == 422
    too_many = [jenkins_record(i) for i in range(5001)]
    reply = await client.post("/api/logs/jenkins", json=too_many)
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["type"] == "too_long"
    assert await db_pool.fetchval("SELECT count(*) FROM logs_jenkins") == 0


async def test_api_logs_and_mcp_aliases(client: httpx.AsyncClient, db_pool: asyncpg.Pool) -> None:
    record = {
        "@timestamp": "2025-03-01T12:00:00Z",
        "http_method": "post",
        "http_status": 503,
        "endpoint": "/api/orders",
        "message": "upstream unavailable",
        "_index": "api-logs",
        "_id": "a1",
    }
    reply = await client.post("/mcp/logs/api", json=[record])
    assert reply.status_code == 200
    assert reply.json()["stored"] == 1
    jenkins = await client.post("/mcp/logs/jenkins", json=jenkins_record(1))
    assert jenkins.json()["stored"] == 1
    row = await db_pool.fetchrow("SELECT http_method, http_status FROM logs_api")
    assert row is not None
    assert (row["http_method"], row["http_status"]) == ("POST", 503)


async def test_auth_is_required_except_health_and_metrics(
    client: httpx.AsyncClient, api_token: str, caplog: object
) -> None:
    anonymous = {"Authorization": ""}
    assert (await client.get("/api/incidents/active", headers=anonymous)).status_code == 401
    wrong = await client.post(
        "/api/logs/jenkins",
        json=jenkins_record(1),
        headers={"Authorization": "Bearer nope-nope-nope"},
    )
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"] == "Bearer"
    assert (await client.get("/health", headers=anonymous)).status_code == 200
    metrics = await client.get("/metrics", headers=anonymous)
    assert metrics.status_code == 200
    assert "runbooks_outbox_pending" in metrics.text
    assert (await client.get("/api/incidents/active")).status_code == 200


async def test_metrics_count_ingested_logs(client: httpx.AsyncClient) -> None:
    def ingested(text: str) -> float:
        for line in text.splitlines():
            if line.startswith('runbooks_logs_ingested_total{source="jenkins"}'):
                return float(line.split()[-1])
        return 0.0

    before = ingested((await client.get("/metrics")).text)
    await client.post("/api/logs/jenkins", json=[jenkins_record(i) for i in range(7)])
    after = ingested((await client.get("/metrics")).text)
    assert after - before == 7


async def test_status_reports_database_broker_and_backlog(
    client: httpx.AsyncClient, make_relay: RelayFactory, db_pool: asyncpg.Pool
) -> None:
    await client.post("/api/logs/jenkins", json=[build_failure(1)])
    deadline = asyncio.get_running_loop().time() + 10
    while True:
        status = (await client.get("/api/status")).json()
        if status["broker"] == "up" or asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.05)
    assert status["database"] == "up"
    assert status["broker"] == "up"
    assert status["outbox"]["pending"] >= 1
    assert status["outbox"]["oldest_pending_age_s"] >= 0
    relay: OutboxRelay = make_relay()
    await relay._publisher.connect()
    try:
        await relay.relay_batch()
    finally:
        await relay._publisher.close()
    await wait_until_published(db_pool)
    after = (await client.get("/api/status")).json()
    assert after["outbox"]["pending"] == 0
    assert after["outbox"]["oldest_pending_age_s"] is None
