"""Settings of the runner, its Jenkins client, the guard's policy and the Jenkins simulator."""

from __future__ import annotations

import json
import socket
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from backend.settings import CommonSettings, refuse_placeholder

# Lists read from the environment as "a,b,c" (JSON arrays are accepted too).
CommaList = Annotated[list[str], NoDecode]
IntCommaList = Annotated[list[int], NoDecode]


def split_commas(value: Any) -> Any:
    """Accept `a,b` or a JSON array for a list setting."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


class JenkinsSettings(BaseSettings):
    """Where Jenkins is and how to authenticate; the simulator reads the same user and token."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    jenkins_url: str = "http://127.0.0.1:8081"
    jenkins_user: str | None = None
    jenkins_api_token: SecretStr | None = None
    jenkins_timeout_s: float = Field(default=10.0, gt=0, description="Per HTTP request.")
    jenkins_retries: int = Field(
        default=3, ge=0, le=10, description="Retries on connection errors and 5xx."
    )
    jenkins_backoff_s: float = Field(default=0.5, ge=0, description="First retry delay.")
    jenkins_backoff_max_s: float = Field(default=8.0, ge=0)

    _check_token = field_validator("jenkins_api_token")(refuse_placeholder)

    @field_validator("jenkins_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")


class GuardSettings(BaseSettings):
    """The action guard's policy (ARCHITECTURE.md, Remediation); read by the API and the runner."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    guard_allow_jobs: CommaList = Field(
        default=["*"], description="Job globs that may be acted on."
    )
    guard_deny_jobs: CommaList = Field(default=[], description="Job globs never acted on.")
    guard_business_hours: bool = Field(default=False, description="Only act within hours.")
    guard_timezone: str = "UTC"
    guard_weekdays: IntCommaList = Field(default=[0, 1, 2, 3, 4], description="0 = Monday.")
    guard_hours_start: int = Field(default=9, ge=0, le=23)
    guard_hours_end: int = Field(default=18, ge=1, le=24)
    guard_max_concurrent: int = Field(default=3, ge=1)
    guard_cooldown_s: float = Field(default=300.0, ge=0)
    guard_production_patterns: CommaList = Field(default=["*prod*"])
    guard_two_person_rule: bool = True
    dry_run: bool = False

    _split = field_validator(
        "guard_allow_jobs",
        "guard_deny_jobs",
        "guard_weekdays",
        "guard_production_patterns",
        mode="before",
    )(split_commas)

    @field_validator("guard_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("guard_weekdays")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        if any(day < 0 or day > 6 for day in value):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
        return value


class RunnerSettings(CommonSettings, JenkinsSettings, GuardSettings):
    """The `runbooks runner` process."""

    runner_id: str = Field(default_factory=socket.gethostname, description="Stable per slot.")
    runner_prefetch: int = Field(default=8, ge=1, le=256)
    runner_follow_builds: bool = Field(default=True, description="Wait for the new build's end.")
    runner_queue_timeout_s: float = Field(default=300.0, gt=0)
    runner_build_timeout_s: float = Field(default=1800.0, gt=0)
    runner_poll_interval_s: float = Field(default=2.0, gt=0)
    runner_lease_s: float = Field(
        default=120.0, gt=0, description="A running action without heartbeat this long is unknown."
    )
