"""Settings: one pydantic-settings class per service, read from the environment (and `.env`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset({"changeme", "change-me", "changethis", "secret", "token", "xxx"})


def refuse_placeholder(value: SecretStr | None) -> SecretStr | None:
    """Refuse secrets that are obviously placeholders."""
    if value is not None and value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
        raise ValueError("is a placeholder; set a real secret")
    return value


class CommonSettings(BaseSettings):
    """Settings every service shares: where the database and the broker are, how to log."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    database_url: str = "postgresql://postgres@127.0.0.1:5432/runbooks"
    rabbitmq_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = "json"

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: str) -> str:
        if not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql:// URL")
        return value

    @field_validator("rabbitmq_url")
    @classmethod
    def _amqp_url(cls, value: str) -> str:
        if not value.startswith(("amqp://", "amqps://")):
            raise ValueError("must be an amqp:// URL")
        return value


class DetectionSettings(CommonSettings):
    """How logs become incidents."""

    rules_dir: Path | None = Field(
        default=None, description="Directory of rule YAML files; the default set when unset."
    )
    incident_update_interval_s: float = Field(
        default=60.0,
        ge=0,
        description="At most one incident.updated event per incident per interval.",
    )


class ApiSettings(DetectionSettings):
    """The REST API (and the MCP HTTP endpoint mounted on it)."""

    api_host: str = "127.0.0.1"
    api_port: int = Field(default=3001, ge=1, le=65535)
    api_workers: int = Field(default=1, ge=1, le=64)
    api_token: SecretStr = Field(
        description="Bearer token for every route but /health and /metrics."
    )
    max_batch_records: int = Field(default=5000, ge=1)
    prometheus_multiproc_dir: Path | None = Field(
        default=None,
        description="Set by `runbooks api` with several workers: metrics summed across them.",
    )

    _check_token = field_validator("api_token")(refuse_placeholder)

    @field_validator("api_token")
    @classmethod
    def _token_length(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters")
        return value


class RelaySettings(DetectionSettings):
    """The outbox relay (and the flatline timer it runs)."""

    relay_batch_size: int = Field(default=1000, ge=1, le=10_000)
    relay_poll_interval_s: float = Field(default=1.0, gt=0)
    relay_max_attempts: int = Field(default=10, ge=1)
    relay_backoff_base_s: float = Field(default=0.5, gt=0)
    relay_backoff_max_s: float = Field(default=300.0, gt=0)
    flatline_check_interval_s: float = Field(default=30.0, gt=0)
    relay_reconnect_max_s: float = Field(default=30.0, gt=0)
    outbox_retention_s: float = Field(
        default=7 * 86_400.0, gt=0, description="Published events are deleted after this."
    )
    outbox_purge_interval_s: float = Field(default=300.0, gt=0)
    relay_metrics_port: int | None = Field(
        default=None, ge=0, le=65535, description="Serve the relay's Prometheus metrics here."
    )


S = TypeVar("S", bound=BaseSettings)


def setting_error_line(error: ValidationError) -> str:
    """One line naming the first bad or missing setting, never its value."""
    first = error.errors()[0]
    name = str(first["loc"][0]).upper() if first["loc"] else "?"
    if first["type"] == "missing":
        return f"setting {name} is required but not set"
    return f"setting {name} is invalid: {first['msg']}"


def load_settings(cls: type[S]) -> S:
    """Build settings or stop the process with one line naming the bad setting."""
    try:
        return cls()
    except ValidationError as error:
        sys.stderr.write(f"runbooks: {setting_error_line(error)}\n")
        raise SystemExit(2) from None
