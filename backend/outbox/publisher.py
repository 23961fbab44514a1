"""Publishes claimed outbox events to the `events` exchange with publisher confirms."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from typing import Any

import aio_pika
import aiormq
import structlog
from aio_pika.abc import AbstractChannel, AbstractConnection
from aiormq import spec
from aiormq.abc import ConfirmationFrameType
from opentelemetry.trace import SpanKind

from backend.messaging.confirms import PERSISTENT, close_quietly, frame_channel
from backend.messaging.topology import EVENTS_EXCHANGE, declare_topology
from backend.repositories.outbox import ClaimedEvent
from backend.tracing import continue_trace, current_carrier

log = structlog.get_logger(__name__)


class BrokerUnavailable(Exception):
    """The broker cannot be reached or the connection broke: nothing was lost, retry later."""


# A lost connection or channel says nothing about the events: they stay pending and
# their attempts are not counted. A nack is about the event: it is retried with backoff.
_CONNECTION_ERRORS = (
    ConnectionError,
    OSError,
    TimeoutError,
    asyncio.TimeoutError,
    aiormq.exceptions.AMQPConnectionError,
    aiormq.exceptions.ChannelInvalidStateError,
    aiormq.exceptions.ChannelClosed,
)


def event_properties(
    event: ClaimedEvent, headers: dict[str, Any] | None = None
) -> spec.Basic.Properties:
    """A persistent JSON message whose id is the event id (consumers dedupe on it)."""
    return spec.Basic.Properties(
        content_type="application/json",
        delivery_mode=PERSISTENT,
        message_id=str(event.id),
        message_type=event.event_type,
        headers=headers or event.headers or None,
        timestamp=event.created_at,
    )


class EventPublisher:
    """One connection and one confirming channel; `connect` again after BrokerUnavailable.

    A batch is published as a window of concurrent publishes through the channel's
    frame layer, each awaiting its own confirm (backend.messaging.confirms).
    """

    def __init__(
        self, url: str, *, confirm_timeout_s: float = 30.0, max_in_flight: int = 1000
    ) -> None:
        self._url = url
        self._confirm_timeout_s = confirm_timeout_s
        self._max_in_flight = max_in_flight
        self._connection: AbstractConnection | None = None
        self._channel: AbstractChannel | None = None
        self._frames: aiormq.Channel | None = None

    @property
    def connected(self) -> bool:
        return (
            self._connection is not None
            and not self._connection.is_closed
            and self._channel is not None
            and not self._channel.is_closed
        )

    async def connect(self) -> None:
        """Connect, open a confirming channel and declare the whole topology."""
        await self.close()
        try:
            self._connection = await aio_pika.connect(self._url, timeout=10)
            self._channel = await self._connection.channel(publisher_confirms=True)
            await declare_topology(self._channel)
            self._frames = await frame_channel(self._channel)
        except _CONNECTION_ERRORS as error:
            await self.close()
            raise BrokerUnavailable(str(error) or type(error).__name__) from error
        log.info("relay.broker_connected")

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        self._channel = None
        self._frames = None
        await close_quietly(connection)

    async def publish(self, events: Sequence[ClaimedEvent]) -> list[tuple[uuid.UUID, str]]:
        """Publish concurrently and wait for every confirm; return the (id, error) of nacked events.

        Raises BrokerUnavailable when the connection fails: then no outcome is trusted.
        """
        if self._frames is None or not self.connected:
            raise BrokerUnavailable("not connected")
        channel = self._frames
        window = asyncio.Semaphore(self._max_in_flight)

        async def one(event: ClaimedEvent) -> ConfirmationFrameType | None:
            async with window:
                return await self._publish_one(channel, event)

        results = await asyncio.gather(*(one(e) for e in events), return_exceptions=True)
        failures: list[tuple[uuid.UUID, str]] = []
        for event, result in zip(events, results, strict=True):
            if isinstance(result, asyncio.CancelledError):
                raise result
            if isinstance(result, _CONNECTION_ERRORS):
                raise BrokerUnavailable(str(result) or type(result).__name__) from result
            if isinstance(result, BaseException):
                failures.append((event.id, f"{type(result).__name__}: {result}"))
        return failures

    async def _publish_one(
        self, channel: aiormq.Channel, event: ClaimedEvent
    ) -> ConfirmationFrameType | None:
        """Publish one event; one carrying a trace gets a `publish` span in that trace."""

        async def send(headers: dict[str, Any]) -> ConfirmationFrameType | None:
            return await channel.basic_publish(
                event.body,
                exchange=EVENTS_EXCHANGE,
                routing_key=event.routing_key,
                properties=event_properties(event, headers),
                mandatory=False,
                timeout=self._confirm_timeout_s,
                wait=False,  # the confirm is awaited; the socket drain is not
            )

        if "traceparent" not in event.headers:  # written outside a trace: nothing to continue
            return await send(event.headers)
        # A child of the context stored with the row; the message carries the publish span on.
        with continue_trace(
            f"publish {event.routing_key}",
            event.headers,
            kind=SpanKind.PRODUCER,
            attributes={
                "messaging.system": "rabbitmq",
                "messaging.destination.name": EVENTS_EXCHANGE,
                "messaging.rabbitmq.destination.routing_key": event.routing_key,
                "messaging.message.id": str(event.id),
            },
        ):
            return await send({**event.headers, **current_carrier()})
