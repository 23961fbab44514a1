from __future__ import annotations

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from backend.tracing import (
    TracingSettings,
    attach_carrier,
    configure_tracing,
    current_carrier,
    current_trace_id,
    detach,
)


def test_tracing_is_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_TRACES_EXPORTER", raising=False)
    monkeypatch.chdir("/")
    assert configure_tracing("api", TracingSettings()) is False


def test_unknown_exporter_is_named() -> None:
    with pytest.raises(ValueError, match="OTEL_TRACES_EXPORTER='zipkin2'"):
        configure_tracing("api", TracingSettings(otel_traces_exporter="zipkin2"))


def test_trace_context_survives_a_round_trip_through_headers() -> None:
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("ingest") as span:
        carrier = current_carrier()
        trace_id = format(span.get_span_context().trace_id, "032x")
    assert carrier["traceparent"].split("-")[1] == trace_id
    assert current_trace_id() is None  # outside the span again

    token = attach_carrier(carrier)
    try:
        assert current_trace_id() == trace_id
        with tracer.start_as_current_span("consume") as child:
            assert format(child.get_span_context().trace_id, "032x") == trace_id
            assert trace.get_current_span() is child
    finally:
        detach(token)
