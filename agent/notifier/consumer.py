"""`runbooks notifier`: consume `incident_notifications` and hand each event to the notifier.

At-least-once delivery, manual ack: an event is acked once its cards are drawn, sent to
the dead-letter queue when it can never be (unreadable, or Slack refuses it for good),
and put back after a pause when Slack or the database is only unavailable for now.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable

import aio_pika
import aiohttp
import asyncpg
import structlog
from aio_pika.abc import AbstractIncomingMessage
from slack_sdk.errors import SlackApiError

from agent.notifier.events import UnreadableEvent, parse_event
from agent.notifier.service import ChannelRouting, IncidentNotifier
from agent.notifier.settings import NotifierSettings
from agent.slack.web_client import build_web_client
from backend.db.pool import create_pool
from backend.messaging.topology import INCIDENT_NOTIFICATIONS_QUEUE, declare_topology
from backend.tracing import consuming

log = structlog.get_logger(__name__)


def is_transient(error: BaseException) -> bool:
    """True for failures worth another attempt later: rate limits, 5xx, network, database."""
    if isinstance(error, SlackApiError):
        status = getattr(error.response, "status_code", 0)
        return status == 429 or status >= 500
    return isinstance(
        error,
        aiohttp.ClientError
        | TimeoutError
        | OSError
        | asyncpg.PostgresError
        | asyncpg.InterfaceError,
    )


class NotificationConsumer:
    """The thin AMQP side: parse, call the notifier, ack / requeue / dead-letter."""

    def __init__(self, notifier: IncidentNotifier, *, requeue_delay_s: float) -> None:
        self._notifier = notifier
        self._requeue_delay_s = requeue_delay_s

    async def on_message(self, message: AbstractIncomingMessage) -> None:
        with consuming(message, INCIDENT_NOTIFICATIONS_QUEUE):
            await self._handle(message)

    async def _handle(self, message: AbstractIncomingMessage) -> None:
        try:
            event = parse_event(
                message.body, message_id=message.message_id, routing_key=message.routing_key or ""
            )
        except UnreadableEvent as error:
            log.error("notifier.unreadable_event", message_id=message.message_id, error=str(error))
            await message.reject(requeue=False)
            return
        try:
            await self._notifier.handle(event)
        except Exception as error:
            transient = is_transient(error)
            log.warning(
                "notifier.event_failed",
                event_id=event.event_id,
                event_type=event.event_type,
                error=str(error),
                will_retry=transient,
            )
            if transient:
                await asyncio.sleep(self._requeue_delay_s)
                await message.nack(requeue=True)
            else:
                await message.reject(requeue=False)
            return
        await message.ack()


async def run_notifier(settings: NotifierSettings, *, stop: asyncio.Event | None = None) -> None:
    """Consume until `stop` is set (or SIGINT/SIGTERM when none is given)."""
    stop = stop or _stop_on_signals()
    pool = await create_pool(
        settings.database_url, min_size=1, max_size=settings.notifier_prefetch + 2
    )
    slack = build_web_client(settings)
    connection = await aio_pika.connect_robust(settings.rabbitmq_url)
    try:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=settings.notifier_prefetch)
        await declare_topology(channel)
        queue = await channel.get_queue(INCIDENT_NOTIFICATIONS_QUEUE)
        notifier = IncidentNotifier(pool, slack, ChannelRouting(settings))
        consumer = NotificationConsumer(notifier, requeue_delay_s=settings.notifier_requeue_delay_s)
        tag = await queue.consume(consumer.on_message)
        log.info("notifier.started", queue=INCIDENT_NOTIFICATIONS_QUEUE, api=settings.slack_api_url)
        await stop.wait()
        await queue.cancel(tag)
    finally:
        await connection.close()
        await pool.close()
        log.info("notifier.stopped")


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    handler: Callable[[], None] = stop.set
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, handler)
    return stop
