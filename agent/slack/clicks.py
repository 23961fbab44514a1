"""Button clicks: Approve / Reject on approval cards, and the incident card's buttons.

Every click is checked against the clicker's role (and, to approve, the two-person rule)
before anything runs; a refused click gets an ephemeral reason. Changes go through the
same tools the agent uses, with the Slack user as the actor.
"""

from __future__ import annotations

import json
from typing import Any

import structlog

from agent.slack.approvals import action_status, decision_refusal, request_refusal
from agent.slack.blocks.approval_card import (
    ApprovalView,
    Decision,
    approval_card,
    parse_button_value,
)
from agent.slack.blocks.incident_card import ACK, RESOLVE, RESTART, ROLLBACK
from agent.slack.chatops import SORRY, SlackChatOps
from agent.slack.conversation import BackendFor, actor_of
from agent.slack.message_store import CardRef, SlackMessageStore

log = structlog.get_logger(__name__)

EXPIRED = "This request is no longer waiting for a decision (the thread moved on)."


class SlackClicks:
    """Handles clicks; `chatops` runs agent turns (Restart, Rollback) in the card's thread."""

    def __init__(self, chatops: SlackChatOps, backend_for: BackendFor) -> None:
        self.chatops = chatops
        self.deps = chatops.deps
        self.backend_for = backend_for

    async def on_decision(self, *, channel: str, user: str, value: str, approve: bool) -> None:
        """Approve or Reject on an approval card."""
        try:
            kind, key = parse_button_value(value)
        except ValueError:
            log.warning("slack.bad_button_value", user=user)
            return
        actor = actor_of(user)
        async with self.deps.pool.acquire() as conn, conn.transaction():
            store = SlackMessageStore(conn)
            await store.lock(kind, key)  # a double click waits, then sees the decision
            ref = await store.get(kind, key)
            if ref is None:
                await self.deps.surface.tell(channel, user, "I no longer know this card.")
                return
            view = ApprovalView.model_validate(ref.context)
            role = await self.deps.roles.role_of(user)
            refusal = decision_refusal(
                view, approve=approve, user_actor=actor, role=role, guard=self.deps.guard
            )
            if refusal is None and kind == "approval":
                refusal = await self._still_pending(view)
            if refusal is not None:
                log.info(
                    "slack.decision_refused", card=f"{kind}:{key}", actor=actor, reason=refusal
                )
                await self.deps.surface.tell(channel, user, refusal, thread_ts=ref.thread_ts)
                return
            if kind == "approval":
                await self._decide_interrupt(store, ref, view, approve=approve, actor=actor)
            else:
                await self._decide_action(store, ref, view, approve=approve, actor=actor, user=user)

    async def _still_pending(self, view: ApprovalView) -> str | None:
        pending = await self.deps.conversation.pending_approval(view.key)
        if pending is None or pending.get("tool") != view.tool or pending.get("args") != view.args:
            return EXPIRED
        return None

    async def _redraw(self, store: SlackMessageStore, ref: CardRef, view: ApprovalView) -> None:
        text, blocks = approval_card(view)
        await self.deps.surface.update(ref.channel, ref.ts, text, blocks)
        await store.set_context(ref.kind, ref.entity_id, view.model_dump(mode="json"))

    async def _decide_interrupt(
        self,
        store: SlackMessageStore,
        ref: CardRef,
        view: ApprovalView,
        *,
        approve: bool,
        actor: str,
    ) -> None:
        view = view.model_copy(update={"decision": Decision(approved=approve, by=actor)})
        await self._redraw(store, ref, view)
        root = ref.thread_ts or ref.ts
        try:
            turn = await self.deps.conversation.decide(
                key=view.key, approve=approve, by=actor, requested_by=view.requested_by
            )
        except Exception as error:  # the card says who decided; the thread says it failed
            log.exception("slack.decision_failed", thread=view.key, actor=actor)
            await self.deps.surface.reply(
                ref.channel, root, SORRY.format(error=type(error).__name__)
            )
            return
        for done in turn.results:
            action_id, status = action_status(done.get("result", {}))
            if action_id is None or done.get("tool") not in (
                "request_jenkins_restart",
                "request_jenkins_rollback",
                "request_jenkins_stop",
            ):
                continue
            # The action's events now redraw this card (the notifier looks cards up by action id);
            # the lock makes the notifier wait until this reference is committed.
            await store.lock("action", str(action_id))
            await store.save(
                CardRef(
                    "action",
                    str(action_id),
                    ref.channel,
                    ref.ts,
                    ref.thread_ts,
                    view.model_dump(mode="json"),
                )
            )
            if status == "approval_required":
                # The approver decided on the card already: record it on the runner's action,
                # where the two-person rule is enforced once more.
                result = await self.backend_for(actor).call_tool(
                    "approve_action", {"action_id": action_id}
                )
                if result.get("status") not in ("ok", "no_data"):
                    await self.deps.surface.reply(
                        ref.channel,
                        root,
                        f"Action #{action_id} was not approved: {result.get('summary')}",
                    )
        if turn.answer:
            await self.deps.surface.reply(ref.channel, root, turn.answer)

    async def _decide_action(
        self,
        store: SlackMessageStore,
        ref: CardRef,
        view: ApprovalView,
        *,
        approve: bool,
        actor: str,
        user: str,
    ) -> None:
        tool = "approve_action" if approve else "reject_action"
        result = await self.backend_for(actor).call_tool(tool, {"action_id": int(view.key)})
        if result.get("status") not in ("ok", "no_data"):
            await self.deps.surface.tell(
                ref.channel, user, str(result.get("summary") or "refused"), thread_ts=ref.thread_ts
            )
            return
        await self._redraw(
            store, ref, view.model_copy(update={"decision": Decision(approved=approve, by=actor)})
        )

    async def on_incident_button(
        self, *, channel: str, user: str, message_ts: str, action_id: str, value: str
    ) -> None:
        """Acknowledge, Resolve, Restart build, Rollback… on an incident card."""
        try:
            target: dict[str, Any] = json.loads(value)
            incident_id = int(target["incident_id"])
        except (ValueError, KeyError, TypeError):
            log.warning("slack.bad_button_value", user=user, action_id=action_id)
            return
        refusal = request_refusal(await self.deps.roles.role_of(user))
        if refusal is not None:
            await self.deps.surface.tell(channel, user, refusal, thread_ts=message_ts)
            return
        actor = actor_of(user)
        if action_id in (ACK, RESOLVE):
            tool, args = (
                ("acknowledge_incident", {"incident_id": incident_id})
                if action_id == ACK
                else (
                    "resolve_incident",
                    {"incident_id": incident_id, "notes": "resolved from Slack"},
                )
            )
            result = await self.backend_for(actor).call_tool(tool, args)
            # The card itself is redrawn by the notifier from the incident's event.
            if result.get("status") not in ("ok", "no_data"):
                await self.deps.surface.tell(
                    channel, user, str(result.get("summary")), thread_ts=message_ts
                )
            return
        job = target.get("job")
        if action_id == RESTART and job and target.get("build") is not None:
            text = f"restart {job} {target['build']}"
        elif action_id == ROLLBACK and job:
            text = f"rollback {job}"
        else:
            return
        # An explicit command (no model) in the card's thread: it asks for approval there.
        await self.chatops.run_turn(channel=channel, root=message_ts, user=user, text=text)
