"""The app factory uvicorn workers import: settings from the environment, logging, then the app."""

from __future__ import annotations

from fastapi import FastAPI

from backend.api.app import create_app
from backend.gc_tuning import settle_heap
from backend.observability import configure_logging
from backend.settings import ApiSettings, load_settings
from backend.tracing import instrument_fastapi, start_tracing
from runner.auto_remediation import remediation_handlers


def app_from_environment() -> FastAPI:
    """Build the API from its settings (one line and exit on a bad one)."""
    settings = load_settings(ApiSettings)
    configure_logging(settings.log_level, settings.log_format)
    # Per worker: each process exports its own spans. Tool reads call Jenkins over httpx.
    tracing = start_tracing("api", outgoing_http=True)
    app = create_app(settings, handlers=remediation_handlers())
    if tracing:  # untraced, requests skip the middleware entirely
        instrument_fastapi(app)
    settle_heap()
    return app
