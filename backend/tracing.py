"""OpenTelemetry tracing, off by default, configured by the standard OTEL_* variables.

One trace follows a log record through the system: the HTTP request that stored it,
the incident, the outbox row (which keeps the W3C `traceparent` it was written under),
the AMQP message the relay publishes (headers), and the consumers (runner, notifier)
that continue it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

import structlog
from opentelemetry import context, propagate, trace
from opentelemetry.trace import Span, SpanKind
from opentelemetry.util.types import Attributes
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from aio_pika.abc import AbstractIncomingMessage


class TracingSettings(BaseSettings):
    """The standard OpenTelemetry variables this project honours."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    otel_traces_exporter: str = Field(default="none", description="otlp, console or none (default)")
    otel_service_name: str | None = None
    otel_exporter_otlp_endpoint: str | None = None


def configure_tracing(service: str, settings: TracingSettings | None = None) -> bool:
    """Install a tracer provider when an exporter is configured; True when tracing is on."""
    settings = settings or TracingSettings()
    exporter_name = settings.otel_traces_exporter.strip().lower()
    if exporter_name in ("", "none"):
        return False
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import (
        BatchSpanProcessor,
        ConsoleSpanExporter,
        SpanExporter,
    )

    exporter: SpanExporter
    if exporter_name == "console":
        exporter = ConsoleSpanExporter()
    elif exporter_name == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        # The exporter reads OTEL_EXPORTER_OTLP_* itself.
        exporter = OTLPSpanExporter()
    else:
        raise ValueError(
            f"OTEL_TRACES_EXPORTER={exporter_name!r} is not one of otlp, console, none"
        )
    provider = TracerProvider(
        resource=Resource.create(
            {SERVICE_NAME: settings.otel_service_name or f"runbooks-{service}"}
        )
    )
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    return True


def start_tracing(service: str, *, outgoing_http: bool = False) -> bool:
    """At a service process's start: tracing from OTEL_*, httpx calls traced if asked.

    True when tracing is on. A bad exporter name stops the process with one line.
    """
    from backend.settings import load_settings

    settings = load_settings(TracingSettings)
    try:
        enabled = configure_tracing(service, settings)
    except ValueError as error:
        sys.stderr.write(f"runbooks: {error}\n")
        raise SystemExit(2) from None
    if enabled:
        if outgoing_http:
            instrument_httpx()
        structlog.get_logger(__name__).info(
            "tracing.on", service=service, exporter=settings.otel_traces_exporter
        )
    return enabled


def instrument_httpx() -> None:
    """Trace outgoing httpx calls (Jenkins, the backend) and propagate the context."""
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    HTTPXClientInstrumentor().instrument()


def instrument_fastapi(app: Any) -> None:
    """Trace incoming requests of a FastAPI app."""
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, excluded_urls="health,metrics")


def current_carrier() -> dict[str, str]:
    """The current trace context as W3C headers (`traceparent`, `tracestate`), to store or send."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def current_trace_id() -> str | None:
    """The current trace id in hex, or None outside a recorded trace."""
    span_context = trace.get_current_span().get_span_context()
    return format(span_context.trace_id, "032x") if span_context.is_valid else None


def attach_carrier(headers: Mapping[str, Any] | None) -> object:
    """Continue the trace carried by message headers; returns a token for `detach`."""
    carrier = {k: str(v) for k, v in (headers or {}).items() if isinstance(k, str)}
    return context.attach(propagate.extract(carrier))


def detach(token: object) -> None:
    """Undo `attach_carrier`."""
    context.detach(token)  # type: ignore[arg-type]


@contextmanager
def continue_trace(
    name: str,
    carrier: Mapping[str, Any] | None,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: Attributes = None,
) -> Iterator[Span]:
    """A current span that continues the trace in `carrier` (message headers, an outbox row).

    Without a carrier the span starts a trace of its own. With tracing off the span
    records nothing and only carries the incoming context on.
    """
    token = attach_carrier(carrier)
    try:
        with tracer.start_as_current_span(name, kind=kind, attributes=attributes) as span:
            yield span
    finally:
        detach(token)


def consuming(message: AbstractIncomingMessage, queue: str) -> AbstractContextManager[Span]:
    """The span of handling one AMQP message from `queue`, in the trace its headers carry."""
    return continue_trace(
        f"process {queue}",
        message.headers,
        kind=SpanKind.CONSUMER,
        attributes={
            "messaging.system": "rabbitmq",
            "messaging.destination.name": queue,
            "messaging.rabbitmq.destination.routing_key": message.routing_key or "",
            "messaging.message.id": message.message_id or "",
        },
    )


tracer = trace.get_tracer("mcp-runbooks")
