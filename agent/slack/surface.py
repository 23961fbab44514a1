"""What the bot does on Slack: reply in a thread, react, tell one person privately, draw cards."""

from __future__ import annotations

from typing import Any

import structlog
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = structlog.get_logger(__name__)

WORKING = "eyes"
DONE = "white_check_mark"
FAILED = "warning"


class SlackSurface:
    """Thin calls on the Web API client; reactions are best effort, messages are not."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def reply(
        self, channel: str, thread_ts: str, text: str, blocks: list[dict[str, Any]] | None = None
    ) -> str:
        """Post in a thread; return the new message's ts."""
        response = await self.client.chat_postMessage(
            channel=channel, thread_ts=thread_ts, text=text, blocks=blocks, unfurl_links=False
        )
        return str(response["ts"])

    async def post(self, channel: str, text: str) -> tuple[str, str]:
        """Post at the top of a channel; return (channel id, ts)."""
        response = await self.client.chat_postMessage(channel=channel, text=text)
        return str(response["channel"]), str(response["ts"])

    async def update(
        self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]] | None = None
    ) -> None:
        await self.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)

    async def tell(self, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
        """An ephemeral message only `user` sees."""
        await self.client.chat_postEphemeral(
            channel=channel, user=user, text=text, thread_ts=thread_ts
        )

    async def react(self, channel: str, ts: str, name: str, *, remove: str | None = None) -> None:
        """Add a reaction (and take another off); a failure is logged, never raised."""
        try:
            if remove is not None:
                await self.client.reactions_remove(channel=channel, timestamp=ts, name=remove)
            await self.client.reactions_add(channel=channel, timestamp=ts, name=name)
        except SlackApiError as error:
            log.info("slack.reaction_failed", name=name, error=error.response.get("error"))
