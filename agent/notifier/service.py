"""IncidentNotifier: turns incident and action events into Slack cards, updated in place.

Each event is handled in one transaction that holds an advisory lock on the card, checks
and records the event id (`processed_messages`), and stores the card's channel and ts.
A Slack failure rolls it all back, so the redelivered event finds the card where the
last successful attempt left it: it updates, it does not post twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import asyncpg
import structlog
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from agent.notifier.events import NotificationEvent
from agent.notifier.processed import ProcessedMessages
from agent.notifier.settings import NotifierSettings
from agent.slack.blocks.approval_card import ApprovalView, approval_card
from agent.slack.blocks.incident_card import incident_card
from agent.slack.message_store import CardRef, SlackMessageStore
from agent.slack.views import ActionSnapshot
from backend.domain.errors import IncidentNotFound, InvalidTransition
from backend.services import incidents
from backend.services.incident_models import IncidentPublic

log = structlog.get_logger(__name__)

CONSUMER = "slack-notifier"
NOTIFIER_ACTOR = "slack-notifier"
# Action results worth a line in the card's thread (others only redraw the card).
THREAD_STATUSES = frozenset(
    {"awaiting_approval", "running", "succeeded", "failed", "rejected", "unknown"}
)


class Outcome(StrEnum):
    POSTED = "posted"
    UPDATED = "updated"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"


@dataclass(frozen=True)
class ChannelRouting:
    """Severity -> channel, from the settings."""

    settings: NotifierSettings

    def channel_for(self, incident: IncidentPublic) -> str:
        return self.settings.channel_for(incident.severity)


class IncidentNotifier:
    """Handles one event at a time; safe to run several, and to see an event twice."""

    def __init__(self, pool: asyncpg.Pool, slack: AsyncWebClient, routing: ChannelRouting) -> None:
        self._pool = pool
        self._slack = slack
        self._routing = routing

    async def handle(self, event: NotificationEvent) -> Outcome:
        """Post or update the cards this event concerns."""
        if event.event_type == "incident.notified":
            return Outcome.IGNORED  # our own echo: the card already says it all
        async with self._pool.acquire() as conn, conn.transaction():
            store = SlackMessageStore(conn)
            processed = ProcessedMessages(conn, CONSUMER)
            # Lock order: incident card, then action card; every path takes them this way.
            if event.incident_id is not None:
                await store.lock("incident", str(event.incident_id))
            if event.action is not None:
                await store.lock("action", str(event.action.id))
            if await processed.seen(event.event_id):
                return Outcome.DUPLICATE
            if event.is_action and event.action is not None:
                outcome = await self._on_action(store, event.action)
            else:
                assert event.incident_id is not None
                outcome = await self._on_incident(store, event.incident_id)
            await processed.mark(event.event_id)
        if outcome is Outcome.POSTED and event.is_incident and event.incident_id is not None:
            await self._mark_notified(event.incident_id)
        log.info(
            "notifier.event_handled",
            event_id=event.event_id,
            event_type=event.event_type,
            incident_id=event.incident_id,
            action_id=event.action.id if event.action else None,
            outcome=str(outcome),
        )
        return outcome

    async def _incident(self, incident_id: int) -> IncidentPublic | None:
        try:
            return await incidents.get(self._pool, incident_id=incident_id)
        except IncidentNotFound:
            log.warning("notifier.incident_missing", incident_id=incident_id)
            return None

    async def _on_incident(self, store: SlackMessageStore, incident_id: int) -> Outcome:
        # The card shows the incident as it is now, so late or repeated events never regress it.
        incident = await self._incident(incident_id)
        if incident is None:
            return Outcome.IGNORED
        ref = await store.get("incident", str(incident_id))
        action = _action_of(ref)
        text, blocks = incident_card(incident, action=action)
        if ref is None:
            channel = self._routing.channel_for(incident)
            response = await self._slack.chat_postMessage(
                channel=channel, text=text, blocks=blocks, unfurl_links=False
            )
            await store.save(
                CardRef("incident", str(incident_id), str(response["channel"]), str(response["ts"]))
            )
            return Outcome.POSTED
        try:
            await self._slack.chat_update(channel=ref.channel, ts=ref.ts, text=text, blocks=blocks)
        except SlackApiError as error:
            if error.response.get("error") != "message_not_found":
                raise
            # Someone deleted the card: post it again rather than lose every later update.
            response = await self._slack.chat_postMessage(
                channel=ref.channel, text=text, blocks=blocks, unfurl_links=False
            )
            await store.save(
                CardRef(
                    "incident", ref.entity_id, ref.channel, str(response["ts"]), None, ref.context
                )
            )
            return Outcome.POSTED
        return Outcome.UPDATED

    async def _on_action(self, store: SlackMessageStore, action: ActionSnapshot) -> Outcome:
        outcome = Outcome.IGNORED
        if action.incident_id is not None:
            outcome = await self._action_on_incident_card(store, action) or outcome
        approval = await store.get("action", str(action.id))
        if approval is None and needs_a_card(action):
            return await self._post_action_approval(store, action)
        if approval is not None:
            view = ApprovalView.model_validate(approval.context).model_copy(
                update={"action": action}
            )
            text, blocks = approval_card(view)
            await self._slack.chat_update(
                channel=approval.channel, ts=approval.ts, text=text, blocks=blocks
            )
            await store.set_context("action", str(action.id), view.model_dump(mode="json"))
            if action.status in THREAD_STATUSES and action.status != "awaiting_approval":
                await self._slack.chat_postMessage(
                    channel=approval.channel,
                    thread_ts=approval.thread_ts or approval.ts,
                    text=action.status_line(),
                )
            outcome = Outcome.UPDATED
        return outcome

    async def _post_action_approval(
        self, store: SlackMessageStore, action: ActionSnapshot
    ) -> Outcome:
        """An action waiting for a person that no Slack thread asked for: card in the incident's thread."""
        view = ApprovalView(
            kind="action",
            key=str(action.id),
            will_run="\n".join(action.plan) or action.title(),
            requested_by=action.requested_by or "automation",
            guard=action.status_reason,
            two_person=True,
            action=action,
        )
        incident = (
            await store.get("incident", str(action.incident_id))
            if action.incident_id is not None
            else None
        )
        channel = incident.channel if incident else self._routing.settings.slack_channel_default
        thread_ts = incident.ts if incident else None
        text, blocks = approval_card(view)
        response = await self._slack.chat_postMessage(
            channel=channel, thread_ts=thread_ts, text=text, blocks=blocks, unfurl_links=False
        )
        await store.save(
            CardRef(
                "action",
                str(action.id),
                str(response["channel"]),
                str(response["ts"]),
                thread_ts,
                view.model_dump(mode="json"),
            )
        )
        return Outcome.POSTED

    async def _action_on_incident_card(
        self, store: SlackMessageStore, action: ActionSnapshot
    ) -> Outcome | None:
        assert action.incident_id is not None
        ref = await store.get("incident", str(action.incident_id))
        if ref is None:
            return None  # no card yet: the incident's own event will draw it with this action
        incident = await self._incident(action.incident_id)
        if incident is None:
            return None
        shown = latest_action(_action_of(ref), action)
        context = {**ref.context, "action": shown.model_dump(mode="json")}
        await store.set_context("incident", ref.entity_id, context)
        text, blocks = incident_card(incident, action=shown)
        await self._slack.chat_update(channel=ref.channel, ts=ref.ts, text=text, blocks=blocks)
        if action.status in THREAD_STATUSES:
            await self._slack.chat_postMessage(
                channel=ref.channel, thread_ts=ref.ts, text=action.status_line()
            )
        return Outcome.UPDATED

    async def _mark_notified(self, incident_id: int) -> None:
        try:
            await incidents.mark_notified(self._pool, incident_id=incident_id, actor=NOTIFIER_ACTOR)
        except InvalidTransition:
            pass  # already acknowledged or further along: nothing to record
        except IncidentNotFound:
            log.warning("notifier.incident_missing", incident_id=incident_id)


def needs_a_card(action: ActionSnapshot) -> bool:
    """An action awaiting approval that was not asked for in Slack (where its card already is)."""
    requested_in_slack = (action.requested_by or "").startswith("slack:")
    return action.status == "awaiting_approval" and not requested_in_slack


def latest_action(shown: ActionSnapshot | None, incoming: ActionSnapshot) -> ActionSnapshot:
    """The action the card should show: a late event never turns a finished action back."""
    if shown is not None and shown.id == incoming.id and shown.terminal and not incoming.terminal:
        return shown
    return incoming


def _action_of(ref: CardRef | None) -> ActionSnapshot | None:
    if ref is None or not isinstance(ref.context.get("action"), dict):
        return None
    return ActionSnapshot.model_validate(ref.context["action"])
