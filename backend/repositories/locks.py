"""Advisory locks: one holder across processes for periodic jobs."""

from __future__ import annotations

from backend.repositories import DbConnection

FLATLINE_CHECK = 72_410_101
OUTBOX_PURGE = 72_410_102


async def try_transaction_lock(conn: DbConnection, key: int) -> bool:
    """Take a transaction-scoped advisory lock if free; released at commit or rollback."""
    taken: bool = await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", key)
    return taken
