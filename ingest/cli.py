"""`runbooks ingest publish|consume` and `runbooks simulate logs`: thin commands over ingest/."""

from __future__ import annotations

import asyncio
import sys
from enum import StrEnum
from typing import Annotated

import typer

ingest_app = typer.Typer(
    no_args_is_help=True, help="Elasticsearch -> RabbitMQ -> backend log ingestion."
)


class SimulationTarget(StrEnum):
    es = "es"
    api = "api"


def register(app: typer.Typer, simulate_app: typer.Typer) -> None:
    """Add `runbooks ingest ...` and `runbooks simulate logs`."""
    app.add_typer(ingest_app, name="ingest")
    simulate_app.command("logs")(simulate_logs)


def _fail(error: Exception) -> None:
    sys.stderr.write(f"runbooks: {error}\n")
    raise SystemExit(1) from None


@ingest_app.command("publish")
def publish() -> None:
    """Publish new Elasticsearch log documents to the `logs` exchange (ES_*, INGEST_MAPPING_FILE)."""
    from backend.observability import configure_logging
    from backend.settings import load_settings
    from backend.tracing import start_tracing
    from ingest.bootstrap import serve_publisher
    from ingest.mapping import MappingFileInvalid
    from ingest.search import SearchRefused
    from ingest.settings import PublisherSettings

    settings = load_settings(PublisherSettings)
    configure_logging(settings.log_level, settings.log_format)
    start_tracing("ingest-publisher")
    try:
        asyncio.run(serve_publisher(settings))
    except (SearchRefused, MappingFileInvalid) as error:
        _fail(error)


@ingest_app.command("consume")
def consume() -> None:
    """Post queued log records to the backend in batches (BACKEND_URL, API_TOKEN, CONSUME_*)."""
    from backend.observability import configure_logging
    from backend.settings import load_settings
    from backend.tracing import start_tracing
    from ingest.backend_client import BackendRejectedRequest
    from ingest.bootstrap import serve_consumer
    from ingest.settings import ConsumerSettings

    settings = load_settings(ConsumerSettings)
    configure_logging(settings.log_level, settings.log_format)
    start_tracing("ingest-consumer", outgoing_http=True)  # each POST starts a log's trace
    try:
        asyncio.run(serve_consumer(settings))
    except BackendRejectedRequest as error:
        _fail(error)


def simulate_logs(
    to: Annotated[
        SimulationTarget, typer.Option(help="Write to Elasticsearch or post to the API.")
    ],
    rate: Annotated[int, typer.Option(min=0, help="Ordinary log lines per second.")] = 50,
    duration: Annotated[int, typer.Option(min=1, help="Seconds to run.")] = 60,
    failure_every: Annotated[
        int, typer.Option(min=1, help="Seconds between failure scenarios (one per default rule).")
    ] = 10,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same logs).")] = 7,
) -> None:
    """Generate Jenkins pipeline and API access logs, with failures that trip every default rule."""
    from backend.observability import configure_logging
    from backend.settings import load_settings
    from ingest.backend_client import BackendRejectedRequest, BackendUnavailable, IngestClient
    from ingest.search import build_es_client
    from ingest.settings import BackendClientSettings, ElasticsearchSettings
    from ingest.simulator import LogScenario
    from ingest.simulator_sinks import ApiSink, ElasticsearchSink, LogSink, run_simulation

    scenario = LogScenario(rate=rate, seed=seed, failure_every_s=failure_every)

    async def simulate() -> int:
        sink: LogSink
        if to is SimulationTarget.es:
            es_settings = load_settings(ElasticsearchSettings)
            configure_logging(es_settings.log_level, es_settings.log_format)
            client = build_es_client(es_settings)
            try:
                return await run_simulation(
                    scenario, ElasticsearchSink(client), duration_s=duration
                )
            finally:
                await client.close()
        api_settings = load_settings(BackendClientSettings)
        configure_logging(api_settings.log_level, api_settings.log_format)
        http = IngestClient(api_settings.backend_url, api_settings.api_token.get_secret_value())
        sink = ApiSink(http)
        try:
            return await run_simulation(scenario, sink, duration_s=duration)
        finally:
            await http.close()

    try:
        written = asyncio.run(simulate())
    except (BackendRejectedRequest, BackendUnavailable) as error:
        _fail(error)
    typer.echo(f"simulated logs written: {written}")
