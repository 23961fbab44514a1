"""Slack settings: tokens (checked for their kind), the Web API address, roles and the HTTP listener."""

from __future__ import annotations

import sys
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from agent.slack.roles import Role, parse_roles
from backend.settings import CommonSettings, load_settings, refuse_placeholder

# Slack's token prefixes: bot tokens act in channels, app-level tokens open Socket Mode.
BOT_TOKEN_PREFIX = "xoxb-"
APP_TOKEN_PREFIX = "xapp-"
TOKEN_KINDS = {BOT_TOKEN_PREFIX: "a bot token", APP_TOKEN_PREFIX: "an app-level token"}


def token_of_kind(value: SecretStr, prefix: str) -> SecretStr:
    """Accept a token only when it has the expected prefix; the error names what was given."""
    token = value.get_secret_value().strip()
    if token.startswith(prefix):
        return SecretStr(token)
    given = next((kind for p, kind in TOKEN_KINDS.items() if token.startswith(p)), None)
    wanted = f"{TOKEN_KINDS[prefix]} ({prefix}…)"
    if given is not None:
        raise ValueError(f"is {given}; it must be {wanted}")
    raise ValueError(f"must be {wanted}")


class SlackApiSettings(CommonSettings):
    """What every Slack-facing service needs: the bot token and where the Web API is."""

    slack_bot_token: SecretStr = Field(description="Bot User OAuth Token (xoxb-…).")
    slack_api_url: str = Field(
        default="https://slack.com/api/", description="Slack Web API base URL (tests: a stand-in)."
    )
    slack_rate_limit_retries: int = Field(
        default=5, ge=0, le=50, description="Retries of one call answered 429, after Retry-After."
    )
    slack_timeout_s: int = Field(default=30, ge=1, le=300)

    _bot_placeholder = field_validator("slack_bot_token")(refuse_placeholder)

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_kind(cls, value: SecretStr) -> SecretStr:
        return token_of_kind(value, BOT_TOKEN_PREFIX)

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL")
        return value if value.endswith("/") else value + "/"


SlackMode = Literal["auto", "socket", "http"]


class SlackBotSettings(SlackApiSettings):
    """`runbooks slack`: Socket Mode with SLACK_APP_TOKEN, or HTTP with SLACK_SIGNING_SECRET."""

    slack_app_token: SecretStr | None = Field(
        default=None, description="App-level token (xapp-…) with connections:write, Socket Mode."
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None, description="Signing secret of the app, HTTP mode."
    )
    slack_mode: SlackMode = Field(
        default="auto", description="auto: Socket Mode when SLACK_APP_TOKEN is set, else HTTP."
    )
    slack_http_host: str = "127.0.0.1"
    slack_http_port: int = Field(default=3002, ge=0, le=65535)
    slack_http_path: str = "/slack/events"
    slack_roles: Annotated[dict[str, Role], NoDecode] = Field(
        default_factory=dict,
        description="User or user-group id -> viewer|operator|approver (JSON or U1=approver,S2=operator).",
    )
    slack_roles_cache_s: float = Field(default=60.0, ge=0)

    _app_placeholder = field_validator("slack_app_token", "slack_signing_secret")(
        refuse_placeholder
    )

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_kind(cls, value: SecretStr | None) -> SecretStr | None:
        return None if value is None else token_of_kind(value, APP_TOKEN_PREFIX)

    @field_validator("slack_roles", mode="before")
    @classmethod
    def _roles(cls, value: Any) -> dict[str, Role]:
        return parse_roles(value)

    @property
    def resolved_mode(self) -> Literal["socket", "http"]:
        """The mode this process runs in."""
        if self.slack_mode != "auto":
            return self.slack_mode
        return "socket" if self.slack_app_token is not None else "http"

    def missing_setting(self) -> str | None:
        """The one line to stop with when the chosen mode lacks its credential, else None."""
        mode = self.resolved_mode
        if mode == "socket" and self.slack_app_token is None:
            return "setting SLACK_APP_TOKEN is required for Socket Mode but not set"
        if mode == "http" and self.slack_signing_secret is None:
            if self.slack_mode == "auto":
                return (
                    "setting SLACK_APP_TOKEN is required but not set (Socket Mode);"
                    " or set SLACK_SIGNING_SECRET for HTTP mode"
                )
            return "setting SLACK_SIGNING_SECRET is required for HTTP mode but not set"
        return None


def load_bot_settings() -> SlackBotSettings:
    """Bot settings, or stop with one line naming the missing or wrong setting."""
    settings = load_settings(SlackBotSettings)
    problem = settings.missing_setting()
    if problem is not None:
        sys.stderr.write(f"runbooks: {problem}\n")
        raise SystemExit(2)
    return settings
