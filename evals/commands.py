"""The evals' commands on the `runbooks` CLI."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add `runbooks eval`."""
    from evals.cli import eval_command

    app.command("eval")(eval_command)
