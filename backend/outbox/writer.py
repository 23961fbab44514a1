"""Collects a transaction's events and writes them as outbox rows just before it commits."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from backend.repositories import DbConnection
from backend.repositories.outbox import OutboxRow, insert_events
from backend.tracing import current_carrier


def event_envelope(
    event_id: uuid.UUID, event_type: str, occurred_at: datetime, payload: Mapping[str, Any]
) -> dict[str, Any]:
    """The JSON every event carries: its id, type and time, then the entity."""
    return {
        "event_id": str(event_id),
        "event_type": event_type,
        "occurred_at": occurred_at.isoformat(),
        **payload,
    }


class OutboxWriter:
    """`add` events during a unit of work; `flush` writes them all in one statement."""

    def __init__(self, conn: DbConnection) -> None:
        self._conn = conn
        self._pending: list[OutboxRow] = []

    def add(
        self,
        event_type: str,
        payload: Mapping[str, Any],
        *,
        routing_key: str | None = None,
        headers: Mapping[str, Any] | None = None,
    ) -> uuid.UUID:
        """Queue an event for this transaction and return its id (the AMQP message id).

        The row keeps the current trace context (W3C headers, empty outside a trace)
        for the relay to publish with the message; explicit `headers` win.
        """
        event_id = uuid.uuid4()
        self._pending.append(
            OutboxRow(
                id=event_id,
                event_type=event_type,
                routing_key=routing_key or event_type,
                payload=event_envelope(event_id, event_type, datetime.now(UTC), payload),
                headers={**current_carrier(), **(headers or {})},
            )
        )
        return event_id

    @property
    def pending(self) -> tuple[OutboxRow, ...]:
        """Events added but not yet written."""
        return tuple(self._pending)

    async def flush(self) -> int:
        """Write the queued events on the transaction's connection; return how many."""
        rows, self._pending = self._pending, []
        await insert_events(self._conn, rows)
        return len(rows)
