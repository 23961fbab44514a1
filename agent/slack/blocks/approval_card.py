"""The approval card: what will run, the guard's verdict, a dry-run preview; Approve / Reject.

The same card serves the agent's approval interrupt (kind `approval`, keyed by the
Slack thread) and a runner action awaiting a person (kind `action`, keyed by action id).
Its state is an `ApprovalView`, stored with the card so any process can redraw it.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.slack.blocks.text import button, context, escape, excerpt, section, who
from agent.slack.views import ActionSnapshot

APPROVE = "approval_approve"
REJECT = "approval_reject"
APPROVAL_ACTIONS = (APPROVE, REJECT)


class Decision(BaseModel):
    model_config = ConfigDict(frozen=True)

    approved: bool
    by: str
    reason: str | None = None


class ApprovalView(BaseModel):
    """Everything the card shows; JSON-serialisable so it is kept with the card's reference."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["approval", "action"]
    key: str
    """The thread key (kind `approval`) or the action id (kind `action`)."""
    will_run: str
    requested_by: str
    tool: str | None = None
    args: dict[str, Any] = Field(default_factory=dict)
    guard: str | None = None
    """The guard's verdict, in words (e.g. "needs a second person: production job")."""
    preview: str | None = None
    """What a dry run says would be called."""
    two_person: bool = False
    """True when the requester may not approve it themselves."""
    decision: Decision | None = None
    action: ActionSnapshot | None = None

    @property
    def open(self) -> bool:
        """Still waiting for a person: undecided here, and not decided elsewhere (REST, MCP)."""
        waiting = self.action is None or self.action.status in ("requested", "awaiting_approval")
        return self.decision is None and waiting


def button_value(view: ApprovalView) -> str:
    return json.dumps({"kind": view.kind, "key": view.key}, separators=(",", ":"))


def parse_button_value(value: str) -> tuple[Literal["approval", "action"], str]:
    """The (kind, key) a click carries; ValueError for anything else."""
    decoded = json.loads(value)
    kind, key = decoded.get("kind"), decoded.get("key")
    if kind not in ("approval", "action") or not isinstance(key, str) or not key:
        raise ValueError("not an approval button value")
    return kind, key


def approval_card(view: ApprovalView) -> tuple[str, list[dict[str, Any]]]:
    """Fallback text and blocks for the approval as it stands."""
    title = "Approval needed" if view.decision is None else "Approval"
    if view.kind == "action":
        title += f" · action #{escape(view.key)}"
    blocks: list[dict[str, Any]] = [
        section(f":raised_hand: *{title}*: requested by {who(view.requested_by)}"),
        section(f"*Will run*\n```{excerpt(view.will_run, 1200)}```"),
    ]
    if view.guard:
        blocks.append(section(f":shield: *Guard*: {escape(view.guard)}"))
    if view.preview:
        blocks.append(section(f":mag: *Dry run*\n```{excerpt(view.preview, 900)}```"))
    if view.two_person:
        blocks.append(context("Two-person rule: someone other than the requester must approve."))
    if view.decision is not None:
        verb = "Approved" if view.decision.approved else "Rejected"
        emoji = ":white_check_mark:" if view.decision.approved else ":no_entry_sign:"
        line = f"{emoji} *{verb}* by {who(view.decision.by)}"
        if view.decision.reason:
            line += f": {escape(view.decision.reason)}"
        blocks.append(section(line))
    if view.action is not None:
        blocks.append(section(view.action.status_line()))
    if view.open:
        value = button_value(view)
        blocks.append(
            {
                "type": "actions",
                "block_id": f"approval:{view.kind}:{view.key}",
                "elements": [
                    button("Approve", APPROVE, value, style="primary"),
                    button("Reject", REJECT, value, style="danger"),
                ],
            }
        )
    text = f"{title}: {view.will_run}"
    if view.decision is not None:
        text += f" ({'approved' if view.decision.approved else 'rejected'} by {view.decision.by})"
    return text, blocks
