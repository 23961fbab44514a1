"""Log queues -> the backend's ingestion API, in batches; nothing is acked before it is stored.

Per queue, on its own channel: gather up to `batch_size` messages or whatever
arrived within `batch_wait_s` of the first, post them as one JSON array, then
ack them all with one `multiple` ack (see `ack_points`).
Unreachable backend or 5xx: retry with backoff, messages held unacked. 422: the
records it names go to the queue's dead-letter queue with the reason in their
headers and the rest of the batch is posted again; a 422 that names no record
is narrowed down by halving the batch.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aio_pika
import orjson
import structlog
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractIncomingMessage
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_when_event_set,
    wait_exponential_jitter,
)

from backend.messaging.topology import (
    DEAD_LETTER_EXCHANGE,
    LOGS_API_QUEUE,
    LOGS_JENKINS_QUEUE,
    QUEUES,
    QueueSpec,
    declare_topology,
)
from ingest.acks import ack, settle
from ingest.backend_client import BackendRefusedBatch, BackendUnavailable, IngestClient
from ingest.lifecycle import wait_or_stop
from ingest.log_exchange import BROKER_ERRORS
from ingest.mapping import LogSource
from ingest.rejections import refused_records

log = structlog.get_logger("ingest.consumer")

REASON_HEADER = "x-refused-reason"
QUEUE_SOURCES: dict[str, LogSource] = {LOGS_JENKINS_QUEUE: "jenkins", LOGS_API_QUEUE: "api"}


@dataclass(frozen=True, slots=True)
class ConsumerOptions:
    batch_size: int = 500
    batch_wait_s: float = 0.25
    backoff_initial_s: float = 0.2
    backoff_max_s: float = 30.0


@dataclass
class ConsumerStats:
    batches: int = 0
    stored: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    retries: int = 0


def malformed_reason(body: bytes) -> str | None:
    """Why a message body cannot be a log record, or None when it is a JSON object."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return "record: message body is not JSON"
    return None if isinstance(parsed, dict) else "record: message body is not a JSON object"


def unattributed_reason(errors: Sequence[dict[str, Any]]) -> str:
    """A 422 reason that names no record, for the one record it must then be about."""
    if not errors:
        return "refused by the backend (422) without details"
    return "; ".join(f"{e.get('loc')}: {e.get('msg', 'invalid')}" for e in errors)[:1000]


class LogConsumer:
    """Consumes `logs_jenkins` and `logs_api` into the backend."""

    def __init__(
        self, *, rabbitmq_url: str, client: IngestClient, options: ConsumerOptions
    ) -> None:
        self._url = rabbitmq_url
        self._client = client
        self._options = options
        self.stats = ConsumerStats()

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set; unacked messages go back to their queue on exit."""
        connection = await aio_pika.connect_robust(self._url)
        try:
            confirming = await connection.channel(publisher_confirms=True)
            await declare_topology(confirming)
            dead_letters = await confirming.get_exchange(DEAD_LETTER_EXCHANGE, ensure=False)
            specs = [spec for spec in QUEUES if spec.name in QUEUE_SOURCES]
            channels = []
            for _ in specs:  # one per queue: a multiple ack must not reach the other queue
                channel = await connection.channel()
                # Room for the batch being posted and the next one filling up meanwhile.
                await channel.set_qos(prefetch_count=self._options.batch_size * 2)
                channels.append(channel)
            await asyncio.gather(
                *(
                    self._consume(spec, channel, dead_letters, stop)
                    for spec, channel in zip(specs, channels, strict=True)
                )
            )
        finally:
            await connection.close()

    async def _consume(
        self,
        spec: QueueSpec,
        channel: AbstractChannel,
        dead_letters: AbstractExchange,
        stop: asyncio.Event,
    ) -> None:
        inbox: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
        queue = await channel.get_queue(spec.name, ensure=False)
        tag = await queue.consume(inbox.put)
        log.info("consumer.start", queue=spec.name)
        try:
            while not stop.is_set():
                batch = await self._next_batch(inbox, stop)
                if batch:
                    await self._deliver(spec, batch, dead_letters, stop)
        finally:
            with contextlib.suppress(*BROKER_ERRORS):
                await queue.cancel(tag)

    async def _next_batch(
        self, inbox: asyncio.Queue[AbstractIncomingMessage], stop: asyncio.Event
    ) -> list[AbstractIncomingMessage]:
        getter = asyncio.ensure_future(inbox.get())
        stopper = asyncio.ensure_future(stop.wait())
        await asyncio.wait((getter, stopper), return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        if not getter.done():
            getter.cancel()
            return []
        batch = [getter.result()]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._options.batch_wait_s
        while len(batch) < self._options.batch_size:
            if not inbox.empty():
                batch.append(inbox.get_nowait())
                continue
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(inbox.get(), remaining))
            except TimeoutError:
                break
        return batch

    async def _deliver(
        self,
        spec: QueueSpec,
        batch: list[AbstractIncomingMessage],
        dead_letters: AbstractExchange,
        stop: asyncio.Event,
    ) -> None:
        valid = []
        for message in batch:
            reason = malformed_reason(message.body)
            if reason is None:
                valid.append(message)
            else:
                await self._dead_letter(spec, message, reason, dead_letters)
        await self._post(spec, valid, dead_letters, stop)

    async def _post(
        self,
        spec: QueueSpec,
        messages: list[AbstractIncomingMessage],
        dead_letters: AbstractExchange,
        stop: asyncio.Event,
    ) -> None:
        if not messages or stop.is_set():
            return
        source = QUEUE_SOURCES[spec.name]
        try:
            reply = None
            async for attempt in AsyncRetrying(
                retry=retry_if_exception_type(BackendUnavailable),
                wait=wait_exponential_jitter(
                    initial=self._options.backoff_initial_s, max=self._options.backoff_max_s
                ),
                stop=stop_when_event_set(stop),  # type: ignore[arg-type]
                sleep=lambda seconds: wait_or_stop(stop, seconds),
                before_sleep=self._log_retry(spec.name, len(messages)),
                reraise=True,
            ):
                with attempt:
                    reply = await self._client.post_batch(source, [m.body for m in messages])
        except BackendUnavailable:
            return  # stopped while the backend was down: the messages stay unacked
        except BackendRefusedBatch as refused:
            await self._split_refused(spec, messages, refused, dead_letters, stop)
            return
        assert reply is not None
        await settle(messages)
        self.stats.batches += 1
        self.stats.stored += reply.stored
        self.stats.duplicates += reply.duplicates
        log.debug(
            "consumer.stored",
            queue=spec.name,
            records=len(messages),
            stored=reply.stored,
            duplicates=reply.duplicates,
            incidents=reply.incidents,
        )

    async def _split_refused(
        self,
        spec: QueueSpec,
        messages: list[AbstractIncomingMessage],
        refused: BackendRefusedBatch,
        dead_letters: AbstractExchange,
        stop: asyncio.Event,
    ) -> None:
        named = refused_records(refused.errors, len(messages))
        if named is None:
            if len(messages) == 1:
                reason = unattributed_reason(refused.errors)
                await self._dead_letter(spec, messages[0], reason, dead_letters)
                return
            middle = len(messages) // 2
            await self._post(spec, messages[:middle], dead_letters, stop)
            await self._post(spec, messages[middle:], dead_letters, stop)
            return
        for position, reason in sorted(named.items()):
            await self._dead_letter(spec, messages[position], reason, dead_letters)
        rest = [m for position, m in enumerate(messages) if position not in named]
        await self._post(spec, rest, dead_letters, stop)

    async def _dead_letter(
        self,
        spec: QueueSpec,
        message: AbstractIncomingMessage,
        reason: str,
        dead_letters: AbstractExchange,
    ) -> None:
        """Copy to the DLQ with the reason (confirmed), then ack the original."""
        headers = dict(message.headers or {})
        headers.update(
            {
                REASON_HEADER: reason[:1000],
                "x-original-queue": spec.name,
                "x-original-routing-key": message.routing_key or "",
            }
        )
        copy = aio_pika.Message(
            message.body,
            headers=headers,
            content_type=message.content_type,
            message_id=message.message_id,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        await dead_letters.publish(copy, routing_key=spec.dead_letter_queue)
        await ack(message)
        self.stats.dead_lettered += 1
        log.warning(
            "consumer.dead_lettered",
            queue=spec.name,
            message_id=message.message_id,
            reason=reason[:300],
        )

    def _log_retry(self, queue: str, records: int) -> Callable[[RetryCallState], None]:
        def before_sleep(state: RetryCallState) -> None:
            self.stats.retries += 1
            error = state.outcome.exception() if state.outcome else None
            log.warning(
                "consumer.retry",
                queue=queue,
                records=records,
                attempt=state.attempt_number,
                wait_s=round(state.upcoming_sleep, 2),
                error=str(error),
            )

        return before_sleep
