"""SQL of `processed_messages` for the notifier: an event id is handled once."""

from __future__ import annotations

from backend.repositories import DbConnection


class ProcessedMessages:
    """Which events a consumer has already handled (row written in the handling transaction)."""

    def __init__(self, conn: DbConnection, consumer: str) -> None:
        self._conn = conn
        self._consumer = consumer

    async def seen(self, message_id: str) -> bool:
        found = await self._conn.fetchval(
            "SELECT 1 FROM processed_messages WHERE consumer = $1 AND message_id = $2",
            self._consumer,
            message_id,
        )
        return found is not None

    async def mark(self, message_id: str) -> None:
        await self._conn.execute(
            "INSERT INTO processed_messages (consumer, message_id) VALUES ($1, $2)"
            " ON CONFLICT DO NOTHING",
            self._consumer,
            message_id,
        )
