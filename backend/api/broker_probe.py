"""Keeps one broker connection open in the background, so /api/status can say if it is up."""

from __future__ import annotations

import asyncio
import contextlib

import aio_pika
import structlog
from aio_pika.abc import AbstractRobustConnection

from backend.messaging.confirms import close_quietly

log = structlog.get_logger(__name__)


class BrokerProbe:
    """A robust connection opened lazily in a task; the API starts even with the broker down."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._connection: AbstractRobustConnection | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._connect(), name="broker-probe")

    async def _connect(self) -> None:
        delay = 0.5
        while True:
            try:
                self._connection = await aio_pika.connect_robust(self._url, timeout=10)
                return
            except (ConnectionError, OSError, TimeoutError) as error:
                log.warning("api.broker_unavailable", error=str(error), retry_in_s=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    @property
    def up(self) -> bool:
        return (
            self._connection is not None
            and not self._connection.is_closed
            and (self._connection.connected.is_set())
        )

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        connection, self._connection = self._connection, None
        await close_quietly(connection)
