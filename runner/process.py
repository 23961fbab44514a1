"""`runbooks runner`: the composition root of the runner process."""

from __future__ import annotations

import asyncio
import contextlib
import signal

import aio_pika
import structlog

from backend.db.pool import create_pool
from backend.messaging.topology import ACTION_REQUESTS_QUEUE, declare_topology
from runner.carry_out import ExecutionOptions
from runner.consumer import ActionConsumer
from runner.executor import ActionExecutor
from runner.guard import ActionGuard, GuardPolicy
from runner.jenkins.client import JenkinsClient
from runner.settings import RunnerSettings

log = structlog.get_logger(__name__)

DRAIN_TIMEOUT_S = 20.0


def execution_options(settings: RunnerSettings) -> ExecutionOptions:
    return ExecutionOptions(
        runner_id=settings.runner_id,
        follow_builds=settings.runner_follow_builds,
        queue_timeout_s=settings.runner_queue_timeout_s,
        build_timeout_s=settings.runner_build_timeout_s,
        poll_interval_s=settings.runner_poll_interval_s,
        lease_s=settings.runner_lease_s,
    )


async def run_runner(settings: RunnerSettings, *, stop: asyncio.Event | None = None) -> None:
    """Recover, then consume action requests until `stop` is set (SIGINT/SIGTERM when none given)."""
    stop = stop or _stop_on_signals()
    pool = await create_pool(
        settings.database_url, min_size=1, max_size=settings.runner_prefetch + 4
    )
    jenkins = JenkinsClient.from_settings(settings)
    guard = ActionGuard(GuardPolicy.from_settings(settings))
    executor = ActionExecutor(pool, jenkins, guard, execution_options(settings))
    consumer = ActionConsumer(executor)
    connection = await aio_pika.connect_robust(settings.rabbitmq_url)
    sweeper: asyncio.Task[None] | None = None
    try:
        await executor.recover(at_start=True)
        health = await jenkins.health()
        log.info(
            "runner.jenkins",
            url=health.url,
            ok=health.ok,
            version=health.version,
            simulator=health.simulator,
            error=health.error,
        )
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=settings.runner_prefetch)
        await declare_topology(channel)
        queue = await channel.get_queue(ACTION_REQUESTS_QUEUE)
        sweeper = asyncio.create_task(_sweep(executor, settings.runner_lease_s))
        tag = await queue.consume(consumer.on_message)
        log.info(
            "runner.started",
            runner_id=settings.runner_id,
            queue=ACTION_REQUESTS_QUEUE,
            dry_run=settings.dry_run,
        )
        await stop.wait()
        await queue.cancel(tag)
        left = await consumer.drain(DRAIN_TIMEOUT_S)
        if left:
            log.warning(
                "runner.stopped_with_running_actions",
                count=left,
                note="reported unknown at next start",
            )
    finally:
        if sweeper is not None:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
        await connection.close()
        await jenkins.aclose()
        await pool.close()
        log.info("runner.stopped")


async def _sweep(executor: ActionExecutor, lease_s: float) -> None:
    """Report actions whose runner went silent (another runner that died), every lease period."""
    while True:
        await asyncio.sleep(lease_s)
        try:
            await executor.recover(at_start=False)
        except Exception:
            log.exception("runner.sweep_failed")


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop
