"""Exchanges, queues and dead-letter queues of ARCHITECTURE.md, declared idempotently."""

from __future__ import annotations

from dataclasses import dataclass

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange

LOGS_EXCHANGE = "logs"
EVENTS_EXCHANGE = "events"
DEAD_LETTER_EXCHANGE = "dead-letter"

ACTION_REQUESTS_QUEUE = "action_requests"
INCIDENT_NOTIFICATIONS_QUEUE = "incident_notifications"
LOGS_JENKINS_QUEUE = "logs_jenkins"
LOGS_API_QUEUE = "logs_api"


@dataclass(frozen=True)
class QueueSpec:
    name: str
    exchange: str
    bindings: tuple[str, ...]

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.name}.dlq"


QUEUES: tuple[QueueSpec, ...] = (
    QueueSpec(ACTION_REQUESTS_QUEUE, EVENTS_EXCHANGE, ("action.requested", "action.approved")),
    QueueSpec(INCIDENT_NOTIFICATIONS_QUEUE, EVENTS_EXCHANGE, ("incident.*", "action.*")),
    QueueSpec(LOGS_JENKINS_QUEUE, LOGS_EXCHANGE, ("logs.jenkins.#",)),
    QueueSpec(LOGS_API_QUEUE, LOGS_EXCHANGE, ("logs.api.#",)),
)


async def declare_exchanges(channel: AbstractChannel) -> dict[str, AbstractExchange]:
    """Declare the durable topic exchanges and the dead-letter exchange."""
    names = (LOGS_EXCHANGE, EVENTS_EXCHANGE)
    exchanges = {
        name: await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True)
        for name in names
    }
    exchanges[DEAD_LETTER_EXCHANGE] = await channel.declare_exchange(
        DEAD_LETTER_EXCHANGE, aio_pika.ExchangeType.DIRECT, durable=True
    )
    return exchanges


async def declare_topology(channel: AbstractChannel) -> dict[str, AbstractExchange]:
    """Declare exchanges, the durable queues with their bindings, and each queue's DLQ."""
    exchanges = await declare_exchanges(channel)
    dlx = exchanges[DEAD_LETTER_EXCHANGE]
    for spec in QUEUES:
        dlq = await channel.declare_queue(spec.dead_letter_queue, durable=True)
        await dlq.bind(dlx, routing_key=spec.dead_letter_queue)
        queue = await channel.declare_queue(
            spec.name,
            durable=True,
            arguments={
                "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
                "x-dead-letter-routing-key": spec.dead_letter_queue,
            },
        )
        for key in spec.bindings:
            await queue.bind(exchanges[spec.exchange], routing_key=key)
    return exchanges
