"""Detection against the real `detection_buckets` table: counts across batches and transactions."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import asyncpg

from backend.detection.engine import IncidentDetector
from backend.detection.model import LogEvent
from backend.detection.rules import load_rules, rules_from_yaml
from backend.detection.store import check_flatlines, detect_in_transaction, prune_buckets

T0 = datetime(2025, 3, 4, 12, 0, 0, tzinfo=UTC)
LOGIN = "/api/login"
AUTH = "api_authentication_failure|endpoint=/api/login"


def denied(offset_s: float, endpoint: str = LOGIN) -> LogEvent:
    return LogEvent(
        source="api",
        timestamp=T0 + timedelta(seconds=offset_s),
        message=f"POST {endpoint} 401 Unauthorized",
        http_method="POST",
        http_status=401,
        endpoint=endpoint,
    )


async def _bucket_rows(pool: asyncpg.Pool, rule: str) -> list[tuple[str, datetime, int, int]]:
    rows = await pool.fetch(
        "SELECT group_key, bucket_start, matches, total FROM detection_buckets"
        " WHERE rule = $1 ORDER BY group_key, bucket_start",
        rule,
    )
    return [(r["group_key"], r["bucket_start"], r["matches"], r["total"]) for r in rows]


async def test_frequency_threshold_is_reached_across_two_batches(db_pool: asyncpg.Pool) -> None:
    detector = IncidentDetector(load_rules())
    async with db_pool.acquire() as conn, conn.transaction():
        first = await detect_in_transaction(conn, detector, [denied(1), denied(2), denied(3)])
    assert [d.rule for d in first] == []

    async with db_pool.acquire() as conn, conn.transaction():
        second = await detect_in_transaction(conn, detector, [denied(14), denied(15)])
    assert [d.fingerprint for d in second] == [AUTH]
    assert second[0].occurrences == 2  # the new matching logs of this batch
    assert second[0].details["matches"] == 5
    assert second[0].first_seen == T0 + timedelta(seconds=14)

    assert await _bucket_rows(db_pool, "api_authentication_failure") == [
        ("endpoint=/api/login", T0, 3, 3),
        ("endpoint=/api/login", T0 + timedelta(seconds=10), 2, 2),
    ]


async def test_a_rolled_back_batch_counts_nothing(db_pool: asyncpg.Pool) -> None:
    detector = IncidentDetector(load_rules())
    async with db_pool.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        await detect_in_transaction(conn, detector, [denied(i) for i in range(4)])
        await tx.rollback()
    async with db_pool.acquire() as conn, conn.transaction():
        assert await detect_in_transaction(conn, detector, [denied(5)]) == []
    assert await _bucket_rows(db_pool, "api_authentication_failure") == [
        ("endpoint=/api/login", T0, 1, 1)
    ]


async def _wait_until_blocked(pool: asyncpg.Pool, deadline_s: float = 10.0) -> None:
    """Poll until some backend waits on a row lock of detection_buckets."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        waiting = await pool.fetchval(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        if waiting:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the second transaction never waited for the first")


async def test_concurrent_transactions_on_one_bucket_lose_no_counts(db_pool: asyncpg.Pool) -> None:
    detector = IncidentDetector(load_rules())
    first_conn = await db_pool.acquire()
    second_conn = await db_pool.acquire()
    try:
        first_tx = first_conn.transaction()
        await first_tx.start()
        assert await detect_in_transaction(first_conn, detector, [denied(1), denied(2)]) == []

        second_tx = second_conn.transaction()
        await second_tx.start()
        # Blocks on the bucket row the first transaction updated until it commits.
        second = asyncio.create_task(
            detect_in_transaction(second_conn, detector, [denied(3), denied(4), denied(5)])
        )
        await _wait_until_blocked(db_pool)
        assert not second.done()
        await first_tx.commit()
        detections = await asyncio.wait_for(second, timeout=10)
        await second_tx.commit()
    finally:
        await db_pool.release(first_conn)
        await db_pool.release(second_conn)

    # The second transaction saw the first one's committed counts: 2 + 3 reaches 5.
    assert [d.fingerprint for d in detections] == [AUTH]
    assert detections[0].details["matches"] == 5
    assert detections[0].occurrences == 3
    assert await _bucket_rows(db_pool, "api_authentication_failure") == [
        ("endpoint=/api/login", T0, 5, 5)
    ]


async def test_many_concurrent_batches_over_shared_buckets_add_up(db_pool: asyncpg.Pool) -> None:
    detector = IncidentDetector(load_rules())
    endpoints = [f"/api/e{i}" for i in range(5)]

    async def batch(worker: int) -> None:
        # Each worker walks the endpoints and buckets in a different order.
        order = endpoints[worker % 5 :] + endpoints[: worker % 5]
        events = [denied(s * 10 + 1, e) for e in order for s in range(3)][::-1]
        async with db_pool.acquire() as conn, conn.transaction():
            await detect_in_transaction(conn, detector, events)

    await asyncio.wait_for(asyncio.gather(*(batch(w) for w in range(8))), timeout=60)
    rows = await _bucket_rows(db_pool, "api_authentication_failure")
    assert len(rows) == 15
    assert {(matches, total) for _, _, matches, total in rows} == {(8, 8)}


SPIKE_AND_FLATLINE = """
rules:
  - name: login_spike
    type: spike
    source: api
    severity: medium
    match: {http_status: [401]}
    window: 20s
    ratio: 2
    min_count: 4
    group_by: [endpoint]
  - name: nightly_silent
    type: flatline
    source: jenkins
    severity: high
    match: {jobs: [nightly-*]}
    window: 1m
    min_count: 2
    group_by: [job_name]
    groups: [{job_name: nightly-backup}, {job_name: nightly-report}]
    title: "{job_name} went quiet: {count} logs in {window}"
"""


async def test_spike_compares_with_the_stored_previous_window(db_pool: asyncpg.Pool) -> None:
    detector = IncidentDetector(rules_from_yaml(SPIKE_AND_FLATLINE, "test.yaml"))
    async with db_pool.acquire() as conn, conn.transaction():
        # Previous window (buckets 0 and 10): 2 matches.
        assert await detect_in_transaction(conn, detector, [denied(1), denied(11)]) == []
    async with db_pool.acquire() as conn, conn.transaction():
        # Current window (buckets 20 and 30): 3 is below min_count.
        assert (
            await detect_in_transaction(conn, detector, [denied(21), denied(22), denied(31)]) == []
        )
    async with db_pool.acquire() as conn, conn.transaction():
        fired = await detect_in_transaction(conn, detector, [denied(32)])
    assert [(d.rule, d.details["matches"], d.details["previous_matches"]) for d in fired] == [
        ("login_spike", 4, 2)
    ]


def build_log(job: str, offset_s: float) -> LogEvent:
    return LogEvent(
        source="jenkins",
        timestamp=T0 + timedelta(seconds=offset_s),
        message="Started by timer",
        level="INFO",
        job_name=job,
        build_number=7,
    )


async def test_flatline_fires_for_the_quiet_group_only(db_pool: asyncpg.Pool) -> None:
    detector = IncidentDetector(rules_from_yaml(SPIKE_AND_FLATLINE, "test.yaml"))
    events = [build_log("nightly-backup", 5), build_log("nightly-backup", 25)]
    events += [build_log("nightly-report", 25), build_log("unwatched-job", 25)]
    async with db_pool.acquire() as conn, conn.transaction():
        assert await detect_in_transaction(conn, detector, events) == []
        fired = await check_flatlines(conn, detector, T0 + timedelta(seconds=40))
    assert [(d.fingerprint, d.title, d.severity) for d in fired] == [
        (
            "nightly_silent|job_name=nightly-report",
            "nightly-report went quiet: 1 logs in 1m",
            "high",
        )
    ]
    assert await _bucket_rows(db_pool, "nightly_silent") == [
        ("job_name=nightly-backup", T0, 1, 1),
        ("job_name=nightly-backup", T0 + timedelta(seconds=20), 1, 1),
        ("job_name=nightly-report", T0 + timedelta(seconds=20), 1, 1),
    ]
    # Later both are quiet: the 0:05 and 0:25 logs fall out of the window ending at 1:25.
    async with db_pool.acquire() as conn:
        later = await check_flatlines(conn, detector, T0 + timedelta(seconds=85))
    assert [d.job_name for d in later] == ["nightly-backup", "nightly-report"]


async def test_prune_drops_only_buckets_no_rule_reads(db_pool: asyncpg.Pool) -> None:
    detector = IncidentDetector(load_rules())
    async with db_pool.acquire() as conn, conn.transaction():
        await detect_in_transaction(conn, detector, [denied(0)])
    now = T0 + timedelta(seconds=detector.retention_s)
    async with db_pool.acquire() as conn:
        assert await prune_buckets(conn, detector, now) == 0
        assert await prune_buckets(conn, detector, now + timedelta(seconds=10)) == 3
    assert await db_pool.fetchval("SELECT count(*) FROM detection_buckets") == 0
