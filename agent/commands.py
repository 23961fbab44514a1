"""CLI commands of the agent: `runbooks chat`."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add the terminal chat to the `runbooks` CLI."""
    app.command("chat")(chat_command)


def chat_command(
    thread: Annotated[
        str | None, typer.Option("--thread", help="Resume this conversation thread.")
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--as", help="Your name as recorded (default: your login).")
    ] = None,
) -> None:
    """Talk to the agent in the terminal: see the plan, approve changes with y/n."""
    from agent.chat import run_chat
    from agent.settings import AgentSettings
    from backend.observability import configure_logging
    from backend.settings import load_settings

    settings = load_settings(AgentSettings)
    # The conversation owns the terminal and says itself what went wrong; logs only
    # errors there (all of them with LOG_LEVEL=DEBUG).
    level = "DEBUG" if settings.log_level == "DEBUG" else "ERROR"
    configure_logging(level, "console")
    run_chat(settings, thread=thread, actor=actor)
