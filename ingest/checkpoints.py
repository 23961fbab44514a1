"""The durable read position per index pattern (`ingest_checkpoints`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from ingest.mapping import normalise_timestamp


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The last document, in sort order, whose message the broker confirmed."""

    source_index: str
    last_timestamp: datetime
    last_id: str
    sort_values: tuple[Any, ...]

    @classmethod
    def at(cls, source_index: str, *, doc_id: str, sort: tuple[Any, ...]) -> Checkpoint:
        """The checkpoint at a hit, its time taken from the first sort value (epoch ms or ns)."""
        return cls(
            source_index=source_index,
            last_timestamp=datetime.fromisoformat(normalise_timestamp(sort[0])),
            last_id=doc_id,
            sort_values=sort,
        )


class CheckpointRepository:
    """SQL of `ingest_checkpoints`."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def get(self, source_index: str) -> Checkpoint | None:
        """The stored checkpoint of an index pattern, if any."""
        row = await self._pool.fetchrow(
            "SELECT source_index, last_timestamp, last_id, sort_values"
            " FROM ingest_checkpoints WHERE source_index = $1",
            source_index,
        )
        if row is None or row["sort_values"] is None:
            return None
        return Checkpoint(
            source_index=row["source_index"],
            last_timestamp=row["last_timestamp"],
            last_id=row["last_id"],
            sort_values=tuple(row["sort_values"]),
        )

    async def save(self, checkpoint: Checkpoint) -> None:
        """Store a checkpoint; an older position never overwrites a newer one."""
        # COLLATE "C" compares ids byte-wise, the order Elasticsearch sorts keywords in.
        await self._pool.execute(
            "INSERT INTO ingest_checkpoints (source_index, last_timestamp, last_id, sort_values)"
            " VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (source_index) DO UPDATE SET last_timestamp = EXCLUDED.last_timestamp,"
            " last_id = EXCLUDED.last_id, sort_values = EXCLUDED.sort_values, updated_at = now()"
            " WHERE ingest_checkpoints.last_timestamp IS NULL"
            ' OR (ingest_checkpoints.last_timestamp, ingest_checkpoints.last_id COLLATE "C")'
            ' < (EXCLUDED.last_timestamp, EXCLUDED.last_id COLLATE "C")',
            checkpoint.source_index,
            checkpoint.last_timestamp,
            checkpoint.last_id,
            list(checkpoint.sort_values),
        )
