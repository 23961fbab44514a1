"""Detection against the bucket counters, inside the caller's transaction.

The engine stays pure; this module runs its phases around one store call.
`BucketCounts` is the seam: PostgreSQL in production, an in-memory fake in unit tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from backend.detection.engine import IncidentDetector
from backend.detection.model import Detection, LogEvent
from backend.detection.windows import BucketDelta, WindowQuery, WindowSums
from backend.repositories import DbConnection
from backend.repositories.detection_buckets import PostgresBucketCounts


class BucketCounts(Protocol):
    """Where windowed rules keep their per-bucket counts."""

    async def add_and_sum(
        self, deltas: Sequence[BucketDelta], queries: Sequence[WindowQuery]
    ) -> Sequence[WindowSums]: ...

    async def sum_windows(self, queries: Sequence[WindowQuery]) -> Sequence[WindowSums]: ...

    async def prune(self, before: datetime) -> int: ...


async def detect(
    counts: BucketCounts, detector: IncidentDetector, events: Sequence[LogEvent]
) -> list[Detection]:
    """Detections for a batch of stored logs, at most one per fingerprint."""
    scan = detector.scan(events)
    sums: Sequence[WindowSums] = ()
    # No windowed rule counted anything: no round trip.
    if scan.counts:
        sums = await counts.add_and_sum(scan.deltas(), scan.queries)
    return detector.decide(scan, sums)


async def detect_flatlines(
    counts: BucketCounts, detector: IncidentDetector, now: datetime
) -> list[Detection]:
    """Detections for flatline rules whose window ending at `now` holds too few logs."""
    queries = detector.flatline_queries(now)
    sums = await counts.sum_windows(queries)
    return detector.decide_flatlines(queries, sums, now)


async def detect_in_transaction(
    conn: DbConnection, detector: IncidentDetector, events: Sequence[LogEvent]
) -> list[Detection]:
    """Detections for a batch of stored logs, counted in the caller's transaction."""
    return await detect(PostgresBucketCounts(conn), detector, events)


async def check_flatlines(
    conn: DbConnection, detector: IncidentDetector, now: datetime
) -> list[Detection]:
    """Flatline Detections at wall-clock `now` (call from a timer)."""
    return await detect_flatlines(PostgresBucketCounts(conn), detector, now)


async def prune_buckets(conn: DbConnection, detector: IncidentDetector, now: datetime) -> int:
    """Delete buckets no rule reads any more (call from the same timer); returns how many."""
    return await PostgresBucketCounts(conn).prune(detector.prune_before(now))
