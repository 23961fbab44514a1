"""The relay process: the outbox relay plus the flatline and retention timers, until a signal."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Sequence

import structlog
from prometheus_client import start_http_server

from backend.db.pool import create_pool
from backend.detection.engine import IncidentDetector
from backend.detection.rules import load_rules
from backend.outbox.periodic import check_flatlines_once, every, purge_published_once
from backend.outbox.publisher import EventPublisher
from backend.outbox.relay import OutboxRelay, RelayPolicy
from backend.services.incident_recording import DetectionHandler
from backend.settings import RelaySettings

log = structlog.get_logger(__name__)


def relay_policy(settings: RelaySettings) -> RelayPolicy:
    """The relay's knobs from its settings."""
    return RelayPolicy(
        batch_size=settings.relay_batch_size,
        poll_interval_s=settings.relay_poll_interval_s,
        max_attempts=settings.relay_max_attempts,
        backoff_base_s=settings.relay_backoff_base_s,
        backoff_max_s=settings.relay_backoff_max_s,
        reconnect_max_s=settings.relay_reconnect_max_s,
    )


async def run_relay(
    settings: RelaySettings,
    *,
    detector: IncidentDetector | None = None,
    handlers: Sequence[DetectionHandler] = (),
    stop: asyncio.Event | None = None,
) -> None:
    """Run until SIGINT/SIGTERM (or `stop`): relay, flatline checks, outbox retention."""
    detector = detector or IncidentDetector(load_rules(settings.rules_dir))
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    if settings.relay_metrics_port is not None:
        start_http_server(settings.relay_metrics_port, addr="127.0.0.1")
    pool = await create_pool(settings.database_url, min_size=1, max_size=4)
    relay = OutboxRelay(
        pool,
        EventPublisher(settings.rabbitmq_url),
        database_url=settings.database_url,
        policy=relay_policy(settings),
    )

    async def flatlines() -> None:
        await check_flatlines_once(
            pool,
            detector,
            update_interval_s=settings.incident_update_interval_s,
            handlers=handlers,
        )

    async def purge() -> None:
        await purge_published_once(pool, retention_s=settings.outbox_retention_s)

    log.info("relay.started", batch_size=settings.relay_batch_size)
    try:
        await asyncio.gather(
            relay.run(stop),
            every(settings.flatline_check_interval_s, flatlines, stop, name="flatline"),
            every(settings.outbox_purge_interval_s, purge, stop, name="outbox_purge"),
        )
    finally:
        await pool.close()
        log.info("relay.stopped")
