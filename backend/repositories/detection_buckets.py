"""Windowed-rule counters: one row per (rule, group key, bucket), added to and summed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from backend.detection.windows import BucketDelta, WindowQuery, WindowSums
from backend.repositories import DbConnection

# One statement, one round trip: add the deltas (rows locked in key order, which
# the caller sorted) and sum each window. The statement's snapshot predates its
# own upsert, so a window is the upserted rows (RETURNING, latest values) plus
# the other rows of the window as the snapshot saw them.
_ADD_AND_SUM = """
WITH delta AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::bigint[], $5::bigint[])
        WITH ORDINALITY AS d(rule, group_key, bucket_start, matches, total, n)
),
added AS (
    INSERT INTO detection_buckets AS b (rule, group_key, bucket_start, matches, total)
    SELECT rule, group_key, bucket_start, matches, total FROM delta ORDER BY n
    ON CONFLICT (rule, group_key, bucket_start) DO UPDATE
        SET matches = b.matches + EXCLUDED.matches, total = b.total + EXCLUDED.total
    RETURNING b.rule, b.group_key, b.bucket_start, b.matches, b.total
),
query AS (
    SELECT * FROM unnest($6::text[], $7::text[], $8::timestamptz[], $9::timestamptz[],
                         $10::timestamptz[])
        WITH ORDINALITY AS q(rule, group_key, since, until, previous_since, n)
),
counted AS (
    -- Per bucket, the upserted row (fresh) wins over the snapshot's row (stale).
    SELECT DISTINCT ON (rule, group_key, bucket_start) rule, group_key, bucket_start, matches, total
    FROM (
        SELECT 0 AS fresh_first, rule, group_key, bucket_start, matches, total FROM added
        UNION ALL
        SELECT 1, b.rule, b.group_key, b.bucket_start, b.matches, b.total
        FROM (SELECT rule, group_key, min(previous_since) AS lo, max(until) AS hi
              FROM query GROUP BY rule, group_key) r
        JOIN detection_buckets b
          ON b.rule = r.rule AND b.group_key = r.group_key
         AND b.bucket_start >= r.lo AND b.bucket_start <= r.hi
    ) both_versions
    ORDER BY rule, group_key, bucket_start, fresh_first
)
SELECT q.n,
       coalesce(sum(c.matches) FILTER (WHERE c.bucket_start >= q.since), 0)::bigint AS matches,
       coalesce(sum(c.total) FILTER (WHERE c.bucket_start >= q.since), 0)::bigint AS total,
       coalesce(sum(c.matches) FILTER (WHERE c.bucket_start < q.since), 0)::bigint AS previous
FROM query q
LEFT JOIN counted c
  ON c.rule = q.rule AND c.group_key = q.group_key
 AND c.bucket_start >= q.previous_since AND c.bucket_start <= q.until
GROUP BY q.n
ORDER BY q.n
"""

_SUM = """
WITH query AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[],
                         $5::timestamptz[])
        WITH ORDINALITY AS q(rule, group_key, since, until, previous_since, n)
)
SELECT q.n,
       coalesce(sum(b.matches) FILTER (WHERE b.bucket_start >= q.since), 0)::bigint AS matches,
       coalesce(sum(b.total) FILTER (WHERE b.bucket_start >= q.since), 0)::bigint AS total,
       coalesce(sum(b.matches) FILTER (WHERE b.bucket_start < q.since), 0)::bigint AS previous
FROM query q
LEFT JOIN detection_buckets b
  ON b.rule = q.rule AND b.group_key = q.group_key
 AND b.bucket_start >= q.previous_since AND b.bucket_start <= q.until
GROUP BY q.n
ORDER BY q.n
"""


def _query_columns(queries: Sequence[WindowQuery]) -> list[list[object]]:
    return [
        [q.rule for q in queries],
        [q.group_key for q in queries],
        [q.since for q in queries],
        [q.until for q in queries],
        [q.previous_since for q in queries],
    ]


class PostgresBucketCounts:
    """The `detection_buckets` table, on the caller's connection and transaction."""

    def __init__(self, conn: DbConnection) -> None:
        self._conn = conn

    async def add_and_sum(
        self, deltas: Sequence[BucketDelta], queries: Sequence[WindowQuery]
    ) -> list[WindowSums]:
        """Add `deltas` (sorted by key) and return the sums of `queries`, in order."""
        rows = await self._conn.fetch(
            _ADD_AND_SUM,
            [d.rule for d in deltas],
            [d.group_key for d in deltas],
            [d.bucket_start for d in deltas],
            [d.matches for d in deltas],
            [d.total for d in deltas],
            *_query_columns(queries),
        )
        return [WindowSums(r["matches"], r["total"], r["previous"]) for r in rows]

    async def sum_windows(self, queries: Sequence[WindowQuery]) -> list[WindowSums]:
        """The sums of `queries`, in order, without adding anything."""
        if not queries:
            return []
        rows = await self._conn.fetch(_SUM, *_query_columns(queries))
        return [WindowSums(r["matches"], r["total"], r["previous"]) for r in rows]

    async def prune(self, before: datetime) -> int:
        """Delete buckets that start before `before`; returns how many."""
        status = await self._conn.execute(
            "DELETE FROM detection_buckets WHERE bucket_start < $1", before
        )
        return int(status.rsplit(" ", 1)[-1])
