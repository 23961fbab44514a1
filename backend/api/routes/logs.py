"""GET log lines: filters, text search, keyset pages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from backend.api.deps import PoolDep
from backend.services import log_search
from backend.services.log_search import ApiLogPublic, JenkinsLogPublic, LogPage

router = APIRouter(prefix="/api/logs", tags=["logs"])

Limit = Annotated[int, Query(ge=1, le=log_search.MAX_LIMIT)]


@router.get("/jenkins")
async def read_jenkins_logs(
    pool: PoolDep,
    job: str | None = None,
    level: str | None = None,
    query: Annotated[str | None, Query(alias="q", max_length=500)] = None,
    since: datetime | None = None,
    limit: Limit = 100,
    cursor: str | None = None,
) -> LogPage[JenkinsLogPublic]:
    """Jenkins log lines, newest first; `q` searches the message, case-insensitively."""
    return await log_search.search_jenkins_logs(
        pool, job=job, level=level, query=query, since=since, limit=limit, cursor=cursor
    )


@router.get("/api")
async def read_api_logs(
    pool: PoolDep,
    status: Annotated[str | None, Query(description="A code (503) or a class (5xx)")] = None,
    method: str | None = None,
    query: Annotated[str | None, Query(alias="q", max_length=500)] = None,
    since: datetime | None = None,
    limit: Limit = 100,
    cursor: str | None = None,
) -> LogPage[ApiLogPublic]:
    """API access log lines, newest first; `q` searches the message, case-insensitively."""
    return await log_search.search_api_logs(
        pool, status=status, method=method, query=query, since=since, limit=limit, cursor=cursor
    )
