"""Conversations from Slack: a mention, a DM or `/devops` runs one agent turn in its thread.

While the agent works the message carries a reaction (or, for a slash command, a status
message that is updated at the end). A turn that stops at the approval interrupt shows an
approval card; a viewer's request for a change is declined instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg
import structlog

from agent.slack.approvals import request_refusal, view_for_interrupt
from agent.slack.blocks.approval_card import approval_card
from agent.slack.blocks.text import excerpt
from agent.slack.conversation import SlackConversation, Turn, actor_of, thread_key
from agent.slack.message_store import CardRef, SlackMessageStore
from agent.slack.roles import RoleDirectory
from agent.slack.surface import DONE, FAILED, WORKING, SlackSurface
from runner.guard import ActionGuard

log = structlog.get_logger(__name__)

SORRY = "Sorry, I could not finish that ({error}). Nothing was changed by this message."


@dataclass(frozen=True)
class ChatOpsDeps:
    """What the Slack side is built from (the composition root passes real or test parts)."""

    surface: SlackSurface
    pool: asyncpg.Pool
    conversation: SlackConversation
    roles: RoleDirectory
    guard: ActionGuard


class SlackChatOps:
    """Runs agent turns for Slack messages and shows their outcome in the thread."""

    def __init__(self, deps: ChatOpsDeps) -> None:
        self.deps = deps

    async def on_message(
        self, *, channel: str, user: str, text: str, ts: str, thread_ts: str | None
    ) -> None:
        """A mention or a direct message: answer in its thread."""
        surface = self.deps.surface
        root = thread_ts or ts
        await surface.react(channel, ts, WORKING)
        ok = await self.run_turn(channel=channel, root=root, user=user, text=text)
        await surface.react(channel, ts, DONE if ok else FAILED, remove=WORKING)

    async def on_command(self, *, channel: str, user: str, text: str) -> None:
        """`/devops <text>`: a status message opens the thread, and says when it is done."""
        surface = self.deps.surface
        asked = f"<@{user}> asked: {excerpt(text, 300)}"
        channel_id, root = await surface.post(
            channel, f"{asked}\n:hourglass_flowing_sand: working…"
        )
        ok = await self.run_turn(channel=channel_id, root=root, user=user, text=text)
        status = ":speech_balloon: answered in the thread" if ok else ":warning: failed"
        await surface.update(channel_id, root, f"{asked}\n{status}")

    async def run_turn(self, *, channel: str, root: str, user: str, text: str) -> bool:
        """One agent turn in the thread `root`; False when it failed (the person is told)."""
        key = thread_key(channel, root)
        actor = actor_of(user)
        log.info("slack.turn", thread=key, actor=actor)
        try:
            turn = await self.deps.conversation.ask(
                key=key, message=text, actor=actor, channel=f"slack:{channel}"
            )
            await self.deliver(turn, channel=channel, root=root, key=key, user=user)
        except Exception as error:  # the person gets one line; the log has the rest
            log.exception("slack.turn_failed", thread=key, actor=actor)
            await self.deps.surface.reply(channel, root, SORRY.format(error=type(error).__name__))
            return False
        return True

    async def deliver(self, turn: Turn, *, channel: str, root: str, key: str, user: str) -> None:
        """Show a turn's outcome: its answer, or an approval card (or a viewer's refusal)."""
        if turn.approval is None:
            await self.deps.surface.reply(channel, root, turn.answer or "Done.")
            return
        role = await self.deps.roles.role_of(user)
        refusal = request_refusal(role)
        if refusal is not None:
            # Close the interrupt so nothing waits on a request that may not be made.
            await self.deps.conversation.decide(
                key=key, approve=False, by=actor_of(user), requested_by=actor_of(user)
            )
            await self.deps.surface.reply(channel, root, refusal)
            return
        await self.post_approval_card(turn.approval, channel=channel, root=root, key=key)

    async def post_approval_card(
        self, request: dict[str, Any], *, channel: str, root: str, key: str
    ) -> None:
        view = view_for_interrupt(key, request, self.deps.guard)
        text, blocks = approval_card(view)
        ts = await self.deps.surface.reply(channel, root, text, blocks)
        async with self.deps.pool.acquire() as conn:
            await SlackMessageStore(conn).save(
                CardRef("approval", key, channel, ts, root, view.model_dump(mode="json"))
            )
        log.info("slack.approval_card", thread=key, tool=view.tool, two_person=view.two_person)


def mention_text(text: str, bot_user_id: str | None) -> str:
    """The message without the bot's own mention."""
    if bot_user_id:
        text = text.replace(f"<@{bot_user_id}>", " ")
    return " ".join(text.split())
