"""Unit of work: one pooled connection, one transaction, rolled back unless committed.

The outbox rides in the same transaction, so an event exists exactly when the change
it announces does.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from asyncpg.transaction import Transaction

from backend.outbox.writer import OutboxWriter
from backend.repositories.audit import AuditLog
from backend.repositories.incidents import IncidentRepository
from backend.repositories.logs import LogRepository


class UnitOfWork:
    """`async with UnitOfWork(pool) as uow: ...; await uow.commit()`."""

    conn: PoolConnectionProxy
    outbox: OutboxWriter
    audit: AuditLog
    incidents: IncidentRepository
    logs: LogRepository

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._transaction: Transaction | None = None
        self._committed = False

    async def __aenter__(self) -> Self:
        self.conn = await self._pool.acquire()
        try:
            self._transaction = self.conn.transaction()
            await self._transaction.start()
        except BaseException:
            await self._pool.release(self.conn)
            raise
        self.outbox = OutboxWriter(self.conn)
        self.audit = AuditLog(self.conn)
        self.incidents = IncidentRepository(self.conn)
        self.logs = LogRepository(self.conn)
        return self

    async def commit(self) -> None:
        """Write the queued outbox events, then commit everything together."""
        assert self._transaction is not None, "commit outside `async with`"
        await self.outbox.flush()
        await self._transaction.commit()
        self._committed = True

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._transaction is not None and not self._committed:
                await self._transaction.rollback()
        finally:
            await self._pool.release(self.conn)
