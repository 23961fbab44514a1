"""CLI commands of this package: `runbooks runner` and `runbooks simulate jenkins`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer, simulate_app: typer.Typer) -> None:
    """Add the runner and the Jenkins simulator to the `runbooks` CLI."""
    app.command("runner")(runner_command)
    simulate_app.command("jenkins")(simulate_jenkins_command)


def runner_command() -> None:
    """Consume action requests and carry them out on Jenkins, guarded (RUNNER_*, GUARD_*, JENKINS_*)."""
    import asyncio

    from asyncpg import UndefinedTableError

    from backend.observability import configure_logging
    from backend.settings import load_settings
    from backend.tracing import start_tracing
    from runner.process import run_runner
    from runner.settings import RunnerSettings

    settings = load_settings(RunnerSettings)
    configure_logging(settings.log_level, settings.log_format)
    start_tracing("runner", outgoing_http=True)  # Jenkins calls join the action's trace
    try:
        asyncio.run(run_runner(settings))
    except UndefinedTableError:
        typer.echo("runbooks: the database has no schema yet; run `runbooks db upgrade`", err=True)
        raise typer.Exit(2) from None


def simulate_jenkins_command(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8081,
    config: Annotated[
        Path | None, typer.Option(help="YAML file of jobs (default: the shipped set).")
    ] = None,
    build_seconds: Annotated[
        float | None, typer.Option(help="How long new builds run.", min=0)
    ] = None,
    result: Annotated[
        str | None, typer.Option(help="Result of new builds: SUCCESS, FAILURE, UNSTABLE...")
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
) -> None:
    """Serve a Jenkins SIMULATOR (Jenkins's REST API and JSON) for demos and tests."""
    from backend.settings import load_settings
    from runner.settings import JenkinsSettings
    from runner.simulator.auth import Credentials
    from runner.simulator.config import SimulatorConfigError, load_simulator_config
    from runner.simulator.server import banner, serve_forever

    settings = load_settings(JenkinsSettings)
    try:
        loaded = load_simulator_config(config)
        overrides: dict[str, object] = {}
        if build_seconds is not None:
            overrides["build_seconds"] = build_seconds
        if result is not None:
            overrides["result"] = result.upper()
        loaded = type(loaded).model_validate(loaded.model_dump() | overrides)
    except SimulatorConfigError as error:
        typer.echo(f"runbooks: {error}", err=True)
        raise typer.Exit(2) from None
    except ValueError as error:  # a bad --result
        typer.echo(f"runbooks: invalid option: {error}", err=True)
        raise typer.Exit(2) from None
    token = settings.jenkins_api_token.get_secret_value() if settings.jenkins_api_token else None
    credentials = Credentials(settings.jenkins_user, token)
    typer.echo(banner(f"http://{host}:{port}", credentials, loaded), err=True)
    serve_forever(loaded, credentials, host=host, port=port)
