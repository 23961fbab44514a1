"""SQL of `incidents`: the deduplicating upsert, lifecycle transitions, reads and stats."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from backend.repositories import DbConnection

COLUMNS = (
    "id, rule, severity, status, fingerprint, source, title, message, job_name, build_number,"
    " endpoint, details, runbook_url, occurrences, first_seen, last_seen, detected_at,"
    " notified_at, acknowledged_at, acknowledged_by, investigating_at, resolved_at, resolved_by,"
    " resolution_method, resolution_notes"
)
_I_COLUMNS = ", ".join(f"i.{c.strip()}" for c in COLUMNS.split(","))


@dataclass(frozen=True, slots=True)
class IncidentUpsert:
    """One detection as the upsert writes it."""

    rule: str
    severity: str
    fingerprint: str
    source: str
    title: str
    message: str
    job_name: str | None
    build_number: int | None
    endpoint: str | None
    details: dict[str, Any]
    runbook_url: str | None
    occurrences: int
    first_seen: datetime
    last_seen: datetime


# One open incident per fingerprint (partial unique index `incidents_open_fingerprint`).
# A repeat moves last_seen/build and adds occurrences; `emit_update` says whether this
# change is due an `incident.updated` event (at most one per interval per incident).
# `trace_id` is the trace that opened the incident; a repeat keeps it.
_UPSERT = f"""
INSERT INTO incidents AS i (rule, severity, fingerprint, source, title, message, job_name,
    build_number, endpoint, details, runbook_url, occurrences, first_seen, last_seen,
    last_update_event_at, trace_id)
SELECT d.*, now(), $16::text FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],
    $5::text[], $6::text[], $7::text[], $8::int[], $9::text[], $10::jsonb[], $11::text[],
    $12::int[], $13::timestamptz[], $14::timestamptz[]) AS d
ON CONFLICT (fingerprint) WHERE status <> 'resolved' DO UPDATE SET
    occurrences = i.occurrences + EXCLUDED.occurrences,
    last_seen = GREATEST(i.last_seen, EXCLUDED.last_seen),
    build_number = CASE WHEN EXCLUDED.last_seen >= i.last_seen
        THEN COALESCE(EXCLUDED.build_number, i.build_number) ELSE i.build_number END,
    message = CASE WHEN EXCLUDED.last_seen >= i.last_seen THEN EXCLUDED.message ELSE i.message END,
    last_update_event_at = CASE
        WHEN i.last_update_event_at IS NULL
          OR i.last_update_event_at <= now() - make_interval(secs => $15::float8)
        THEN now() ELSE i.last_update_event_at END
RETURNING {_I_COLUMNS}, (xmax = 0) AS inserted,
    (xmax <> 0 AND i.last_update_event_at = now()) AS emit_update
"""


# $4 actor, $5 notes, $6 method: each target stamps its own columns, the rest stay.
_STAMPS = (
    "notified_at = CASE WHEN $3 = 'notified' THEN now() ELSE i.notified_at END,"
    " acknowledged_at = CASE WHEN $3 = 'acknowledged' THEN now() ELSE i.acknowledged_at END,"
    " acknowledged_by = CASE WHEN $3 = 'acknowledged' THEN $4 ELSE i.acknowledged_by END,"
    " investigating_at = CASE WHEN $3 = 'investigating' THEN now() ELSE i.investigating_at END,"
    " resolved_at = CASE WHEN $3 = 'resolved' THEN now() ELSE i.resolved_at END,"
    " resolved_by = CASE WHEN $3 = 'resolved' THEN $4 ELSE i.resolved_by END,"
    " resolution_notes = CASE WHEN $3 = 'resolved' THEN $5 ELSE i.resolution_notes END,"
    " resolution_method = CASE WHEN $3 = 'resolved' THEN $6 ELSE i.resolution_method END"
)


class IncidentRepository:
    """Incident SQL on one connection (a unit of work's, or a pooled one for reads)."""

    def __init__(self, conn: DbConnection) -> None:
        self._conn = conn

    async def upsert(
        self,
        items: Sequence[IncidentUpsert],
        *,
        update_interval_s: float,
        trace_id: str | None = None,
    ) -> list[asyncpg.Record]:
        """Open or update one incident per item; rows carry `inserted` and `emit_update`."""
        if not items:
            return []
        # A stable order keeps two concurrent batches from locking fingerprints crosswise.
        ordered = sorted(items, key=lambda d: d.fingerprint)
        return await self._conn.fetch(
            _UPSERT,
            [d.rule for d in ordered],
            [d.severity for d in ordered],
            [d.fingerprint for d in ordered],
            [d.source for d in ordered],
            [d.title for d in ordered],
            [d.message for d in ordered],
            [d.job_name for d in ordered],
            [d.build_number for d in ordered],
            [d.endpoint for d in ordered],
            [d.details for d in ordered],
            [d.runbook_url for d in ordered],
            [d.occurrences for d in ordered],
            [d.first_seen for d in ordered],
            [d.last_seen for d in ordered],
            update_interval_s,
            trace_id,
        )

    async def get(self, incident_id: int) -> asyncpg.Record | None:
        """One incident by id."""
        return await self._conn.fetchrow(
            f"SELECT {COLUMNS} FROM incidents WHERE id = $1", incident_id
        )

    async def list_open(
        self, *, limit: int, severities: Sequence[str] | None = None
    ) -> list[asyncpg.Record]:
        """Open incidents, most severe then most recent first."""
        return await self._conn.fetch(
            f"SELECT {COLUMNS} FROM incidents WHERE status <> 'resolved'"
            " AND ($2::text[] IS NULL OR severity = ANY($2::text[]))"
            " ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1"
            "  WHEN 'medium' THEN 2 ELSE 3 END, last_seen DESC, id DESC LIMIT $1",
            limit,
            list(severities) if severities else None,
        )

    async def transition(
        self,
        incident_id: int,
        *,
        sources: Sequence[str],
        target: str,
        actor: str,
        notes: str | None = None,
        method: str | None = None,
    ) -> asyncpg.Record | None:
        """Move one incident to `target` if its status is one of `sources`; None when not.

        The row carries `from_status`. Stamps the column pair of the target
        (acknowledged_at/by, resolved_at/by, ...).
        """
        return await self._conn.fetchrow(
            f"WITH prev AS (SELECT id, status FROM incidents WHERE id = $1 FOR UPDATE)"
            f" UPDATE incidents i SET status = $3, {_STAMPS}"
            f" FROM prev WHERE i.id = prev.id AND prev.status = ANY($2::text[])"
            f" RETURNING {_I_COLUMNS}, prev.status AS from_status",
            incident_id,
            list(sources),
            target,
            actor,
            notes,
            method,
        )

    async def status_of(self, incident_id: int) -> str | None:
        """The current status, or None when the incident does not exist."""
        status: str | None = await self._conn.fetchval(
            "SELECT status FROM incidents WHERE id = $1", incident_id
        )
        return status

    async def resolve_open_for_job(
        self, job_name: str, *, actor: str, notes: str | None, method: str
    ) -> list[asyncpg.Record]:
        """Resolve every open incident of a job; rows carry `from_status`."""
        return await self._conn.fetch(
            f"WITH prev AS (SELECT id, status FROM incidents"
            f"  WHERE job_name = $1 AND status <> 'resolved' ORDER BY id FOR UPDATE)"
            f" UPDATE incidents i SET status = 'resolved', resolved_at = now(), resolved_by = $2,"
            f"  resolution_notes = $3, resolution_method = $4"
            f" FROM prev WHERE i.id = prev.id RETURNING {_I_COLUMNS}, prev.status AS from_status",
            job_name,
            actor,
            notes,
            method,
        )

    async def stats_rows(self, *, hours: float) -> list[asyncpg.Record]:
        """Per (rule, severity, status): counts and summed MTTR/MTTA seconds, detected in window."""
        return await self._conn.fetch(
            "SELECT rule, severity, status, count(*) AS incidents,"
            " count(resolved_at) AS resolved,"
            " COALESCE(sum(EXTRACT(EPOCH FROM resolved_at - detected_at)), 0)::float8"
            "   AS resolve_seconds,"
            " count(acknowledged_at) AS acknowledged,"
            " COALESCE(sum(EXTRACT(EPOCH FROM acknowledged_at - detected_at)), 0)::float8"
            "   AS acknowledge_seconds"
            " FROM incidents WHERE detected_at >= now() - make_interval(secs => $1)"
            " GROUP BY rule, severity, status",
            hours * 3600.0,
        )
