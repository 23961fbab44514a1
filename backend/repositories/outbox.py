"""SQL of `outbox_events`: write in the business transaction, claim and settle in the relay."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backend.repositories import DbConnection


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """An event to write: the envelope is already in `payload`."""

    id: uuid.UUID
    event_type: str
    routing_key: str
    payload: dict[str, Any]
    headers: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ClaimedEvent:
    """A pending event locked by this relay; `body` is the payload's JSON text."""

    id: uuid.UUID
    event_type: str
    routing_key: str
    body: bytes
    headers: dict[str, Any]
    attempts: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class OutboxBacklog:
    """What the relay still owes the broker."""

    pending: int
    due: int
    dead: int
    oldest_pending_age_s: float | None


async def insert_events(conn: DbConnection, rows: Sequence[OutboxRow]) -> None:
    """Insert events in one statement (the NOTIFY trigger fires once for it)."""
    if not rows:
        return
    await conn.execute(
        "INSERT INTO outbox_events (id, event_type, routing_key, payload, headers)"
        " SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::jsonb[])",
        [r.id for r in rows],
        [r.event_type for r in rows],
        [r.routing_key for r in rows],
        [r.payload for r in rows],
        [r.headers for r in rows],
    )


async def claim_due(conn: DbConnection, *, limit: int) -> list[ClaimedEvent]:
    """Lock up to `limit` due pending events; other relays skip them until this transaction ends."""
    rows = await conn.fetch(
        "SELECT id, event_type, routing_key, payload::text AS body, headers, attempts, created_at"
        " FROM outbox_events"
        " WHERE status = 'pending' AND next_attempt_at <= now()"
        " ORDER BY next_attempt_at, created_at"
        " LIMIT $1 FOR UPDATE SKIP LOCKED",
        limit,
    )
    return [
        ClaimedEvent(
            id=r["id"],
            event_type=r["event_type"],
            routing_key=r["routing_key"],
            body=r["body"].encode(),
            headers=r["headers"],
            attempts=r["attempts"],
            created_at=r["created_at"],
        )
        for r in rows
    ]


async def mark_published(conn: DbConnection, ids: Sequence[uuid.UUID]) -> None:
    """Settle events the broker confirmed."""
    if ids:
        await conn.execute(
            "UPDATE outbox_events SET status = 'published', published_at = now(),"
            " attempts = attempts + 1, last_error = NULL WHERE id = ANY($1::uuid[])",
            list(ids),
        )


async def mark_failed(
    conn: DbConnection,
    failures: Sequence[tuple[uuid.UUID, str]],
    *,
    max_attempts: int,
    backoff_base_s: float,
    backoff_max_s: float,
) -> int:
    """Count a failed attempt: retry later with exponential backoff, or `dead`; return how many died."""
    if not failures:
        return 0
    dead: int = await conn.fetchval(
        "WITH failed AS (SELECT * FROM unnest($1::uuid[], $2::text[]) AS f(id, error)),"
        " settled AS ("
        "  UPDATE outbox_events o SET attempts = o.attempts + 1, last_error = failed.error,"
        "   status = CASE WHEN o.attempts + 1 >= $3 THEN 'dead' ELSE 'pending' END,"
        "   next_attempt_at = now() + make_interval(secs => LEAST($5::float8,"
        "     $4::float8 * power(2, o.attempts)))"
        "  FROM failed WHERE o.id = failed.id RETURNING o.status)"
        " SELECT count(*) FROM settled WHERE status = 'dead'",
        [f[0] for f in failures],
        [f[1][:2000] for f in failures],
        max_attempts,
        backoff_base_s,
        backoff_max_s,
    )
    return dead


async def next_due_in(conn: DbConnection) -> float | None:
    """Seconds until the earliest pending event is due (0 when one is due now); None if none."""
    value: float | None = await conn.fetchval(
        "SELECT GREATEST(0, EXTRACT(EPOCH FROM min(next_attempt_at) - now()))::float8"
        " FROM outbox_events WHERE status = 'pending'"
    )
    return value


async def backlog(conn: DbConnection) -> OutboxBacklog:
    """Pending, due and dead counts and the age of the oldest pending event."""
    row = await conn.fetchrow(
        "SELECT"
        " (SELECT count(*) FROM outbox_events WHERE status = 'pending') AS pending,"
        " (SELECT count(*) FROM outbox_events WHERE status = 'pending'"
        "   AND next_attempt_at <= now()) AS due,"
        " (SELECT count(*) FROM outbox_events WHERE status = 'dead') AS dead,"
        " (SELECT EXTRACT(EPOCH FROM now() - min(created_at))::float8 FROM outbox_events"
        "   WHERE status = 'pending') AS oldest"
    )
    assert row is not None
    return OutboxBacklog(
        pending=row["pending"], due=row["due"], dead=row["dead"], oldest_pending_age_s=row["oldest"]
    )


async def purge_published(conn: DbConnection, *, older_than_s: float, limit: int = 10_000) -> int:
    """Delete published events older than the retention window, a bounded batch at a time."""
    result = await conn.execute(
        "DELETE FROM outbox_events WHERE id IN (SELECT id FROM outbox_events"
        " WHERE status = 'published' AND published_at < now() - make_interval(secs => $1)"
        " LIMIT $2)",
        older_than_s,
        limit,
    )
    return int(result.split()[-1])
