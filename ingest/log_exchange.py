"""Publishing log records to the `logs` topic exchange with publisher confirms.

A page is published as a window of concurrent publishes through the channel's frame
layer, each awaiting its own confirm (backend.messaging.confirms says why).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aio_pika
import aiormq
import orjson
from aio_pika.abc import AbstractChannel, AbstractConnection
from aiormq import spec

from backend.messaging.confirms import (
    CONNECTION_ERRORS,
    PERSISTENT,
    close_quietly,
    frame_channel,
)
from backend.messaging.topology import LOGS_EXCHANGE, declare_topology

# What a lost connection or channel looks like from aio-pika's side.
BROKER_ERRORS = CONNECTION_ERRORS


class BrokerUnavailable(Exception):
    """RabbitMQ did not confirm (down, connection lost, nack); worth retrying."""


@dataclass(frozen=True, slots=True)
class OutgoingLog:
    """One record on its way to the `logs` exchange."""

    routing_key: str
    message_id: str
    record: dict[str, Any]


def confirmed_prefix(results: Sequence[bool]) -> int:
    """How many results, from the first, were all confirmed."""
    for position, confirmed in enumerate(results):
        if not confirmed:
            return position
    return len(results)


class LogExchange:
    """A confirming channel on the `logs` exchange; reconnects when asked after a failure."""

    def __init__(
        self, url: str, *, confirm_timeout_s: float = 30.0, max_in_flight: int = 256
    ) -> None:
        self._url = url
        self._confirm_timeout_s = confirm_timeout_s
        self._max_in_flight = max_in_flight
        self._connection: AbstractConnection | None = None
        self._channel: AbstractChannel | None = None
        self._frames: aiormq.Channel | None = None
        self._connecting = asyncio.Lock()

    async def connect(self) -> None:
        """Open the connection and channel unless open, and declare the topology."""
        async with self._connecting:
            if self._channel is not None and not self._channel.is_closed:
                return
            await self._open()

    async def _open(self) -> None:
        await self.close()
        try:
            self._connection = await aio_pika.connect(self._url, timeout=10)
            self._channel = await self._connection.channel(
                publisher_confirms=True, on_return_raises=True
            )
            await declare_topology(self._channel)
            self._frames = await frame_channel(self._channel)
        except BROKER_ERRORS as error:
            await self.close()
            raise BrokerUnavailable(f"rabbitmq unreachable: {error!r}") from error

    async def close(self) -> None:
        """Close quietly; a broken connection is simply dropped."""
        connection, self._connection = self._connection, None
        self._channel = None
        self._frames = None
        await close_quietly(connection)

    async def publish(self, logs: Sequence[OutgoingLog]) -> list[bool]:
        """Publish with up to `max_in_flight` awaiting their confirm; per log, whether confirmed.

        After a failure the logs not yet sent are not sent: they come after the
        failed one, so the caller publishes them again from its checkpoint.
        """
        if self._frames is None:
            raise BrokerUnavailable("not connected")
        channel = self._frames
        window = asyncio.Semaphore(self._max_in_flight)
        failed = False

        async def one(log: OutgoingLog) -> bool:
            nonlocal failed
            async with window:
                if failed:
                    return False
                try:
                    await channel.basic_publish(
                        orjson.dumps(log.record, default=str),
                        exchange=LOGS_EXCHANGE,
                        routing_key=log.routing_key,
                        properties=spec.Basic.Properties(
                            content_type="application/json",
                            delivery_mode=PERSISTENT,
                            message_id=log.message_id,
                        ),
                        mandatory=True,  # an unroutable record is refused, not dropped
                        timeout=self._confirm_timeout_s,
                        wait=False,  # the confirm is awaited; the socket drain is not
                    )
                except BROKER_ERRORS:
                    failed = True
                    return False
                return True

        return list(await asyncio.gather(*(one(log) for log in logs)))
