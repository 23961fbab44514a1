"""The AMQP side of the runner: `action_requests` with prefetch and manual ack.

A message is acked once its action is claimed (or found not runnable) in the
database: from then on the database owns the action, so a long build never
holds a delivery open, and a runner dying mid-action leaves it `running`, to be
reported `unknown` at restart rather than run again. Unreadable messages go to
the dead-letter queue; a database failure puts the message back after a pause.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import asyncpg
import orjson
import structlog
from aio_pika.abc import AbstractIncomingMessage

from backend.messaging.topology import ACTION_REQUESTS_QUEUE
from backend.tracing import consuming
from runner.executor import ActionExecutor

log = structlog.get_logger(__name__)


class UnreadableRequest(ValueError):
    """A message without an event id or an action id."""


@dataclass(frozen=True)
class ActionMessage:
    message_id: str
    action_id: int
    event_type: str


def parse_message(body: bytes, *, message_id: str | None, routing_key: str) -> ActionMessage:
    """The event id (AMQP message id, else the envelope's) and the action id of an action.* event."""
    try:
        data = orjson.loads(body)
        action_id = int(data["action"]["id"])
        event_id = message_id or str(data["event_id"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise UnreadableRequest(f"not an action event: {error}") from None
    return ActionMessage(event_id, action_id, str(data.get("event_type") or routing_key))


class ActionConsumer:
    """Parse, claim, ack, then run; in-flight runs are tracked for a graceful stop."""

    def __init__(self, executor: ActionExecutor, *, requeue_delay_s: float = 2.0) -> None:
        self.executor = executor
        self.requeue_delay_s = requeue_delay_s
        self.in_flight: set[asyncio.Task[object]] = set()

    async def on_message(self, message: AbstractIncomingMessage) -> None:
        # The request's trace continues here: the claim, Jenkins calls and resulting events.
        with consuming(message, ACTION_REQUESTS_QUEUE):
            await self._handle(message)

    async def _handle(self, message: AbstractIncomingMessage) -> None:
        try:
            request = parse_message(
                message.body, message_id=message.message_id, routing_key=message.routing_key or ""
            )
        except UnreadableRequest as error:
            log.error("runner.unreadable_message", message_id=message.message_id, error=str(error))
            await message.reject(requeue=False)
            return
        try:
            claimed = await self.executor.claim(
                message_id=request.message_id, action_id=request.action_id
            )
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as error:
            log.warning(
                "runner.claim_failed",
                action_id=request.action_id,
                error=str(error),
                will_retry=True,
            )
            await asyncio.sleep(self.requeue_delay_s)
            await message.nack(requeue=True)
            return
        await message.ack()
        if claimed is None:
            return
        task: asyncio.Task[object] = asyncio.current_task()  # type: ignore[assignment]
        self.in_flight.add(task)
        try:
            await self.executor.run(claimed)
        except Exception:
            # The action stays `running` and is reported `unknown` at the next sweep or restart.
            log.exception("runner.run_crashed", action_id=request.action_id)
        finally:
            self.in_flight.discard(task)

    async def drain(self, timeout_s: float) -> int:
        """Wait for running actions to finish; returns how many were still running at the deadline."""
        pending = set(self.in_flight)
        if not pending:
            return 0
        _, still = await asyncio.wait(pending, timeout=timeout_s)
        return len(still)
