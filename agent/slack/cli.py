"""CLI commands of the Slack side: `runbooks slack` (the bot) and `runbooks notifier`."""

from __future__ import annotations

import asyncio

import typer


def register(app: typer.Typer) -> None:
    """Add the Slack bot and the incident notifier to the `runbooks` CLI."""
    app.command("slack")(slack_command)
    app.command("notifier")(notifier_command)


def slack_command() -> None:
    """Run the Slack bot: Socket Mode with SLACK_APP_TOKEN, or HTTP with SLACK_SIGNING_SECRET."""
    from agent.slack.runtime import run_slack_bot
    from agent.slack.settings import load_bot_settings
    from backend.observability import configure_logging
    from backend.tracing import start_tracing

    settings = load_bot_settings()
    configure_logging(settings.log_level, settings.log_format)
    start_tracing("slack", outgoing_http=True)
    asyncio.run(run_slack_bot(settings))


def notifier_command() -> None:
    """Post incident cards to Slack and keep them up to date (consumes incident_notifications)."""
    from agent.notifier.consumer import run_notifier
    from agent.notifier.settings import NotifierSettings
    from backend.observability import configure_logging
    from backend.settings import load_settings
    from backend.tracing import start_tracing

    settings = load_settings(NotifierSettings)
    configure_logging(settings.log_level, settings.log_format)
    start_tracing("notifier")
    asyncio.run(run_notifier(settings))
