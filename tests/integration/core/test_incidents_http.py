"""Incident lifecycle, stats and log search over HTTP, on the real database."""

from __future__ import annotations

import asyncpg
import httpx

from tests.integration.core.conftest import build_failure, jenkins_record


async def _open_incident(client: httpx.AsyncClient, job: str = "web-app") -> int:
    reply = await client.post("/api/logs/jenkins", json=[build_failure(1, job=job)])
    [incident_id] = reply.json()["incidents"]["opened"]
    return int(incident_id)


async def test_lifecycle_and_invalid_transitions(
    client: httpx.AsyncClient, db_pool: asyncpg.Pool
) -> None:
    incident_id = await _open_incident(client)
    active = (await client.get("/api/incidents/active")).json()
    assert [i["id"] for i in active["incidents"]] == [incident_id]

    ack = await client.post(f"/api/incidents/{incident_id}/acknowledge", json={"actor": "alice"})
    assert ack.status_code == 200
    assert (ack.json()["status"], ack.json()["acknowledged_by"]) == ("acknowledged", "alice")

    again = await client.post(f"/api/incidents/{incident_id}/acknowledge")
    assert again.status_code == 409
    assert again.json()["current_status"] == "acknowledged"

    resolved = await client.post(
        f"/api/incidents/{incident_id}/resolve", json={"actor": "alice", "notes": "rebuilt"}
    )
    assert resolved.status_code == 200
    assert resolved.json()["resolution_notes"] == "rebuilt"
    late_ack = await client.post(f"/api/incidents/{incident_id}/acknowledge")
    assert (late_ack.status_code, late_ack.json()["current_status"]) == (409, "resolved")
    assert (await client.post(f"/api/incidents/{incident_id}/resolve")).status_code == 409
    assert (await client.get("/api/incidents/999999")).status_code == 404
    assert (await client.post("/api/incidents/999999/resolve")).status_code == 404

    events = [
        r["event_type"]
        for r in await db_pool.fetch("SELECT event_type FROM outbox_events ORDER BY created_at")
    ]
    assert events[-2:] == ["incident.acknowledged", "incident.resolved"]
    resolved_payload = await db_pool.fetchval(
        "SELECT payload FROM outbox_events WHERE event_type = 'incident.resolved'"
    )
    assert resolved_payload["mttr_seconds"] > 0
    assert resolved_payload["incident"]["status"] == "resolved"
    audit = await db_pool.fetch(
        "SELECT from_status, to_status, actor FROM audit_log WHERE entity_id = $1 ORDER BY id",
        str(incident_id),
    )
    assert [(a["from_status"], a["to_status"], a["actor"]) for a in audit] == [
        ("detected", "acknowledged", "alice"),
        ("acknowledged", "resolved", "alice"),
    ]
    # A new failure after resolution opens a new incident for the same fingerprint.
    reopened = await client.post("/api/logs/jenkins", json=[build_failure(9, job="web-app")])
    assert reopened.json()["incidents"]["opened"] not in ([], [incident_id])


async def test_stats_report_mttr_and_mtta(client: httpx.AsyncClient, db_pool: asyncpg.Pool) -> None:
    first = await _open_incident(client, job="web-app")
    second = await _open_incident(client, job="billing-prod")
    # Move the clock back: detected 10 minutes ago, acknowledged at -8, resolved at -4.
    await db_pool.execute(
        "UPDATE incidents SET detected_at = now() - interval '10 minutes' WHERE id = ANY($1)",
        [first, second],
    )
    await client.post(f"/api/incidents/{first}/acknowledge")
    await client.post(f"/api/incidents/{first}/resolve")
    await db_pool.execute(
        "UPDATE incidents SET acknowledged_at = now() - interval '8 minutes',"
        " resolved_at = now() - interval '4 minutes' WHERE id = $1",
        first,
    )
    stats = (await client.get("/api/incidents/stats", params={"hours": 1})).json()
    assert stats["total"] == 2
    assert stats["by_status"] == {"resolved": 1, "detected": 1}
    assert stats["by_severity"] == {"high": 1, "medium": 1}
    assert abs(stats["overall"]["mttr_seconds"] - 360) < 2
    assert abs(stats["overall"]["mtta_seconds"] - 120) < 2
    assert abs(stats["per_severity"]["medium"]["mttr_seconds"] - 360) < 2
    assert stats["per_severity"]["high"]["mttr_seconds"] is None
    assert stats["per_rule"]["jenkins_build_failure"]["resolved"] == 1


async def test_critical_and_resolve_by_job(client: httpx.AsyncClient) -> None:
    prod = await _open_incident(client, job="billing-prod")
    await _open_incident(client, job="web-app")
    critical = (await client.get("/api/incidents/critical")).json()
    assert [i["id"] for i in critical["incidents"]] == [prod]
    medium = (await client.get("/api/incidents/active", params={"severity": "medium"})).json()
    assert medium["count"] == 1
    done = await client.post(
        "/api/incidents/resolve-by-job", json={"job_name": "web-app", "actor": "runner"}
    )
    assert done.status_code == 200
    assert [i["job_name"] for i in done.json()["incidents"]] == ["web-app"]
    active = (await client.get("/api/incidents/active")).json()
    assert [i["id"] for i in active["incidents"]] == [prod]


async def test_log_search_filters_and_pages(client: httpx.AsyncClient) -> None:
    batch = [jenkins_record(i) for i in range(25)]
    batch += [
        jenkins_record(100, level="ERROR", message="npm ERR! Connection RESET by peer"),
        jenkins_record(101, level="WARNING", message="connection reset, retrying"),
    ]
    await client.post("/api/logs/jenkins", json=batch)
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"job": "web-app", "limit": 10}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/api/logs/jenkins", params=params)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 27
    text = (await client.get("/api/logs/jenkins", params={"q": "connection reset"})).json()
    assert [i["level"] for i in text["items"]] == ["WARNING", "ERROR"]
    errors = (await client.get("/api/logs/jenkins", params={"level": "error"})).json()
    assert len(errors["items"]) == 1
    wildcard = (await client.get("/api/logs/jenkins", params={"q": "100%_"})).json()
    assert wildcard["items"] == []
    bad = await client.get("/api/logs/jenkins", params={"cursor": "garbage"})
    assert bad.status_code == 422


async def test_api_log_search_by_status_class(client: httpx.AsyncClient) -> None:
    records = [
        {
            "@timestamp": f"2025-03-01T12:00:0{i}Z",
            "http_method": "GET",
            "http_status": status,
            "endpoint": "/api/orders",
            "_index": "api",
            "_id": f"r{i}",
        }
        for i, status in enumerate([200, 502, 503, 404])
    ]
    await client.post("/api/logs/api", json=records)
    five = (await client.get("/api/logs/api", params={"status": "5xx"})).json()
    assert sorted(i["http_status"] for i in five["items"]) == [502, 503]
    exact = (await client.get("/api/logs/api", params={"status": "404"})).json()
    assert [i["http_status"] for i in exact["items"]] == [404]
    assert (await client.get("/api/logs/api", params={"status": "5x"})).status_code == 422
