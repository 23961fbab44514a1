"""The syntax of rule values: durations, HTTP statuses, log levels, regular expressions.

Each parser turns what an operator writes in YAML into one checked value, or a
ValueError whose message says what was expected.
"""

from __future__ import annotations

import re
from typing import Any

BUCKET_SECONDS = 10

# Jenkins and its log shippers spell levels several ways; rules and logs meet on one spelling.
LEVEL_ALIASES = {
    "WARNING": "WARN",
    "SEVERE": "ERROR",
    "ERR": "ERROR",
    "CRITICAL": "FATAL",
    "CRIT": "FATAL",
    "INFORMATION": "INFO",
    "FINE": "DEBUG",
}

DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
DURATION_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
STATUS_RANGE = re.compile(r"^\s*(\d{3})\s*-\s*(\d{3})\s*$")
STATUS_CLASS = re.compile(r"^\s*([1-5])xx\s*$", re.IGNORECASE)


class RuleFieldError(ValueError):
    """A rule-level check that failed on one field; the loader names the field."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field_name = field_name


def normalize_level(level: str) -> str:
    """The one spelling of a log level rules compare against."""
    upper = level.strip().upper()
    return LEVEL_ALIASES.get(upper, upper)


def parse_window(value: Any) -> int:
    """Seconds from `60`, `"90s"`, `"5m"`, `"1h"`; a positive multiple of the bucket size."""
    if isinstance(value, bool):
        raise ValueError("must be seconds or a duration like '5m'")
    if isinstance(value, int):
        seconds = value
    elif isinstance(value, str) and (found := DURATION.match(value)):
        seconds = int(found.group(1)) * DURATION_UNITS[found.group(2)]
    else:
        raise ValueError(f"must be seconds or a duration like '5m' (got {value!r})")
    if seconds <= 0 or seconds % BUCKET_SECONDS:
        raise ValueError(
            f"must be a positive multiple of {BUCKET_SECONDS}s, the counting bucket (got {value!r})"
        )
    return seconds


def parse_status(value: Any) -> tuple[int, int]:
    """An inclusive HTTP status range from `404`, `"500-599"` or `"5xx"`."""
    if isinstance(value, int) and not isinstance(value, bool):
        low = high = value
    elif isinstance(value, str) and (found := STATUS_RANGE.match(value)):
        low, high = int(found.group(1)), int(found.group(2))
    elif isinstance(value, str) and (found := STATUS_CLASS.match(value)):
        low = int(found.group(1)) * 100
        high = low + 99
    elif isinstance(value, str) and value.strip().isdigit():
        low = high = int(value)
    else:
        raise ValueError(
            f"must be a status, a range like '500-599' or a class like '5xx' (got {value!r})"
        )
    if not 100 <= low <= high <= 599:
        raise ValueError(f"must lie within 100-599 with low <= high (got {value!r})")
    return low, high


def parse_regex(value: Any) -> Any:
    """One pattern from a pattern or a list of alternatives, refused if `re` cannot compile it."""
    if value is None:
        return None
    patterns = [value] if isinstance(value, str) else value
    if not isinstance(patterns, list) or not patterns:
        raise ValueError("must be a regular expression or a non-empty list of them")
    for pattern in patterns:
        if not isinstance(pattern, str):
            raise ValueError(f"must be text (got {pattern!r})")
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValueError(f"invalid regular expression {pattern!r}: {error}") from None
    if len(patterns) == 1:
        return patterns[0]
    joined = "|".join(f"(?:{pattern})" for pattern in patterns)
    try:
        re.compile(joined)
    except re.error as error:
        raise ValueError(
            f"the alternatives do not combine ({error}); use scoped flags like (?i:...)"
        ) from None
    return joined
