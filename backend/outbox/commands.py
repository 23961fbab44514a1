"""`runbooks relay`: the outbox relay (and flatline timer) until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import sys

import typer

from backend.gc_tuning import settle_heap
from backend.observability import configure_logging
from backend.settings import RelaySettings, load_settings
from backend.tracing import start_tracing


def relay() -> None:
    """Publish committed outbox events to RabbitMQ; run the flatline checks."""
    import uvloop

    from backend.detection.engine import IncidentDetector
    from backend.detection.rules import RulesError, load_rules
    from backend.outbox.process import run_relay

    settings = load_settings(RelaySettings)
    configure_logging(settings.log_level, settings.log_format)
    start_tracing("relay")
    try:
        detector = IncidentDetector(load_rules(settings.rules_dir))
    except RulesError as error:
        sys.stderr.write(f"runbooks: {error}\n")
        raise SystemExit(2) from None
    uvloop.install()
    settle_heap()
    asyncio.run(run_relay(settings, detector=detector))


def register(app: typer.Typer) -> None:
    """Add `runbooks relay`."""
    app.command("relay")(relay)
