"""Log reading tools over backend/services/log_search.py."""

from __future__ import annotations

from datetime import datetime, timedelta

from backend.services import log_search
from tools.context import ToolServices
from tools.models import logs as lm
from tools.results import ResultStatus
from tools.timewindow import parse_since

DEFAULT_WINDOW = timedelta(hours=24)


def _since(services: ToolServices, since: str | None) -> datetime:
    now = services.clock()
    return parse_since(since, now=now) if since else now - DEFAULT_WINDOW


def _filters(**given: object) -> str:
    shown = [f"{name} {value}" for name, value in given.items() if value is not None]
    return f" ({', '.join(shown)})" if shown else ""


def _outcome(noun: str, count: int, since: datetime, what: str) -> tuple[ResultStatus, str]:
    """The status and summary of a page of `count` `noun` ("API requests")."""
    window = f"since {since:%Y-%m-%d %H:%M} UTC{what}"
    if not count:
        return "no_data", f"No {noun} {window}."
    return "ok", f"{count} {noun} {window}, newest first."


async def read_jenkins_logs(
    services: ToolServices, args: lm.ReadJenkinsLogsInput, _actor: str
) -> lm.JenkinsLogsResult:
    """Jenkins log lines, newest first."""
    since = _since(services, args.since)
    page = await log_search.search_jenkins_logs(
        services.pool,
        job=args.job,
        level=args.level,
        query=args.query,
        since=since,
        limit=args.limit,
    )
    entries = [lm.JenkinsLogEntry.model_validate(i, from_attributes=True) for i in page.items]
    data = lm.JenkinsLogPage(
        entries=entries, count=len(entries), since=since, has_more=page.next_cursor is not None
    )
    what = _filters(job=args.job, level=args.level, query=args.query)
    status, summary = _outcome("Jenkins log lines", len(entries), since, what)
    return lm.JenkinsLogsResult(status=status, summary=summary, data=data)


async def read_api_logs(
    services: ToolServices, args: lm.ReadApiLogsInput, _actor: str
) -> lm.ApiLogsResult:
    """API access log lines, newest first."""
    since = _since(services, args.since)
    page = await log_search.search_api_logs(
        services.pool,
        status=args.status,
        method=args.method,
        query=args.query,
        since=since,
        limit=args.limit,
    )
    entries = [lm.ApiLogEntry.model_validate(i, from_attributes=True) for i in page.items]
    data = lm.ApiLogPage(
        entries=entries, count=len(entries), since=since, has_more=page.next_cursor is not None
    )
    what = _filters(status=args.status, method=args.method, query=args.query)
    status, summary = _outcome("API requests", len(entries), since, what)
    return lm.ApiLogsResult(status=status, summary=summary, data=data)
