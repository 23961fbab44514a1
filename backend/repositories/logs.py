"""SQL of `logs_jenkins` and `logs_api`: bulk insert deduplicated by source identity, and search."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import asyncpg

from backend.repositories import DbConnection

LogTable = Literal["logs_jenkins", "logs_api"]


@dataclass(frozen=True)
class LogTableSpec:
    """How one log table is staged and read."""

    table: LogTable
    stage: str
    stage_ddl: str
    columns: tuple[str, ...]
    read_columns: str
    identity_constraint: str


JENKINS = LogTableSpec(
    table="logs_jenkins",
    stage="logs_jenkins_stage",
    stage_ddl=(
        "source_index text, source_id text, ts timestamptz, level text, message text,"
        " job_name text, build_number integer, details jsonb, trace_id text"
    ),
    columns=(
        "source_index",
        "source_id",
        "ts",
        "level",
        "message",
        "job_name",
        "build_number",
        "details",
        "trace_id",
    ),
    read_columns="id, source_index, source_id, ts, level, message, job_name, build_number, details",
    identity_constraint="logs_jenkins_source_identity",
)

API = LogTableSpec(
    table="logs_api",
    stage="logs_api_stage",
    stage_ddl=(
        "source_index text, source_id text, ts timestamptz, http_method text,"
        " http_status smallint, endpoint text, message text, details jsonb, trace_id text"
    ),
    columns=(
        "source_index",
        "source_id",
        "ts",
        "http_method",
        "http_status",
        "endpoint",
        "message",
        "details",
        "trace_id",
    ),
    read_columns=(
        "id, source_index, source_id, ts, http_method, http_status, endpoint, message, details"
    ),
    identity_constraint="logs_api_source_identity",
)


@dataclass(frozen=True, slots=True)
class LogFilter:
    """Search filters; None means "any"."""

    job_name: str | None = None
    level: str | None = None
    http_status: int | None = None
    status_class: int | None = None  # 4 for any 4xx, 5 for any 5xx
    http_method: str | None = None
    text: str | None = None
    since: datetime | None = None
    before: tuple[datetime, int] | None = None  # keyset cursor: (ts, id) of the last row seen


class IdentityRace(Exception):
    """A concurrent transaction stored one of the batch's identities first; retry the batch."""

    def __init__(self, table: str) -> None:
        super().__init__(f"a concurrent batch stored one of these identities in {table}")


def stored_positions(rows: Sequence[tuple[Any, ...]], inserted: set[tuple[str, str]]) -> list[int]:
    """Positions of the rows an INSERT stored, each identity once (its first occurrence)."""
    remaining = set(inserted)
    positions = []
    for position, row in enumerate(rows):
        key = (row[0], row[1])
        if key in remaining:
            remaining.discard(key)  # a repeat later in the same batch is a duplicate
            positions.append(position)
    return positions


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class LogRepository:
    """Log SQL on one connection."""

    def __init__(self, conn: DbConnection) -> None:
        self._conn = conn

    async def insert_new(self, spec: LogTableSpec, rows: Sequence[tuple[Any, ...]]) -> list[int]:
        """Store the rows whose source identity is new; return their positions, in batch order.

        Rows are `spec.columns` tuples, identity first. The identities already
        stored are looked up in one indexed query; the rest (each identity once)
        are copied straight into the table. A concurrent batch that commits one
        of those identities in between makes the COPY fail with IdentityRace: the
        transaction is then lost and the caller starts again with `insert_new_racing`.
        """
        first: dict[tuple[str, str], int] = {}
        for position, row in enumerate(rows):
            first.setdefault((row[0], row[1]), position)
        for key in await self._stored_identities(spec, list(first)):
            del first[key]
        positions = sorted(first.values())
        if not positions:
            return []
        fresh = rows if len(positions) == len(rows) else [rows[i] for i in positions]
        try:
            await self._conn.copy_records_to_table(spec.table, records=fresh, columns=spec.columns)
        except asyncpg.UniqueViolationError as error:
            if error.constraint_name != spec.identity_constraint:
                raise
            raise IdentityRace(spec.table) from error
        return positions

    async def insert_new_racing(
        self, spec: LogTableSpec, rows: Sequence[tuple[Any, ...]]
    ) -> list[int]:
        """Like `insert_new`, safe against identities committed concurrently (slower).

        COPY into a per-connection temporary staging table, then one
        INSERT ... SELECT ... ON CONFLICT DO NOTHING skips whatever is stored by then.
        """
        await self._conn.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {spec.stage} ({spec.stage_ddl}) ON COMMIT DELETE ROWS"
        )
        await self._conn.copy_records_to_table(spec.stage, records=rows, columns=spec.columns)
        columns = ", ".join(spec.columns)
        inserted = await self._conn.fetch(
            f"INSERT INTO {spec.table} ({columns}) SELECT {columns} FROM {spec.stage}"
            " ON CONFLICT (source_index, source_id) DO NOTHING RETURNING source_index, source_id"
        )
        return stored_positions(rows, {(r["source_index"], r["source_id"]) for r in inserted})

    async def _stored_identities(
        self, spec: LogTableSpec, keys: Sequence[tuple[str, str]]
    ) -> list[tuple[str, str]]:
        """Which of these identities are stored already (one index probe each).

        The LATERAL ... LIMIT 1 keeps the plan a nested loop of index probes whatever
        the planner believes about the table: written as `source_id = ANY($2)`, a
        table without statistics (autovacuum off) got a scan of every row of the
        index for batches of 1,000, which made ingestion slower as the table grew.
        """
        by_index: dict[str, list[str]] = {}
        for index, source_id in keys:
            by_index.setdefault(index, []).append(source_id)
        found: list[tuple[str, str]] = []
        for index, ids in by_index.items():
            rows = await self._conn.fetch(
                "SELECT k.source_id FROM unnest($2::text[]) AS k(source_id),"
                f" LATERAL (SELECT 1 FROM {spec.table} t WHERE t.source_index = $1"
                " AND t.source_id = k.source_id LIMIT 1) AS stored",
                index,
                ids,
            )
            found.extend((index, r["source_id"]) for r in rows)
        return found

    async def search(
        self, spec: LogTableSpec, filters: LogFilter, *, limit: int
    ) -> list[asyncpg.Record]:
        """Newest first, keyset-paginated on (ts, id); only the filters given reach the SQL."""
        clauses: list[str] = []
        args: list[Any] = []

        def add(clause: str, *values: Any) -> None:
            start = len(args)
            args.extend(values)
            clause_args = [f"${start + i + 1}" for i in range(len(values))]
            clauses.append(clause.format(*clause_args))

        if filters.job_name is not None:
            add("job_name = {0}", filters.job_name)
        if filters.level is not None:
            add("level = {0}", filters.level.upper())
        if filters.http_status is not None:
            add("http_status = {0}", filters.http_status)
        if filters.status_class is not None:
            add(
                "http_status >= {0} AND http_status < {1}",
                filters.status_class * 100,
                filters.status_class * 100 + 100,
            )
        if filters.http_method is not None:
            add("http_method = {0}", filters.http_method.upper())
        if filters.text:
            add("message ILIKE {0}", _like_pattern(filters.text))
        if filters.since is not None:
            add("ts >= {0}", filters.since)
        if filters.before is not None:
            add("(ts, id) < ({0}, {1})", *filters.before)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        args.append(limit)
        return await self._conn.fetch(
            f"SELECT {spec.read_columns} FROM {spec.table} {where}"
            f" ORDER BY ts DESC, id DESC LIMIT ${len(args)}",
            *args,
        )
