"""Elasticsearch -> `logs` exchange, with a durable checkpoint that only follows confirms.

Per index pattern: read pages after the checkpoint in `(@timestamp, tiebreaker)`
order, publish each document (message id `<_index>/<_id>`), and move the
checkpoint to the last document of the confirmed prefix of the page. Every so
often the overlap window behind the checkpoint is re-read for documents that
became searchable late; ids already confirmed by this process are skipped, and
re-published ones (after a restart) are absorbed by the backend's source identity.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import structlog
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    RetryError,
    retry_if_exception_type,
    stop_when_event_set,
    wait_exponential_jitter,
)

from ingest.checkpoints import Checkpoint, CheckpointRepository
from ingest.lifecycle import wait_or_stop
from ingest.log_exchange import BrokerUnavailable, LogExchange, OutgoingLog, confirmed_prefix
from ingest.mapping import FieldMapping, LogSource, routing_key, to_record
from ingest.search import Hit, LogSearch, SearchUnavailable, overlap_start

log = structlog.get_logger("ingest.publisher")

RETRYABLE: tuple[type[BaseException], ...] = (
    BrokerUnavailable,
    SearchUnavailable,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    OSError,
)


@dataclass(frozen=True, slots=True)
class IndexSource:
    """An index pattern and the kind of logs it holds."""

    source: LogSource
    pattern: str


@dataclass(frozen=True, slots=True)
class PublisherOptions:
    page_size: int = 1000
    overlap: timedelta = timedelta(seconds=120)
    poll_interval_s: float = 1.0
    late_sweep_interval_s: float = 15.0
    backoff_initial_s: float = 0.2
    backoff_max_s: float = 30.0


@dataclass
class SourceState:
    """What one source loop remembers between passes."""

    checkpoint: Checkpoint | None
    # Confirmed message ids -> their first sort value, kept for one overlap window.
    confirmed: dict[str, Any] = field(default_factory=dict)
    last_sweep: float = float("-inf")
    sweeps: int = 0
    retries: int = 0
    published: int = 0


def units_per_second(sort_time: Any) -> int:
    """Date sort values are epoch milliseconds, or nanoseconds for `date_nanos` fields."""
    return 1_000_000_000 if isinstance(sort_time, int) and sort_time >= 10**17 else 1000


def forget_before(state: SourceState, overlap: timedelta) -> None:
    """Drop remembered ids older than the overlap window: no sweep reads them again."""
    if state.checkpoint is None:
        return
    newest = state.checkpoint.sort_values[0]
    cutoff = newest - overlap.total_seconds() * units_per_second(newest)
    state.confirmed = {key: t for key, t in state.confirmed.items() if t >= cutoff}


class LogPublisher:
    """Publishes the documents of each index pattern exactly once past its checkpoint."""

    def __init__(
        self,
        *,
        search: LogSearch,
        exchange: LogExchange,
        checkpoints: CheckpointRepository,
        mapping: FieldMapping,
        sources: Sequence[IndexSource],
        options: PublisherOptions,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._search = search
        self._exchange = exchange
        self._checkpoints = checkpoints
        self._mapping = mapping
        self._sources = tuple(sources)
        self._options = options
        self._clock = clock
        self.states: dict[str, SourceState] = {}

    async def run(self, stop: asyncio.Event) -> None:
        """Publish from every source until `stop` is set."""
        await asyncio.gather(*(self._run_source(source, stop) for source in self._sources))

    async def _run_source(self, source: IndexSource, stop: asyncio.Event) -> None:
        bound = log.bind(index=source.pattern)
        state = SourceState(checkpoint=await self._checkpoints.get(source.pattern))
        self.states[source.pattern] = state
        bound.info(
            "publisher.start",
            checkpoint=None if state.checkpoint is None else list(state.checkpoint.sort_values),
        )
        while not stop.is_set():
            try:
                read = await self._pass_with_retries(source, state, stop)
            except RetryError:  # stopped while waiting to retry
                return
            if read < self._options.page_size:
                await wait_or_stop(stop, self._options.poll_interval_s)

    async def _pass_with_retries(
        self, source: IndexSource, state: SourceState, stop: asyncio.Event
    ) -> int:
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type(RETRYABLE),
            wait=wait_exponential_jitter(
                initial=self._options.backoff_initial_s, max=self._options.backoff_max_s
            ),
            stop=stop_when_event_set(stop),  # type: ignore[arg-type]
            sleep=lambda seconds: wait_or_stop(stop, seconds),
            before_sleep=_log_retry(source.pattern, state),
        ):
            with attempt:
                await self._exchange.connect()
                return await self.publish_pass(source, state)
        raise AssertionError("unreachable: AsyncRetrying returns or raises")

    async def publish_pass(self, source: IndexSource, state: SourceState) -> int:
        """Read and publish every page now available; returns how many documents were read."""
        sweep = (
            state.checkpoint is not None
            and self._options.overlap > timedelta(0)
            and self._clock() - state.last_sweep >= self._options.late_sweep_interval_s
        )
        if sweep and state.checkpoint is not None:
            forget_before(state, self._options.overlap)
            since = overlap_start(state.checkpoint.last_timestamp, self._options.overlap)
            after: tuple[Any, ...] | None = None
            state.last_sweep = self._clock()
            state.sweeps += 1
        elif state.checkpoint is not None:
            since, after = state.checkpoint.last_timestamp, state.checkpoint.sort_values
        else:
            since, after = None, None
        read = 0
        hits = await self._read_page(source, since, after)
        while True:
            read += len(hits)
            if len(hits) < self._options.page_size:
                if hits:
                    await self._publish_page(source, state, hits)
                return read
            # The next page is read while this one waits for its confirms.
            following = asyncio.ensure_future(self._read_page(source, since, hits[-1].sort))
            try:
                await self._publish_page(source, state, hits)
            except BaseException:
                following.cancel()
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await following
                raise
            hits = await following

    async def _read_page(
        self, source: IndexSource, since: datetime | None, after: tuple[Any, ...] | None
    ) -> list[Hit]:
        return await self._search.page(
            source.pattern, since=since, search_after=after, size=self._options.page_size
        )

    async def _publish_page(
        self, source: IndexSource, state: SourceState, hits: Sequence[Hit]
    ) -> None:
        fresh = [hit for hit in hits if hit.message_id not in state.confirmed]
        outgoing = []
        for hit in fresh:
            record = to_record(
                source.source, hit.source, index=hit.index, doc_id=hit.doc_id, mapping=self._mapping
            )
            outgoing.append(OutgoingLog(routing_key(source.source, record), hit.message_id, record))
        results = iter(await self._exchange.publish(outgoing) if outgoing else [])
        flags = [True if hit.message_id in state.confirmed else next(results) for hit in hits]
        for hit, ok in zip(hits, flags, strict=True):
            if ok and hit.message_id not in state.confirmed:
                state.confirmed[hit.message_id] = hit.sort[0]
                state.published += 1
        prefix = confirmed_prefix(flags)
        if prefix:
            await self._advance(source, state, hits[prefix - 1])
        if prefix < len(hits):
            raise BrokerUnavailable(f"{len(hits) - prefix} of {len(hits)} messages not confirmed")

    async def _advance(self, source: IndexSource, state: SourceState, hit: Hit) -> None:
        if state.checkpoint is not None and hit.sort <= state.checkpoint.sort_values:
            return  # a late document behind the checkpoint: published, position unchanged
        checkpoint = Checkpoint.at(source.pattern, doc_id=hit.doc_id, sort=hit.sort)
        await self._checkpoints.save(checkpoint)
        state.checkpoint = checkpoint


def _log_retry(pattern: str, source_state: SourceState) -> Callable[[RetryCallState], None]:
    def before_sleep(state: RetryCallState) -> None:
        source_state.retries += 1
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            "publisher.retry",
            index=pattern,
            attempt=state.attempt_number,
            wait_s=round(state.upcoming_sleep, 2),
            error=str(error),
        )

    return before_sleep
