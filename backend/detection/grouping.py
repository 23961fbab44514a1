"""Group keys and fingerprints: stable, readable names for "this rule, this job/endpoint".

`jenkins_build_failure|job_name=deploy-prod`,
`api_4xx_spike|endpoint=/api/users,http_method=GET`; a rule without
`group_by` has the rule name as its fingerprint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import attrgetter

from backend.detection.conditions import endpoint_path
from backend.detection.model import LogEvent
from backend.detection.rule_syntax import normalize_level

# Separators inside a value are escaped so two different groups never share a key.
_ESCAPES = str.maketrans({"%": "%25", ",": "%2C", "|": "%7C", "=": "%3D"})


def group_value(field: str, event: LogEvent) -> str:
    """One group field of a log as it appears in the key ('' when the log lacks it)."""
    if field == "job_name":
        return event.job_name or ""
    if field == "endpoint":
        return "" if event.endpoint is None else endpoint_path(event.endpoint)
    if field == "http_method":
        return (event.http_method or "").upper()
    if field == "http_status":
        return "" if event.http_status is None else str(event.http_status)
    if field == "level":
        return "" if event.level is None else normalize_level(event.level)
    raise ValueError(f"not a group field: {field}")


def format_group_key(fields: Sequence[str], values: Sequence[str]) -> str:
    """`field=value,...` in the rule's group_by order."""
    return ",".join(
        f"{field}={value.translate(_ESCAPES)}" for field, value in zip(fields, values, strict=True)
    )


def group_key_of(fields: Sequence[str], values: Mapping[str, str]) -> str:
    """The key of a group named field by field (flatline `groups`)."""
    return format_group_key(fields, [values[field] for field in fields])


def fingerprint(rule: str, group_key: str) -> str:
    """Rule name and group key: the identity of one open incident."""
    return f"{rule}|{group_key}" if group_key else rule


class GroupKeys:
    """Group keys of one rule's logs, memoised by their raw values (jobs and endpoints repeat)."""

    __slots__ = ("_cache", "_raw", "fields")

    def __init__(self, fields: Sequence[str]) -> None:
        self.fields = tuple(fields)
        self._raw = attrgetter(*fields) if fields else None
        self._cache: dict[object, str] = {}

    def of(self, event: LogEvent) -> str:
        if self._raw is None:
            return ""
        raw = self._raw(event)
        key = self._cache.get(raw)
        if key is None:
            key = format_group_key(self.fields, [group_value(f, event) for f in self.fields])
            if len(self._cache) < 10_000:
                self._cache[raw] = key
        return key
