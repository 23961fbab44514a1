"""Log reading tools: inputs, data and results."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tools.results import ToolResult
from tools.timewindow import SINCE_HELP, check_since

_INPUT = ConfigDict(extra="forbid", frozen=True)
_VIEW = ConfigDict(from_attributes=True, frozen=True)

# The levels ingest stores (ingest/mapping.yaml folds other spellings into these).
JenkinsLevel = Literal["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"]
HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
_STATUS_CLASS = re.compile(r"^[1-5]xx$")
_LEVEL_ALIASES = {
    "WARNING": "WARN",
    "ERR": "ERROR",
    "ERRORS": "ERROR",
    "CRITICAL": "FATAL",
    "CRIT": "FATAL",
    "SEVERE": "ERROR",
}


class ReadJenkinsLogsInput(BaseModel):
    model_config = _INPUT

    job: str | None = Field(
        default=None,
        max_length=200,
        description='Jenkins job name, e.g. "deploy-prod"; omit for all.',
    )
    level: JenkinsLevel | None = Field(
        default=None, description="Only lines of this level; omit for all levels."
    )
    query: str | None = Field(
        default=None, max_length=200, description="Words the message must contain."
    )
    since: str | None = Field(default=None, description=SINCE_HELP + " Omit for the last 24 hours.")
    limit: int = Field(
        default=50, ge=1, le=200, description="How many lines at most, newest first."
    )

    @field_validator("level", mode="before")
    @classmethod
    def _upper_level(cls, value: Any) -> Any:
        if isinstance(value, str):
            upper = value.strip().upper()
            return _LEVEL_ALIASES.get(upper, upper)
        return value

    _since = field_validator("since")(check_since)


class ReadApiLogsInput(BaseModel):
    model_config = _INPUT

    status: int | str | None = Field(
        default=None,
        description='An HTTP status code such as 503, or a class such as "5xx"; omit for all.',
    )
    method: HttpMethod | None = Field(default=None, description="Only this HTTP method.")
    query: str | None = Field(
        default=None, max_length=200, description="Words the log message must contain."
    )
    since: str | None = Field(default=None, description=SINCE_HELP + " Omit for the last 24 hours.")
    limit: int = Field(
        default=50, ge=1, le=200, description="How many requests at most, newest first."
    )

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip().lower()
            if text.isdigit():
                value = int(text)
            elif _STATUS_CLASS.match(text):
                return text
            else:
                raise ValueError('must be a status code like 503 or a class like "5xx"')
        if isinstance(value, int) and not 100 <= value <= 599:
            raise ValueError("must be between 100 and 599")
        return value

    @field_validator("method", mode="before")
    @classmethod
    def _upper_method(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    _since = field_validator("since")(check_since)


class JenkinsLogEntry(BaseModel):
    model_config = _VIEW

    id: int
    timestamp: datetime
    level: str
    job_name: str | None = None
    build_number: int | None = None
    message: str


class ApiLogEntry(BaseModel):
    model_config = _VIEW

    id: int
    timestamp: datetime
    http_method: str
    http_status: int
    endpoint: str
    message: str = ""


class JenkinsLogPage(BaseModel):
    model_config = ConfigDict(frozen=True)

    entries: list[JenkinsLogEntry]
    count: int
    since: datetime
    has_more: bool = False


class ApiLogPage(BaseModel):
    model_config = ConfigDict(frozen=True)

    entries: list[ApiLogEntry]
    count: int
    since: datetime
    has_more: bool = False


class JenkinsLogsResult(ToolResult[JenkinsLogPage]):
    """Result of read_jenkins_logs."""


class ApiLogsResult(ToolResult[ApiLogPage]):
    """Result of read_api_logs."""
