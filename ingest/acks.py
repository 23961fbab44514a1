"""Acknowledging consumed log messages: one `multiple` ack per batch where that is safe."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from aio_pika.abc import AbstractIncomingMessage

from ingest.log_exchange import BROKER_ERRORS


def ack_points(delivery_tags: Sequence[int]) -> list[int]:
    """Positions whose `multiple=True` ack settles exactly these deliveries, in delivery order.

    Safe because each queue has its own channel and its batches are settled in
    delivery order: every delivery at or below the last tag of a batch is in that
    batch or already settled (stored, or dead-lettered and acked alone). Tags restart after a reconnect (a new channel), so each
    increasing run ends with an ack point; a run of a lost channel fails to ack
    and the broker redelivers it.
    """
    return [
        position
        for position, tag in enumerate(delivery_tags)
        if position == len(delivery_tags) - 1 or delivery_tags[position + 1] <= tag
    ]


async def settle(messages: Sequence[AbstractIncomingMessage]) -> None:
    """Ack a stored batch (in delivery order) with as few `multiple` acks as safe."""
    for position in ack_points([message.delivery_tag or 0 for message in messages]):
        await ack(messages[position], multiple=True)


async def ack(message: AbstractIncomingMessage, *, multiple: bool = False) -> None:
    """Ack, quietly when the channel is gone."""
    # After a reconnect, old delivery tags are void: the broker already requeued those
    # messages, and their redelivery is absorbed by the backend's source identity.
    with contextlib.suppress(*BROKER_ERRORS):
        await message.ack(multiple=multiple)
