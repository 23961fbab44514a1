"""`runbooks notifier` settings: Slack access, a channel per severity, how it consumes."""

from __future__ import annotations

from pydantic import Field

from agent.slack.settings import SlackApiSettings
from backend.domain.statuses import Severity


class NotifierSettings(SlackApiSettings):
    """Where incident cards go (SLACK_CHANNEL_<SEVERITY>, else SLACK_CHANNEL_DEFAULT)."""

    slack_channel_default: str = Field(
        default="#incidents", description="Channel id or #name for cards of any severity."
    )
    slack_channel_critical: str | None = None
    slack_channel_high: str | None = None
    slack_channel_medium: str | None = None
    slack_channel_low: str | None = None
    notifier_prefetch: int = Field(default=8, ge=1, le=256)
    notifier_requeue_delay_s: float = Field(
        default=5.0, ge=0, description="Pause before a failed event goes back to the queue."
    )

    def channel_for(self, severity: Severity | str) -> str:
        """The channel configured for a severity, or the default one."""
        configured: str | None = getattr(self, f"slack_channel_{severity}", None)
        return configured or self.slack_channel_default
