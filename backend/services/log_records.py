"""Incoming log records: validated once from the raw body, given a source identity, staged.

A batch is valid whole or refused whole: the ingest consumer reads `loc[1]` of each
error as the record's position to dead-letter just that record.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from backend.detection.model import LogEvent
from backend.domain.errors import DomainError

DIRECT_INDEX = "direct"  # source_index of records posted without `_index`


class InvalidLogBatch(DomainError):
    """The batch was refused whole; `errors` are in FastAPI's 422 `detail` shape."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} validation error(s) in the log batch")
        self.errors = errors


class _LogRecord(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    timestamp: datetime = Field(alias="@timestamp")
    message: str = Field(max_length=65_536)
    details: dict[str, Any] = Field(default_factory=dict)
    index: str | None = Field(default=None, alias="_index", min_length=1, max_length=255)
    id: str | None = Field(default=None, alias="_id", min_length=1, max_length=255)
    trace_id: str | None = Field(default=None, max_length=64)


class JenkinsLogIn(_LogRecord):
    """A Jenkins log line, as the OTel pipeline (or a direct client) sends it."""

    level: str = Field(min_length=1, max_length=16)
    job_name: str | None = Field(default=None, max_length=512)
    build_number: int | None = Field(default=None, ge=0, le=2_147_483_647)


class ApiLogIn(_LogRecord):
    """An HTTP access log line of the monitored API."""

    message: str = Field(default="", max_length=65_536)
    http_method: str = Field(min_length=1, max_length=16)
    http_status: int = Field(ge=100, le=599)
    endpoint: str = Field(min_length=1, max_length=2048)


LogKind = Literal["jenkins", "api"]
RecordT = JenkinsLogIn | ApiLogIn


class LogBatchParser:
    """Validates a raw JSON body (one record or a list) in one pass."""

    def __init__(self, max_records: int) -> None:
        self._adapters: dict[LogKind, tuple[TypeAdapter[Any], TypeAdapter[Any]]] = {
            "jenkins": (
                TypeAdapter(JenkinsLogIn),
                TypeAdapter(Annotated[list[JenkinsLogIn], Field(max_length=max_records)]),
            ),
            "api": (
                TypeAdapter(ApiLogIn),
                TypeAdapter(Annotated[list[ApiLogIn], Field(max_length=max_records)]),
            ),
        }

    def parse(self, kind: LogKind, body: bytes) -> list[Any]:
        """The records of the body, or InvalidLogBatch naming each bad position and field."""
        single, many = self._adapters[kind]
        is_list = body.lstrip()[:1] == b"["
        try:
            if is_list:
                records: list[Any] = many.validate_json(body)
                return records
            return [single.validate_json(body)]
        except ValidationError as error:
            raise InvalidLogBatch(http_errors(error)) from None


def http_errors(error: ValidationError) -> list[dict[str, Any]]:
    """Pydantic errors in FastAPI's shape: `loc` starts with "body", then position, field."""
    return [
        {"loc": ["body", *e["loc"]], "msg": e["msg"], "type": e["type"]}
        for e in error.errors(include_url=False, include_input=False, include_context=False)
    ]


def _utc(ts: datetime) -> datetime:
    """Naive times are UTC; others are converted, so one instant hashes to one identity."""
    if ts.tzinfo is None:
        return ts.replace(tzinfo=UTC)
    return ts if ts.tzinfo is UTC else ts.astimezone(UTC)


def content_identity(*parts: Any) -> str:
    """A stable id for a record posted without `_id`: the hash of its canonical content."""
    canonical = orjson.dumps(parts, option=orjson.OPT_SORT_KEYS | orjson.OPT_UTC_Z)
    return hashlib.blake2b(canonical, digest_size=16).hexdigest()


def jenkins_stage_row(r: JenkinsLogIn) -> tuple[Any, ...]:
    """The row of a Jenkins record (columns of `JENKINS.columns`; details for the jsonb codec)."""
    ts = _utc(r.timestamp)
    level = r.level.upper()
    source_id = r.id or content_identity(
        ts, level, r.message, r.job_name, r.build_number, r.details
    )
    return (
        r.index or DIRECT_INDEX,
        source_id,
        ts,
        level,
        r.message,
        r.job_name,
        r.build_number,
        r.details,
        r.trace_id,
    )


def api_stage_row(r: ApiLogIn) -> tuple[Any, ...]:
    """The row of an API record (columns of `API.columns`; details for the jsonb codec)."""
    ts = _utc(r.timestamp)
    method = r.http_method.upper()
    source_id = r.id or content_identity(
        ts, method, r.http_status, r.endpoint, r.message, r.details
    )
    return (
        r.index or DIRECT_INDEX,
        source_id,
        ts,
        method,
        r.http_status,
        r.endpoint,
        r.message,
        r.details,
        r.trace_id,
    )


def jenkins_event(row: tuple[Any, ...]) -> LogEvent:
    """What detection sees of a stored Jenkins row."""
    return LogEvent(
        source="jenkins",
        timestamp=row[2],
        level=row[3],
        message=row[4],
        job_name=row[5],
        build_number=row[6],
        details=row[7],
    )


def api_event(row: tuple[Any, ...]) -> LogEvent:
    """What detection sees of a stored API row."""
    return LogEvent(
        source="api",
        timestamp=row[2],
        http_method=row[3],
        http_status=row[4],
        endpoint=row[5],
        message=row[6],
        details=row[7],
    )
