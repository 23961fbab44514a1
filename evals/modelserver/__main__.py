"""`python -m evals.modelserver setup|start|stop|status|run`: the CI model from the shell.

`start` prints the OpenAI-compatible base URL on stdout (logs go to stderr), so
`LLM_BASE_URL=$(python -m evals.modelserver start)` works; `run -- CMD` runs a
command with LLM_PROVIDER/LLM_BASE_URL/LLM_MODEL set and a server up meanwhile.
"""

from __future__ import annotations

import os
import subprocess
from typing import Annotated

import typer

from backend.observability import configure_logging
from backend.settings import load_settings
from evals.modelserver.catalogue import model_spec
from evals.modelserver.errors import ModelServerError
from evals.modelserver.install import ensure_server, ensure_weights
from evals.modelserver.process import SharedModelServer, launch, serve
from evals.settings import ModelServerSettings

app = typer.Typer(no_args_is_help=True, help="The local llama-server model used by the evals.")

ModelOption = Annotated[
    str | None, typer.Option("--model", help="Model key (default MODEL_SERVER_MODEL).")
]


def _settings(model: str | None) -> ModelServerSettings:
    configure_logging("INFO", "console")
    settings = load_settings(ModelServerSettings)
    chosen = settings.model_copy(update={"model": model}) if model else settings
    try:
        model_spec(chosen.model)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--model") from None
    return chosen


def _fail(error: ModelServerError) -> typer.Exit:
    typer.echo(f"model-server: {error}", err=True)
    return typer.Exit(1)


@app.command()
def setup(model: ModelOption = None) -> None:
    """Download, join and verify the model and the server build (idempotent)."""
    settings = _settings(model)
    try:
        ensure_server(settings.cache_dir)
        typer.echo(str(ensure_weights(model_spec(settings.model), settings.cache_dir)))
    except ModelServerError as error:
        raise _fail(error) from None


@app.command()
def start(model: ModelOption = None) -> None:
    """Start (or reuse) the shared server; print its base URL."""
    try:
        state = SharedModelServer(_settings(model)).start()
    except ModelServerError as error:
        raise _fail(error) from None
    typer.echo(state.base_url)


@app.command()
def stop(model: ModelOption = None) -> None:
    """Stop the shared server if it runs."""
    stopped = SharedModelServer(_settings(model)).stop()
    typer.echo("stopped" if stopped else "not running", err=True)


@app.command()
def status(model: ModelOption = None) -> None:
    """Print the base URL of the running shared server; exit 1 when none runs."""
    state = SharedModelServer(_settings(model)).status()
    if state is None:
        typer.echo("not running", err=True)
        raise typer.Exit(1)
    typer.echo(state.base_url)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def run(ctx: typer.Context, model: ModelOption = None) -> None:
    """Run a command with a server up and LLM_PROVIDER/LLM_BASE_URL/LLM_MODEL set."""
    if not ctx.args:
        raise typer.BadParameter("give the command after --")
    settings = _settings(model)
    try:
        with serve(settings) as state:
            env = dict(os.environ)
            env.update(LLM_PROVIDER="openai", LLM_BASE_URL=state.base_url, LLM_MODEL=state.model)
            code = subprocess.run(ctx.args, env=env, check=False).returncode
    except ModelServerError as error:
        raise _fail(error) from None
    raise typer.Exit(code)


@app.command()
def foreground(
    model: ModelOption = None,
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (0: a free one).")] = 0,
) -> None:
    """Run a private server in the foreground until stopped (what `runbooks up` supervises)."""
    settings = _settings(model)
    if port:
        settings = settings.model_copy(update={"port": port})
    try:
        process, state = launch(settings, detach=False)
    except ModelServerError as error:
        raise _fail(error) from None
    typer.echo(state.base_url)
    # The server is in our process group: a supervisor stopping the group stops it too.
    raise typer.Exit(process.wait())


if __name__ == "__main__":
    app()
