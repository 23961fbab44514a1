"""An in-memory stand-in for the bucket counters, and builders of realistic logs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from backend.detection.engine import IncidentDetector
from backend.detection.model import Detection, LogEvent
from backend.detection.store import detect
from backend.detection.windows import BucketDelta, WindowQuery, WindowSums

T0 = datetime(2025, 3, 4, 12, 0, 0, tzinfo=UTC)


class InMemoryBucketCounts:
    """Same contract as PostgresBucketCounts, in a dict."""

    def __init__(self) -> None:
        self.buckets: dict[tuple[str, str, datetime], list[int]] = {}
        self.round_trips = 0

    async def add_and_sum(
        self, deltas: Sequence[BucketDelta], queries: Sequence[WindowQuery]
    ) -> list[WindowSums]:
        keys = [(d.rule, d.group_key, d.bucket_start) for d in deltas]
        assert keys == sorted(keys), "deltas must come sorted by key"
        for delta in deltas:
            tally = self.buckets.setdefault(
                (delta.rule, delta.group_key, delta.bucket_start), [0, 0]
            )
            tally[0] += delta.matches
            tally[1] += delta.total
        self.round_trips += 1
        return self._sums(queries)

    async def sum_windows(self, queries: Sequence[WindowQuery]) -> list[WindowSums]:
        self.round_trips += 1
        return self._sums(queries)

    async def prune(self, before: datetime) -> int:
        old = [key for key in self.buckets if key[2] < before]
        for key in old:
            del self.buckets[key]
        return len(old)

    def _sums(self, queries: Sequence[WindowQuery]) -> list[WindowSums]:
        sums = []
        for q in queries:
            matches = total = previous = 0
            for (rule, group_key, start), (m, t) in self.buckets.items():
                if rule != q.rule or group_key != q.group_key:
                    continue
                if q.since <= start <= q.until:
                    matches += m
                    total += t
                elif q.previous_since <= start < q.since:
                    previous += m
            sums.append(WindowSums(matches, total, previous))
        return sums


async def detect_batches(
    detector: IncidentDetector,
    *batches: Sequence[LogEvent],
    counts: InMemoryBucketCounts | None = None,
) -> list[list[Detection]]:
    """Detections of each batch in turn, sharing one store."""
    store = counts if counts is not None else InMemoryBucketCounts()
    return [await detect(store, detector, batch) for batch in batches]


def jenkins(
    message: str,
    level: str = "ERROR",
    job: str = "app-build",
    build: int | None = 101,
    at: float = 0.0,
) -> LogEvent:
    """A Jenkins console line as the collector ships it."""
    return LogEvent(
        source="jenkins",
        timestamp=T0 + timedelta(seconds=at),
        message=message,
        level=level,
        job_name=job,
        build_number=build,
    )


def api(
    status: int,
    endpoint: str = "/api/orders",
    method: str = "GET",
    at: float = 0.0,
) -> LogEvent:
    """An API access record."""
    return LogEvent(
        source="api",
        timestamp=T0 + timedelta(seconds=at),
        message=f"{method} {endpoint} {status} 12ms",
        http_method=method,
        http_status=status,
        endpoint=endpoint,
    )
