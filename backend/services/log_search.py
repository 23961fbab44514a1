"""Log queries for people and tools: filters, case-insensitive text search, keyset pages."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime
from typing import Any, Generic, TypeVar

import asyncpg
from pydantic import BaseModel, Field

from backend.domain.errors import DomainError
from backend.repositories.logs import API, JENKINS, LogFilter, LogRepository, LogTableSpec

MAX_LIMIT = 1000
_STATUS_CLASS = re.compile(r"^([1-5])xx$", re.IGNORECASE)


class InvalidQuery(DomainError):
    """A search argument that cannot be understood (bad cursor, bad status pattern)."""


class JenkinsLogPublic(BaseModel):
    id: int
    timestamp: datetime
    level: str
    message: str
    job_name: str | None = None
    build_number: int | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    source_index: str
    source_id: str


class ApiLogPublic(BaseModel):
    id: int
    timestamp: datetime
    http_method: str
    http_status: int
    endpoint: str
    message: str
    details: dict[str, Any] = Field(default_factory=dict)
    source_index: str
    source_id: str


ItemT = TypeVar("ItemT", JenkinsLogPublic, ApiLogPublic)


class LogPage(BaseModel, Generic[ItemT]):
    """Newest first; pass `next_cursor` back as `cursor` for the following page."""

    items: list[ItemT]
    next_cursor: str | None = None


def encode_cursor(ts: datetime, row_id: int) -> str:
    """An opaque cursor for the position after (ts, id)."""
    return base64.urlsafe_b64encode(f"{ts.isoformat()}|{row_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """(ts, id) of a cursor; InvalidQuery when it was not made by `encode_cursor`."""
    try:
        ts_text, id_text = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(ts_text), int(id_text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidQuery("cursor is not valid; pass next_cursor back unchanged") from None


def _limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidQuery(f"limit must be between 1 and {MAX_LIMIT}")
    return limit


async def _page(
    pool: asyncpg.Pool, spec: LogTableSpec, filters: LogFilter, limit: int
) -> tuple[list[asyncpg.Record], str | None]:
    async with pool.acquire() as conn:
        rows = await LogRepository(conn).search(spec, filters, limit=_limit(limit) + 1)
    has_more = len(rows) > limit
    rows = rows[:limit]
    cursor = encode_cursor(rows[-1]["ts"], rows[-1]["id"]) if has_more else None
    return rows, cursor


async def search_jenkins_logs(
    pool: asyncpg.Pool,
    *,
    job: str | None = None,
    level: str | None = None,
    query: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
    cursor: str | None = None,
) -> LogPage[JenkinsLogPublic]:
    """Jenkins log lines, newest first.

    `job` exact job name; `level` e.g. ERROR (any case); `query` case-insensitive
    text in the message; `since` oldest timestamp; `cursor` from a previous page.
    """
    filters = LogFilter(
        job_name=job,
        level=level,
        text=query,
        since=since,
        before=decode_cursor(cursor) if cursor else None,
    )
    rows, next_cursor = await _page(pool, JENKINS, filters, limit)
    items = [JenkinsLogPublic.model_validate({**dict(r), "timestamp": r["ts"]}) for r in rows]
    return LogPage[JenkinsLogPublic](items=items, next_cursor=next_cursor)


async def search_api_logs(
    pool: asyncpg.Pool,
    *,
    status: int | str | None = None,
    method: str | None = None,
    query: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
    cursor: str | None = None,
) -> LogPage[ApiLogPublic]:
    """API access log lines, newest first.

    `status` an exact code (503) or a class ("5xx"); `method` e.g. POST (any case);
    `query` case-insensitive text in the message; `since` oldest timestamp;
    `cursor` from a previous page.
    """
    exact, status_class = _status_filter(status)
    filters = LogFilter(
        http_status=exact,
        status_class=status_class,
        http_method=method,
        text=query,
        since=since,
        before=decode_cursor(cursor) if cursor else None,
    )
    rows, next_cursor = await _page(pool, API, filters, limit)
    items = [ApiLogPublic.model_validate({**dict(r), "timestamp": r["ts"]}) for r in rows]
    return LogPage[ApiLogPublic](items=items, next_cursor=next_cursor)


def _status_filter(status: int | str | None) -> tuple[int | None, int | None]:
    """(exact code, class digit) from 503, "503" or "5xx"."""
    if status is None:
        return None, None
    if isinstance(status, int) or status.isdigit():
        code = int(status)
        if not 100 <= code <= 599:
            raise InvalidQuery("status must be an HTTP status code (100-599) or a class like 5xx")
        return code, None
    match = _STATUS_CLASS.match(status)
    if match is None:
        raise InvalidQuery("status must be an HTTP status code (100-599) or a class like 5xx")
    return None, int(match.group(1))
