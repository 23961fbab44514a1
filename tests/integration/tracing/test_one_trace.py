"""One trace from a failing-build log to its incident, the outbox, RabbitMQ, the notifier and the
runner's automatic restart on Jenkins, everything in-process on the real PostgreSQL and RabbitMQ."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import aio_pika
import asyncpg
import httpx
import orjson
import pytest
from aio_pika.abc import AbstractChannel, AbstractQueue
from opentelemetry import propagate, trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from pydantic import SecretStr

from agent.notifier.consumer import run_notifier
from agent.notifier.settings import NotifierSettings
from backend.api.app import create_app
from backend.messaging.topology import (
    ACTION_REQUESTS_QUEUE,
    EVENTS_EXCHANGE,
    INCIDENT_NOTIFICATIONS_QUEUE,
    declare_topology,
)
from backend.outbox.publisher import EventPublisher
from backend.outbox.relay import OutboxRelay, RelayPolicy
from backend.settings import ApiSettings
from backend.tracing import instrument_fastapi
from runner.auto_remediation import auto_remediation_handler
from runner.guard import ActionGuard, GuardPolicy
from runner.process import run_runner
from runner.settings import RunnerSettings
from runner.simulator.server import SimulatorServer
from tests.integration.runner.simulator_fixtures import TOKEN, USER, start_simulator
from tests.support.slack_standin import SlackStandIn

pytestmark = pytest.mark.integration

DEADLINE_S = 30.0  # a loaded 2-core machine; polls, never sleeps for a fixed time
CHANNEL = "CINCIDENTS1"


def trace_of(traceparent: str) -> str:
    """The trace id of a W3C `traceparent` (version-traceid-spanid-flags)."""
    return traceparent.split("-")[1]


def parent_of(traceparent: str) -> str:
    return traceparent.split("-")[2]


def hex_trace(span: ReadableSpan) -> str:
    assert span.context is not None
    return format(span.context.trace_id, "032x")


def hex_span(span: ReadableSpan) -> str:
    assert span.context is not None
    return format(span.context.span_id, "016x")


@asynccontextmanager
async def running(*tasks: asyncio.Task[None], stop: asyncio.Event) -> AsyncIterator[None]:
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=DEADLINE_S)


@pytest.fixture
async def amqp(rabbitmq_url: str) -> AsyncIterator[AbstractChannel]:
    """The topology, the two service queues emptied of earlier tests' messages."""
    connection = await aio_pika.connect(rabbitmq_url)
    channel = await connection.channel()
    await declare_topology(channel)
    for name in (ACTION_REQUESTS_QUEUE, INCIDENT_NOTIFICATIONS_QUEUE):
        await (await channel.get_queue(name)).purge()
    yield channel
    await connection.close()


@pytest.fixture
async def events_queue(amqp: AbstractChannel) -> AbstractQueue:
    """An exclusive queue bound to every event on `events`."""
    queue = await amqp.declare_queue(f"test-tracing-{uuid.uuid4().hex}", exclusive=True)
    await queue.bind(await amqp.get_exchange(EVENTS_EXCHANGE), routing_key="#")
    return queue


@pytest.fixture
def simulator() -> Iterator[SimulatorServer]:
    server = start_simulator(build_seconds=0.0)
    yield server
    server.stop()


@pytest.fixture
async def pool(db_pool: asyncpg.Pool) -> asyncpg.Pool:
    async with db_pool.acquire() as conn:
        await conn.execute("TRUNCATE slack_messages")
    return db_pool


async def poll(probe: Any, what: str) -> Any:
    deadline = time.monotonic() + DEADLINE_S
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {DEADLINE_S}s: {what}")
        await asyncio.sleep(0.05)


async def read_events(queue: AbstractQueue, until: set[str]) -> dict[str, dict[str, Any]]:
    """The AMQP headers of each event type seen, until every type in `until` came."""
    headers: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + DEADLINE_S
    while not until <= headers.keys():
        if time.monotonic() > deadline:
            raise AssertionError(f"events seen: {sorted(headers)}")
        message = await queue.get(fail=False, timeout=1)
        if message is None:
            await asyncio.sleep(0.05)
            continue
        await message.ack()
        event_type = orjson.loads(message.body)["event_type"]
        headers.setdefault(event_type, dict(message.headers))
    return headers


def url_of(span: ReadableSpan) -> str:
    """The URL of an httpx client span (older or newer HTTP semantic conventions)."""
    attributes = span.attributes or {}
    return str(attributes.get("url.full") or attributes.get("http.url") or "")


def spans_named(spans: Sequence[ReadableSpan], name: str, kind: SpanKind) -> list[ReadableSpan]:
    found = [s for s in spans if s.name == name and s.kind is kind]
    assert found, (
        f"no {kind.name} span {name!r} among {sorted({(s.name, s.kind.name) for s in spans})}"
    )
    return found


@pytest.mark.usefixtures("traced_httpx")
async def test_one_trace_id_follows_a_log_to_incident_outbox_message_notifier_and_action(
    spans: InMemorySpanExporter,
    pool: asyncpg.Pool,
    database_url: str,
    rabbitmq_url: str,
    api_token: str,
    amqp: AbstractChannel,
    events_queue: AbstractQueue,
    simulator: SimulatorServer,
) -> None:
    settings = ApiSettings(
        database_url=database_url, rabbitmq_url=rabbitmq_url, api_token=api_token
    )
    guard = ActionGuard(GuardPolicy(cooldown_s=0))
    app = create_app(
        settings, pool=pool, handlers=[auto_remediation_handler(guard)], probe_broker=False
    )
    instrument_fastapi(app)
    runner_settings = RunnerSettings(
        database_url=database_url,
        rabbitmq_url=rabbitmq_url,
        jenkins_url=simulator.url,
        jenkins_user=USER,
        jenkins_api_token=SecretStr(TOKEN),
        runner_id=f"test-runner-{uuid.uuid4().hex[:8]}",
        runner_poll_interval_s=0.02,
        guard_cooldown_s=0.0,
    )
    stop = asyncio.Event()
    relay = OutboxRelay(
        pool,
        EventPublisher(rabbitmq_url, confirm_timeout_s=5),
        database_url=database_url,
        policy=RelayPolicy(poll_interval_s=0.1, reconnect_max_s=0.5),
    )
    log = {
        "@timestamp": datetime.now(UTC).isoformat(),
        "_index": "jenkins-logs",
        "_id": f"log-{uuid.uuid4().hex}",
        "level": "ERROR",
        "message": "Finished: FAILURE",
        "job_name": "api-gateway",
        "build_number": 2,
    }
    # The ingest consumer's POST, with the headers its instrumented httpx client sends.
    client_tracer = trace.get_tracer("ingest-consumer-stand-in")
    async with SlackStandIn() as slack:
        notifier_settings = NotifierSettings(
            slack_bot_token="xoxb-test-0000-notarealtoken",
            slack_api_url=slack.api_url,
            database_url=database_url,
            rabbitmq_url=rabbitmq_url,
            slack_channel_default=CHANNEL,
            notifier_requeue_delay_s=0.2,
        )
        tasks = (
            asyncio.create_task(relay.run(stop)),
            asyncio.create_task(run_runner(runner_settings, stop=stop)),
            asyncio.create_task(run_notifier(notifier_settings, stop=stop)),
        )
        async with (
            running(*tasks, stop=stop),
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://api.test",
                headers={"Authorization": f"Bearer {api_token}"},
            ) as api,
        ):
            # Not made current here: to the API the caller is another process.
            post = client_tracer.start_span("POST", kind=SpanKind.CLIENT)
            carrier: dict[str, str] = {}
            propagate.inject(carrier, context=trace.set_span_in_context(post))
            reply = await api.post("/api/logs/jenkins", json=[log], headers=carrier)
            post.end()
            assert reply.status_code == 200, reply.text
            incident_id = reply.json()["incidents"]["opened"][0]
            trace_id = format(post.get_span_context().trace_id, "032x")

            async def resolved() -> bool:
                status = await pool.fetchval(
                    "SELECT status FROM incidents WHERE id = $1", incident_id
                )
                return bool(status == "resolved")

            await poll(resolved, "incident resolved by the runner")
            await slack.wait_for(lambda: slack.top_level(CHANNEL), what="the incident card")
            amqp_headers = await read_events(
                events_queue, {"incident.detected", "action.requested", "action.succeeded"}
            )

    # The API continued the caller's trace; the incident and the action carry its id.
    server = spans_named(spans.get_finished_spans(), "POST /api/logs/jenkins", SpanKind.SERVER)[0]
    assert hex_trace(server) == trace_id
    assert server.parent is not None and server.parent.span_id == post.get_span_context().span_id
    incident = await pool.fetchrow("SELECT trace_id FROM incidents WHERE id = $1", incident_id)
    action = await pool.fetchrow(
        "SELECT trace_id, status FROM action_executions WHERE incident_id = $1", incident_id
    )
    assert incident is not None and incident["trace_id"] == trace_id
    assert action is not None and action["status"] == "succeeded"
    assert action["trace_id"] == trace_id

    # Every outbox row of this story, from the API and from the runner, kept the trace.
    rows = await pool.fetch("SELECT event_type, headers FROM outbox_events ORDER BY created_at")
    kinds = {r["event_type"] for r in rows}
    assert {
        "incident.detected",
        "action.requested",
        "action.succeeded",
        "incident.resolved",
    } <= kinds
    assert {trace_of(r["headers"]["traceparent"]) for r in rows} == {trace_id}

    # The relay published each inside a `publish` span in that trace; the message carries it.
    finished = spans.get_finished_spans()
    publishes = {hex_span(s): s for s in finished if s.kind is SpanKind.PRODUCER}
    for event_type, headers in amqp_headers.items():
        assert trace_of(headers["traceparent"]) == trace_id, event_type
        published_by = publishes[parent_of(headers["traceparent"])]
        assert published_by.name == f"publish {event_type}"
        assert hex_trace(published_by) == trace_id

    # The notifier and the runner continued it; the runner's Jenkins calls too.
    notified = spans_named(finished, f"process {INCIDENT_NOTIFICATIONS_QUEUE}", SpanKind.CONSUMER)
    handled = spans_named(finished, f"process {ACTION_REQUESTS_QUEUE}", SpanKind.CONSUMER)
    assert {hex_trace(s) for s in notified + handled} == {trace_id}
    for consumed in notified + handled:
        assert consumed.parent is not None
        assert format(consumed.parent.span_id, "016x") in publishes
    jenkins_calls = [
        s for s in finished if s.kind is SpanKind.CLIENT and url_of(s).startswith(simulator.url)
    ]
    in_trace = [s for s in jenkins_calls if hex_trace(s) == trace_id]
    assert [url_of(s) for s in in_trace if s.name == "POST"] == [
        f"{simulator.url}/job/api-gateway/buildWithParameters"
    ]
    # Outside it only the runner's health check at start, before any message came.
    outside = [url_of(s) for s in jenkins_calls if hex_trace(s) != trace_id]
    assert all(url.startswith(f"{simulator.url}/api/json") for url in outside), outside
