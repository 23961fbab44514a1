"""`since` arguments: a relative window ("30m", "2h", "1d", "1w") or an ISO 8601 time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_RELATIVE = re.compile(r"^\s*(\d{1,5})\s*(m|min|mins|minutes?|h|hours?|d|days?|w|weeks?)\s*$", re.I)
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}

SINCE_HELP = (
    'How far back: "30m", "2h", "1d", "1w", or an ISO 8601 time such as "2024-05-01T08:00:00Z".'
)


def parse_since(value: str, *, now: datetime) -> datetime:
    """The absolute UTC time a `since` value names; ValueError with a readable message if none."""
    match = _RELATIVE.match(value)
    if match:
        amount = int(match.group(1))
        return now - timedelta(seconds=amount * _UNIT_SECONDS[match.group(2)[0].lower()])
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is not a window like 2h or 1d, nor an ISO 8601 time") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def check_since(value: str | None) -> str | None:
    """Field validator: refuse a `since` that names no time, keep the text as given."""
    if value is not None:
        parse_since(value, now=datetime.now(UTC))
    return value
