"""`runbooks`: one CLI, a subcommand per deployable."""

from __future__ import annotations

import asyncio

import typer

from backend.observability import configure_logging
from backend.settings import CommonSettings, load_settings

app = typer.Typer(no_args_is_help=True, help="MCP Runbooks: monitoring and guarded remediation.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
simulate_app = typer.Typer(no_args_is_help=True, help="Simulators for demos and tests.")
app.add_typer(db_app, name="db")
app.add_typer(simulate_app, name="simulate")


def _register_packages() -> None:
    """Each package adds its own commands."""
    from agent.commands import register as register_agent
    from agent.slack.cli import register as register_slack
    from backend.api.commands import register as register_api
    from backend.outbox.commands import register as register_relay
    from evals.commands import register as register_evals
    from ingest.cli import register as register_ingest
    from runner.cli import register as register_runner
    from tools.commands import register as register_tools

    register_agent(app)
    register_api(app)
    register_evals(app)
    register_ingest(app, simulate_app)
    register_relay(app)
    register_runner(app, simulate_app)
    register_slack(app)
    register_tools(app)


_register_packages()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the database if needed and apply pending migrations."""
    from backend.db.migrate import upgrade

    settings = load_settings(CommonSettings)
    configure_logging(settings.log_level, settings.log_format)
    applied = asyncio.run(upgrade(settings.database_url))
    typer.echo(
        f"migrations applied: {len(applied)}" + (f" ({', '.join(applied)})" if applied else "")
    )


def main() -> None:
    """Entry point of the `runbooks` script."""
    app()


@app.command("up")
def up() -> None:
    """Run the whole system as one supervised process group (embedded defaults where unset)."""
    from backend.up import run_up
    from backend.up_plan import UpSettings

    settings = load_settings(UpSettings)
    configure_logging(settings.log_level, settings.log_format)
    asyncio.run(run_up(settings))


@app.command("demo")
def demo() -> None:
    """Play a failed deploy through the running system: detect, ask the agent, approve, resolve."""
    from agent.demo import DemoFailed, DemoSettings, run_demo
    from runner.settings import JenkinsSettings

    settings = load_settings(DemoSettings)
    configure_logging("WARNING", settings.log_format)
    try:
        asyncio.run(run_demo(settings, load_settings(JenkinsSettings)))
    except DemoFailed as failed:
        typer.echo(f"demo failed: {failed}", err=True)
        raise typer.Exit(1) from None
    typer.echo("demo passed")
