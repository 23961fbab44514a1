"""The audit log: who changed what, when, from which status to which."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.repositories import DbConnection


class AuditLog:
    """Writes audit rows on the unit of work's connection."""

    def __init__(self, conn: DbConnection) -> None:
        self._conn = conn

    async def record(
        self,
        entity_type: str,
        entity_id: str | int,
        change: str,
        actor: str,
        from_status: str | None = None,
        to_status: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Append one audit row in the current transaction."""
        await self._conn.execute(
            "INSERT INTO audit_log (entity_type, entity_id, change, from_status, to_status,"
            " actor, details) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            entity_type,
            str(entity_id),
            change,
            from_status,
            to_status,
            actor,
            dict(details or {}),
        )
