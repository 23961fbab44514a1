"""The outbox relay: wakes on NOTIFY (or polls), claims due events, publishes, settles.

Claiming locks rows with FOR UPDATE SKIP LOCKED for the length of one transaction
that also marks them published, so several relays never publish the same event
twice; a relay that dies mid-batch leaves its rows pending for the next one.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
import structlog

from backend.metrics import (
    EVENT_LAG_SECONDS,
    OUTBOX_DEAD,
    OUTBOX_FAILED,
    OUTBOX_PUBLISHED,
    PUBLISH_SECONDS,
)
from backend.outbox.publisher import BrokerUnavailable, EventPublisher
from backend.repositories import outbox as outbox_sql

log = structlog.get_logger(__name__)

CHANNEL = "outbox_events"


@dataclass(frozen=True)
class RelayPolicy:
    """How much to claim, how often to look, how to retry."""

    batch_size: int = 1000
    poll_interval_s: float = 1.0
    max_attempts: int = 10
    backoff_base_s: float = 0.5
    backoff_max_s: float = 300.0
    reconnect_max_s: float = 30.0


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    claimed: int
    published: int
    failed: int
    dead: int


class OutboxRelay:
    """Drains `outbox_events` into the broker until `stop` is set."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        publisher: EventPublisher,
        *,
        database_url: str,
        policy: RelayPolicy | None = None,
    ) -> None:
        self._pool = pool
        self._publisher = publisher
        self._database_url = database_url
        self._policy = policy or RelayPolicy()
        self._wake = asyncio.Event()
        self._listener: asyncpg.Connection | None = None

    def wake(self) -> None:
        """Look for due events now."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set; survives broker and listener outages."""
        reconnect_delay = 0.5
        try:
            while not stop.is_set():
                await self._ensure_listener()
                if not self._publisher.connected:
                    try:
                        await self._publisher.connect()
                        reconnect_delay = 0.5
                    except BrokerUnavailable as error:
                        log.warning(
                            "relay.broker_unavailable", error=str(error), retry_in_s=reconnect_delay
                        )
                        await _wait(stop, reconnect_delay)
                        reconnect_delay = min(reconnect_delay * 2, self._policy.reconnect_max_s)
                        continue
                try:
                    outcome = await self.relay_batch()
                except BrokerUnavailable as error:
                    log.warning("relay.broker_lost", error=str(error))
                    await self._publisher.close()
                    continue
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                    log.error("relay.database_error", error=str(error))
                    await _wait(stop, self._policy.poll_interval_s)
                    continue
                if outcome.claimed < self._policy.batch_size:
                    await self._idle(stop)
        finally:
            await self._publisher.close()
            await self._close_listener()

    async def relay_batch(self) -> BatchOutcome:
        """Claim, publish and settle one batch in one transaction."""
        policy = self._policy
        async with self._pool.acquire() as conn, conn.transaction():
            events = await outbox_sql.claim_due(conn, limit=policy.batch_size)
            if not events:
                return BatchOutcome(0, 0, 0, 0)
            started = time.perf_counter()
            failures = await self._publisher.publish(events)
            PUBLISH_SECONDS.observe(time.perf_counter() - started)
            failed_ids = {f[0] for f in failures}
            published = [e.id for e in events if e.id not in failed_ids]
            await outbox_sql.mark_published(conn, published)
            dead = await outbox_sql.mark_failed(
                conn,
                failures,
                max_attempts=policy.max_attempts,
                backoff_base_s=policy.backoff_base_s,
                backoff_max_s=policy.backoff_max_s,
            )
        now = datetime.now(UTC)
        for event in events:
            if event.id not in failed_ids:
                EVENT_LAG_SECONDS.observe((now - event.created_at).total_seconds())
        OUTBOX_PUBLISHED.inc(len(published))
        if failures:
            OUTBOX_FAILED.inc(len(failures))
            OUTBOX_DEAD.inc(dead)
            log.warning(
                "relay.publish_failed",
                event_ids=[str(f[0]) for f in failures],
                errors=sorted({f[1] for f in failures}),
                dead=dead,
            )
        return BatchOutcome(len(events), len(published), len(failures), dead)

    async def _idle(self, stop: asyncio.Event) -> None:
        """Sleep until a NOTIFY, the poll interval, or the next retry falls due."""
        # Cleared before looking at the table: a NOTIFY from now on is never missed.
        self._wake.clear()
        timeout = self._policy.poll_interval_s
        try:
            async with self._pool.acquire() as conn:
                due_in = await outbox_sql.next_due_in(conn)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            due_in = None
        if due_in is not None:
            timeout = min(timeout, max(due_in, 0.001))
        waiters = {asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())}
        try:
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def _ensure_listener(self) -> None:
        """LISTEN on a dedicated connection; without it the relay still polls."""
        if self._listener is not None and not self._listener.is_closed():
            return
        try:
            self._listener = await asyncpg.connect(self._database_url, timeout=10)
            await self._listener.add_listener(CHANNEL, self._on_notify)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as error:
            log.warning("relay.listen_unavailable", error=str(error))
            await self._close_listener()

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None and not listener.is_closed():
            await listener.close()


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass
