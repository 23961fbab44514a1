"""SQL of `slack_messages`: where each card lives, so it is updated rather than posted again."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from backend.repositories import DbConnection

CardKind = Literal["incident", "action", "approval"]


@dataclass(frozen=True, slots=True)
class CardRef:
    """A posted card: its channel and ts, the thread it sits in, and what else it shows."""

    kind: CardKind
    entity_id: str
    channel: str
    ts: str
    thread_ts: str | None = None
    context: dict[str, Any] = field(default_factory=dict)


class SlackMessageStore:
    """Card references on one connection (inside the caller's transaction for `lock`)."""

    def __init__(self, conn: DbConnection) -> None:
        self._conn = conn

    async def lock(self, kind: CardKind, entity_id: str) -> None:
        """Serialize work on one card until the transaction ends (across processes)."""
        await self._conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended('slack_messages:' || $1 || ':' || $2, 0))",
            kind,
            entity_id,
        )

    async def get(self, kind: CardKind, entity_id: str) -> CardRef | None:
        row = await self._conn.fetchrow(
            "SELECT kind, entity_id, channel, ts, thread_ts, context FROM slack_messages"
            " WHERE kind = $1 AND entity_id = $2",
            kind,
            entity_id,
        )
        return None if row is None else CardRef(**dict(row))

    async def save(self, ref: CardRef) -> None:
        """Insert or replace the card's reference."""
        await self._conn.execute(
            "INSERT INTO slack_messages (kind, entity_id, channel, ts, thread_ts, context)"
            " VALUES ($1, $2, $3, $4, $5, $6)"
            " ON CONFLICT (kind, entity_id) DO UPDATE SET channel = EXCLUDED.channel,"
            "  ts = EXCLUDED.ts, thread_ts = EXCLUDED.thread_ts, context = EXCLUDED.context,"
            "  updated_at = now()",
            ref.kind,
            ref.entity_id,
            ref.channel,
            ref.ts,
            ref.thread_ts,
            ref.context,
        )

    async def set_context(self, kind: CardKind, entity_id: str, context: dict[str, Any]) -> None:
        await self._conn.execute(
            "UPDATE slack_messages SET context = $3, updated_at = now()"
            " WHERE kind = $1 AND entity_id = $2",
            kind,
            entity_id,
            context,
        )
