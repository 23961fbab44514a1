"""What Slack shows of an action: a tolerant snapshot of the action events' payload."""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from agent.slack.blocks.text import escape

TERMINAL_ACTION_STATUSES = frozenset({"succeeded", "failed", "rejected", "unknown"})

ACTION_STATUS_EMOJI = {
    "requested": ":hourglass_flowing_sand:",
    "awaiting_approval": ":raised_hand:",
    "approved": ":white_check_mark:",
    "running": ":gear:",
    "succeeded": ":large_green_circle:",
    "failed": ":x:",
    "rejected": ":no_entry_sign:",
    "unknown": ":grey_question:",
}


class ActionSnapshot(BaseModel):
    """An action as an event carried it; fields the card does not need are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: int
    # Events carry backend.services.action_models.ActionPublic (`action`, `job`, `build`);
    # the column names are accepted too.
    action_type: str = Field(validation_alias=AliasChoices("action", "action_type"))
    job_name: str = Field(validation_alias=AliasChoices("job", "job_name"))
    status: str
    build_number: int | None = Field(
        default=None, validation_alias=AliasChoices("build", "build_number")
    )
    target_build: int | None = None
    status_reason: str | None = None
    requested_by: str | None = None
    approved_by: str | None = None
    rejected_by: str | None = None
    incident_id: int | None = None
    dry_run: bool = False
    new_build_number: int | None = None
    new_build_url: str | None = None
    build_result: str | None = None
    plan: list[str] = Field(default_factory=list)
    """The Jenkins calls the action makes, in order (what will run)."""

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> ActionSnapshot | None:
        """The `action` object of an `action.*` event, or None when it has none."""
        action = payload.get("action")
        return cls.model_validate(action) if isinstance(action, dict) else None

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL_ACTION_STATUSES

    def title(self) -> str:
        """`restart deploy-prod #123`, `rollback api-gateway to #57` (escaped)."""
        job = escape(self.job_name)
        if self.action_type == "rollback" and self.target_build is not None:
            return f"rollback {job} to #{self.target_build}"
        build = f" #{self.build_number}" if self.build_number is not None else ""
        return f"{escape(self.action_type)} {job}{build}"

    def status_line(self) -> str:
        """One line: emoji, action #id, what, where it stands, and the new build or the reason."""
        emoji = ACTION_STATUS_EMOJI.get(self.status, ":grey_question:")
        line = f"{emoji} Action #{self.id} {self.title()}: *{escape(self.status)}*"
        if self.dry_run:
            line += " (dry run)"
        if self.new_build_number is not None:
            build = f"#{self.new_build_number}"
            if self.new_build_url:
                build = f"<{self.new_build_url}|{build}>"
            line += f", new build {build}"
            if self.build_result:
                line += f" ({escape(self.build_result)})"
        if self.status_reason:
            line += f": {escape(self.status_reason)}"
        return line
