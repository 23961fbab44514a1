"""SQL of `action_executions`: requests, conditional status moves, claims, counts and stats.

Every status change is one conditional UPDATE (`WHERE status = ANY(sources)`),
so a duplicated message or a second runner finds nothing to change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from backend.repositories import DbConnection

# Advisory lock serialising run-time claims, so the concurrency limit holds across runners.
ACTION_CLAIMS = 72_410_201

COLUMNS = (
    "id, action_type, job_name, build_number, target_build, parameters, reason, status,"
    " status_reason, requested_by, approved_by, rejected_by, incident_id, guard_decision,"
    " dry_run, result, queue_item_url, new_build_number, new_build_url, build_result,"
    " idempotency_key, requested_at, approved_at, started_at, finished_at, claimed_by,"
    " heartbeat_at"
)
_A_COLUMNS = ", ".join(f"a.{c.strip()}" for c in COLUMNS.split(","))


@dataclass(frozen=True, slots=True)
class ActionInsert:
    action_type: str
    job_name: str
    build_number: int | None
    target_build: int | None
    parameters: Mapping[str, Any]
    reason: str | None
    status: str
    status_reason: str | None
    requested_by: str
    approved_by: str | None
    incident_id: int | None
    guard_decision: Mapping[str, Any]
    dry_run: bool
    idempotency_key: str | None
    trace_id: str | None = None


class ActionRepository:
    """Action SQL on one connection."""

    def __init__(self, conn: DbConnection) -> None:
        self._conn = conn

    async def insert(self, item: ActionInsert) -> asyncpg.Record | None:
        """Insert a request; None when its idempotency key is already taken."""
        return await self._conn.fetchrow(
            "INSERT INTO action_executions (action_type, job_name, build_number, target_build,"
            " parameters, reason, status, status_reason, requested_by, approved_by, approved_at,"
            " incident_id, guard_decision, dry_run, idempotency_key, trace_id)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
            "  CASE WHEN $7 = 'approved' THEN now() END, $11, $12, $13, $14, $15)"
            " ON CONFLICT (idempotency_key) DO NOTHING"
            f" RETURNING {COLUMNS}",
            item.action_type,
            item.job_name,
            item.build_number,
            item.target_build,
            dict(item.parameters),
            item.reason,
            item.status,
            item.status_reason,
            item.requested_by,
            item.approved_by,
            item.incident_id,
            dict(item.guard_decision),
            item.dry_run,
            item.idempotency_key,
            item.trace_id,
        )

    async def get(self, action_id: int, *, for_update: bool = False) -> asyncpg.Record | None:
        lock = " FOR UPDATE" if for_update else ""
        return await self._conn.fetchrow(
            f"SELECT {COLUMNS} FROM action_executions WHERE id = $1{lock}", action_id
        )

    async def list_recent(
        self, *, job: str | None, status: str | None, limit: int
    ) -> list[asyncpg.Record]:
        """The newest actions first, optionally of one job and one status."""
        return await self._conn.fetch(
            f"SELECT {COLUMNS} FROM action_executions"
            " WHERE ($1::text IS NULL OR job_name = $1) AND ($2::text IS NULL OR status = $2)"
            " ORDER BY id DESC LIMIT $3",
            job,
            status,
            limit,
        )

    async def get_by_idempotency_key(self, key: str) -> asyncpg.Record | None:
        return await self._conn.fetchrow(
            f"SELECT {COLUMNS} FROM action_executions WHERE idempotency_key = $1", key
        )

    async def move(
        self,
        action_id: int,
        *,
        sources: Sequence[str],
        target: str,
        set_sql: str = "",
        args: Sequence[Any] = (),
    ) -> asyncpg.Record | None:
        """Move one action to `target` if it is in `sources`; the row carries `from_status`.

        `set_sql` adds assignments with parameters numbered from $4 (`args`).
        """
        extra = f", {set_sql}" if set_sql else ""
        return await self._conn.fetchrow(
            "WITH prev AS (SELECT id, status FROM action_executions WHERE id = $1 FOR UPDATE)"
            f" UPDATE action_executions a SET status = $3{extra}"
            " FROM prev WHERE a.id = prev.id AND prev.status = ANY($2::text[])"
            f" RETURNING {_A_COLUMNS}, prev.status AS from_status",
            action_id,
            list(sources),
            target,
            *args,
        )

    async def approve(self, action_id: int, *, actor: str) -> asyncpg.Record | None:
        return await self.move(
            action_id,
            sources=["awaiting_approval"],
            target="approved",
            set_sql="approved_by = $4, approved_at = now()",
            args=[actor],
        )

    async def reject(
        self, action_id: int, *, sources: Sequence[str], actor: str, reason: str
    ) -> asyncpg.Record | None:
        return await self.move(
            action_id,
            sources=sources,
            target="rejected",
            set_sql="rejected_by = $4, status_reason = $5, finished_at = now()",
            args=[actor, reason],
        )

    async def refuse_at_run(
        self, action_id: int, *, reason: str, decision: Mapping[str, Any]
    ) -> asyncpg.Record | None:
        """The guard refused an approved action when the runner was about to run it."""
        return await self.move(
            action_id,
            sources=["approved"],
            target="rejected",
            set_sql="rejected_by = 'guard', status_reason = $4, guard_decision = $5,"
            " finished_at = now()",
            args=[reason, dict(decision)],
        )

    async def claim(self, action_id: int, *, runner_id: str) -> asyncpg.Record | None:
        return await self.move(
            action_id,
            sources=["approved"],
            target="running",
            set_sql="started_at = clock_timestamp(), claimed_by = $4, heartbeat_at = clock_timestamp()",
            args=[runner_id],
        )

    async def record_progress(
        self,
        action_id: int,
        *,
        queue_item_url: str | None = None,
        new_build_number: int | None = None,
        new_build_url: str | None = None,
    ) -> None:
        """Remember what Jenkins gave back so far, and show this runner is alive."""
        await self._conn.execute(
            "UPDATE action_executions SET heartbeat_at = now(),"
            " queue_item_url = COALESCE($2, queue_item_url),"
            " new_build_number = COALESCE($3, new_build_number),"
            " new_build_url = COALESCE($4, new_build_url)"
            " WHERE id = $1 AND status = 'running'",
            action_id,
            queue_item_url,
            new_build_number,
            new_build_url,
        )

    async def finish(
        self,
        action_id: int,
        *,
        target: str,
        reason: str,
        result: Mapping[str, Any],
        build_result: str | None,
    ) -> asyncpg.Record | None:
        return await self.move(
            action_id,
            sources=["running"],
            target=target,
            set_sql="status_reason = $4, result = $5, build_result = $6,"
            " finished_at = clock_timestamp()",
            args=[reason, dict(result), build_result],
        )

    async def mark_orphans_unknown(
        self, *, runner_id: str | None, lease_s: float
    ) -> list[asyncpg.Record]:
        """Running actions `runner_id` held before a restart, or whose runner went silent.

        `runner_id` None: only the silent ones (a live runner's periodic sweep).
        """
        return await self._conn.fetch(
            "UPDATE action_executions a SET status = 'unknown', finished_at = now(),"
            " status_reason = 'the runner stopped while this action was running; it was not"
            " rerun: check Jenkins (' || COALESCE(a.new_build_url, a.job_name) || ') by hand'"
            " WHERE a.status = 'running' AND (a.claimed_by = $1"
            "  OR a.heartbeat_at < now() - make_interval(secs => $2::float8))"
            f" RETURNING {_A_COLUMNS}",
            runner_id,
            lease_s,
        )

    async def count_running(self) -> int:
        count: int = await self._conn.fetchval(
            "SELECT count(*) FROM action_executions WHERE status = 'running'"
        )
        return count

    async def last_started_on_job(
        self, job_name: str, *, excluding: int | None = None
    ) -> datetime | None:
        started: datetime | None = await self._conn.fetchval(
            "SELECT max(started_at) FROM action_executions"
            " WHERE job_name = $1 AND started_at IS NOT NULL AND id IS DISTINCT FROM $2",
            job_name,
            excluding,
        )
        return started

    async def lock_claims(self) -> None:
        """Serialise claims until this transaction ends."""
        await self._conn.execute("SELECT pg_advisory_xact_lock($1)", ACTION_CLAIMS)

    async def mark_processed(self, consumer: str, message_id: str) -> bool:
        """Record a message as handled; False when it already was (a redelivery)."""
        inserted = await self._conn.fetchval(
            "INSERT INTO processed_messages (consumer, message_id) VALUES ($1, $2)"
            " ON CONFLICT DO NOTHING RETURNING true",
            consumer,
            message_id,
        )
        return bool(inserted)

    async def open_incident_ids_for_job(self, job_name: str) -> list[int]:
        rows = await self._conn.fetch(
            "SELECT id FROM incidents WHERE job_name = $1 AND status <> 'resolved' ORDER BY id",
            job_name,
        )
        return [r["id"] for r in rows]

    async def stats_rows(self, *, hours: float) -> list[asyncpg.Record]:
        """Per (action, status): counts and summed run seconds, requested in the window."""
        return await self._conn.fetch(
            "SELECT action_type, status, dry_run, count(*) AS actions,"
            " COALESCE(sum(EXTRACT(EPOCH FROM finished_at - started_at))"
            "  FILTER (WHERE started_at IS NOT NULL AND finished_at IS NOT NULL), 0)::float8"
            "  AS run_seconds,"
            " count(*) FILTER (WHERE started_at IS NOT NULL AND finished_at IS NOT NULL) AS timed"
            " FROM action_executions WHERE requested_at >= now() - make_interval(secs => $1)"
            " GROUP BY action_type, status, dry_run",
            hours * 3600.0,
        )


async def database_now(conn: DbConnection) -> datetime:
    """The database's clock: every runner and API process compares times on one clock."""
    now: datetime = await conn.fetchval("SELECT clock_timestamp()")
    return now
