"""The Bolt app: thin listeners that ack, read the payload, and call ChatOps or the clicks.

Listeners run after the ack (`process_before_response=False`), so a slow agent turn never
makes Slack retry a delivery.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from agent.slack.blocks.approval_card import APPROVE, REJECT
from agent.slack.blocks.incident_card import INCIDENT_ACTIONS
from agent.slack.chatops import SlackChatOps, mention_text
from agent.slack.clicks import SlackClicks

SLASH_COMMAND = "/devops"
_INCIDENT_ACTION = re.compile("^(" + "|".join(INCIDENT_ACTIONS) + ")$")


def build_bolt_app(
    *,
    client: AsyncWebClient,
    chatops: SlackChatOps,
    clicks: SlackClicks,
    signing_secret: str | None,
) -> AsyncApp:
    """An AsyncApp on `client`; HTTP mode verifies signatures, Socket Mode needs none."""
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret,
        request_verification_enabled=signing_secret is not None,
        process_before_response=False,
        name="runbooks",
    )

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any], context: dict[str, Any]) -> None:
        await chatops.on_message(
            channel=event["channel"],
            user=event["user"],
            text=mention_text(event.get("text", ""), context.get("bot_user_id")),
            ts=event["ts"],
            thread_ts=event.get("thread_ts"),
        )

    @app.event("message")
    async def on_message(event: dict[str, Any], context: dict[str, Any]) -> None:
        # Direct messages only; channel talk reaches the bot as app_mention.
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        await chatops.on_message(
            channel=event["channel"],
            user=event["user"],
            text=mention_text(event.get("text", ""), context.get("bot_user_id")),
            ts=event["ts"],
            thread_ts=event.get("thread_ts"),
        )

    @app.command(SLASH_COMMAND)
    async def on_command(ack: AsyncAck, command: dict[str, Any]) -> None:
        text = command.get("text", "").strip()
        if not text:
            await ack(f"Usage: {SLASH_COMMAND} what incidents are open? | restart deploy-prod 123")
            return
        await ack()
        await chatops.on_command(channel=command["channel_id"], user=command["user_id"], text=text)

    @app.action(APPROVE)
    async def on_approve(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        await clicks.on_decision(
            channel=body["channel"]["id"],
            user=body["user"]["id"],
            value=action["value"],
            approve=True,
        )

    @app.action(REJECT)
    async def on_reject(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        await clicks.on_decision(
            channel=body["channel"]["id"],
            user=body["user"]["id"],
            value=action["value"],
            approve=False,
        )

    @app.action(_INCIDENT_ACTION)
    async def on_incident_button(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]
    ) -> None:
        await ack()
        await clicks.on_incident_button(
            channel=body["channel"]["id"],
            user=body["user"]["id"],
            message_ts=body["container"]["message_ts"],
            action_id=action["action_id"],
            value=action["value"],
        )

    return app
