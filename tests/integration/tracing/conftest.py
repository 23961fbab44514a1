"""An in-memory span exporter on the process's tracer provider, capturing only during a test.

OpenTelemetry's global provider can be set once per process, so it is set (or found)
once per session; the processor records spans only while a tracing test runs.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from backend.tracing import instrument_httpx


class CapturingProcessor(SimpleSpanProcessor):
    """Exports finished spans only while `capturing` is set."""

    def __init__(self, exporter: InMemorySpanExporter) -> None:
        super().__init__(exporter)
        self.capturing = False

    def on_end(self, span: ReadableSpan) -> None:
        if self.capturing:
            super().on_end(span)


@pytest.fixture(scope="session")
def _capture() -> tuple[CapturingProcessor, InMemorySpanExporter]:
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    exporter = InMemorySpanExporter()
    processor = CapturingProcessor(exporter)
    provider.add_span_processor(processor)
    return processor, exporter


@pytest.fixture
def spans(
    _capture: tuple[CapturingProcessor, InMemorySpanExporter],
) -> Iterator[InMemorySpanExporter]:
    """Spans finished during this test (`spans.get_finished_spans()`)."""
    processor, exporter = _capture
    exporter.clear()
    processor.capturing = True
    yield exporter
    processor.capturing = False
    exporter.clear()


@pytest.fixture
def traced_httpx() -> Iterator[None]:
    """httpx calls traced as in a service started with tracing on, for this test only."""
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    instrument_httpx()
    yield
    HTTPXClientInstrumentor().uninstrument()
