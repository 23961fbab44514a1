"""What publishers with confirms share: the channel's frame layer, persistence, closing.

Publishing a window of messages through aiormq's channel with `wait=False`, each awaiting
its own confirm, is what makes a batch fast: aio-pika's `Exchange.publish` holds the
channel lock until the socket drained each frame, one message per event-loop round trip.
"""

from __future__ import annotations

import asyncio

import aio_pika
import aiormq
from aio_pika.abc import AbstractChannel, AbstractConnection

PERSISTENT = int(aio_pika.DeliveryMode.PERSISTENT)
CLOSE_TIMEOUT_S = 5.0

# What a lost connection or channel looks like from aio-pika's side.
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    aiormq.exceptions.AMQPError,
    aiormq.exceptions.ChannelInvalidStateError,
    ConnectionError,
    OSError,
    TimeoutError,
)


async def frame_channel(channel: AbstractChannel) -> aiormq.Channel:
    """The aiormq channel under an aio-pika one, for `basic_publish(..., wait=False)`."""
    underlay = await channel.get_underlay_channel()
    assert isinstance(underlay, aiormq.Channel)
    return underlay


async def close_quietly(connection: AbstractConnection | None) -> None:
    """Close a connection, giving up after CLOSE_TIMEOUT_S: a broker that stopped answering,
    or a connection already broken, must not hold a shutdown."""
    if connection is None or connection.is_closed:
        return
    try:
        async with asyncio.timeout(CLOSE_TIMEOUT_S):
            await connection.close()
    except CONNECTION_ERRORS:
        pass
