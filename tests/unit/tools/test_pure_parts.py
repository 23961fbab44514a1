"""Pure pieces of the tool layer: `since` windows, actors, argument errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from tools.actor import client_actor, resolve_actor
from tools.invocation import describe_validation_error
from tools.models.logs import ReadApiLogsInput, ReadJenkinsLogsInput
from tools.timewindow import parse_since

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", NOW - timedelta(minutes=30)),
        ("2h", NOW - timedelta(hours=2)),
        ("2 hours", NOW - timedelta(hours=2)),
        ("1d", NOW - timedelta(days=1)),
        ("1w", NOW - timedelta(weeks=1)),
        ("2026-05-01T08:00:00Z", datetime(2026, 5, 1, 8, tzinfo=UTC)),
        ("2026-05-01T10:00:00+02:00", datetime(2026, 5, 1, 8, tzinfo=UTC)),
        ("2026-05-01T08:00:00", datetime(2026, 5, 1, 8, tzinfo=UTC)),
    ],
)
def test_since(text: str, expected: datetime) -> None:
    assert parse_since(text, now=NOW) == expected


@pytest.mark.parametrize("text", ["yesterday", "2x", "-1h", ""])
def test_since_refuses_what_names_no_time(text: str) -> None:
    with pytest.raises(ValueError):
        parse_since(text, now=NOW)


@pytest.mark.parametrize(
    ("meta", "transport", "client", "expected"),
    [
        ({"actor": "slack:U123"}, "token:api", "claude-ai", "slack:U123"),
        ({"actor": "robert'); drop table"}, "token:api", None, "token:api"),
        (None, None, "claude-ai", "mcp:claude-ai"),
        ({}, None, "Claude Desktop 1.0", "mcp:Claude-Desktop-1.0"),
        (None, None, None, "mcp:unknown"),
    ],
)
def test_actor(meta: object, transport: str | None, client: str | None, expected: str) -> None:
    assert resolve_actor(meta=meta, transport_actor=transport, client_name=client) == expected


def test_client_actor_keeps_names_short() -> None:
    assert len(client_actor("x" * 500)) == len("mcp:") + 128


@pytest.mark.parametrize(
    ("arguments", "message", "field"),
    [
        ({"level": "loud"}, "argument 'level':", "level"),
        ({"limit": 0}, "argument 'limit':", "limit"),
        ({"jobs": "x"}, "unknown argument 'jobs'", "jobs"),
    ],
)
def test_argument_errors_name_the_field(
    arguments: dict[str, object], message: str, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        ReadJenkinsLogsInput.model_validate(arguments)
    described, named = describe_validation_error(caught.value)
    assert described.startswith(message) and named == field


@pytest.mark.parametrize(
    ("given", "stored"), [("warning", "WARN"), ("err", "ERROR"), ("Fatal", "FATAL")]
)
def test_levels_fold_to_what_ingest_stores(given: str, stored: str) -> None:
    assert ReadJenkinsLogsInput.model_validate({"level": given}).level == stored


@pytest.mark.parametrize(("given", "kept"), [("5XX", "5xx"), ("503", 503), (404, 404)])
def test_api_status_codes_and_classes(given: object, kept: object) -> None:
    assert ReadApiLogsInput.model_validate({"status": given}).status == kept


@pytest.mark.parametrize("given", ["6xx", 700, "teapot"])
def test_api_status_refused(given: object) -> None:
    with pytest.raises(ValidationError):
        ReadApiLogsInput.model_validate({"status": given})
