"""Tracing wiring without I/O: start-up, outbox rows, published and consumed message headers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from backend.outbox.publisher import event_properties
from backend.outbox.writer import OutboxWriter
from backend.repositories import DbConnection
from backend.repositories.outbox import ClaimedEvent
from backend.tracing import consuming, current_trace_id, start_tracing

# A provider of the test's own: the process-wide one is never set by these tests.
TRACER = TracerProvider().get_tracer("test")
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


class FakeMessage:
    """The fields of an aio-pika incoming message that `consuming` reads."""

    def __init__(self, headers: dict[str, Any]) -> None:
        self.headers = headers
        self.routing_key = "action.requested"
        self.message_id = "event-1"


def writer() -> OutboxWriter:
    return OutboxWriter(cast(DbConnection, None))  # `add` never touches the connection


def test_start_tracing_is_off_without_otel_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.delenv("OTEL_TRACES_EXPORTER", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env
    before = trace.get_tracer_provider()
    assert start_tracing("relay", outgoing_http=True) is False
    assert trace.get_tracer_provider() is before


def test_a_bad_exporter_stops_the_service_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "zipkin2")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stopped:
        start_tracing("runner")
    assert stopped.value.code == 2
    assert capsys.readouterr().err == (
        "runbooks: OTEL_TRACES_EXPORTER='zipkin2' is not one of otlp, console, none\n"
    )


def test_outbox_rows_outside_a_trace_carry_no_headers() -> None:
    outbox = writer()
    outbox.add("incident.detected", {"incident": {"id": 1}})
    assert outbox.pending[0].headers == {}
    assert current_trace_id() is None


def test_outbox_rows_keep_the_trace_they_were_written_in() -> None:
    outbox = writer()
    with TRACER.start_as_current_span("POST /api/logs/jenkins") as span:
        outbox.add("incident.detected", {"incident": {"id": 1}})
        outbox.add("action.requested", {"action": {"id": 2}}, headers={"x-origin": "rule"})
    trace_id = format(span.get_span_context().trace_id, "032x")
    detected, requested = outbox.pending
    assert detected.headers["traceparent"].split("-")[1] == trace_id
    assert requested.headers["traceparent"] == detected.headers["traceparent"]
    assert requested.headers["x-origin"] == "rule"  # a caller's own headers are kept


def claimed(headers: dict[str, Any]) -> ClaimedEvent:
    return ClaimedEvent(
        id=uuid.uuid4(),
        event_type="incident.detected",
        routing_key="incident.detected",
        body=b"{}",
        headers=headers,
        attempts=0,
        created_at=datetime.now(UTC),
    )


def test_a_message_carries_the_stored_headers_unless_given_the_publish_span_ones() -> None:
    event = claimed({"traceparent": TRACEPARENT})
    assert event_properties(event).headers == {"traceparent": TRACEPARENT}
    assert not event_properties(claimed({})).headers
    later = "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01"
    assert event_properties(event, {"traceparent": later}).headers == {"traceparent": later}


def test_consuming_continues_the_trace_of_the_message_headers() -> None:
    with consuming(FakeMessage({"traceparent": TRACEPARENT}), "action_requests"):  # type: ignore[arg-type]
        assert current_trace_id() == "0af7651916cd43dd8448eb211c80319c"
    assert current_trace_id() is None
