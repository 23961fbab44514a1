"""`runbooks api`: uvicorn with `API_WORKERS` workers on uvloop."""

from __future__ import annotations

import os
import sys
import tempfile
from typing import Annotated

import typer

from backend.observability import configure_logging
from backend.settings import ApiSettings, load_settings


def api(
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default API_WORKERS).", min=1)
    ] = None,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = True,
) -> None:
    """Serve the REST API (OpenAPI at /docs)."""
    import uvicorn

    from backend.detection.rules import RulesError, load_rules

    settings = load_settings(ApiSettings)
    configure_logging(settings.log_level, settings.log_format)
    try:
        load_rules(settings.rules_dir)  # a bad rule file stops us here, once, not per worker
    except RulesError as error:
        sys.stderr.write(f"runbooks: {error}\n")
        raise SystemExit(2) from None
    count = workers or settings.api_workers
    if count > 1 and settings.prometheus_multiproc_dir is None:
        # prometheus-client reads this variable itself in each worker; the settings
        # class reads it back, so /metrics sums every worker's counters.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="runbooks-metrics-")
    uvicorn.run(
        "backend.api.main:app_from_environment",
        factory=True,
        host=settings.api_host,
        port=settings.api_port,
        workers=count,
        loop="uvloop",
        http="httptools",
        log_config=None,
        access_log=access_log,
        server_header=False,
        # A worker imports the whole app before answering health checks: on a busy
        # 2-core host that can exceed uvicorn's 5 s default and end in a restart loop.
        timeout_worker_healthcheck=60,
    )


def register(app: typer.Typer) -> None:
    """Add `runbooks api`."""
    app.command("api")(api)
