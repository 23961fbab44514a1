"""Rule conditions compiled once for the per-log hot path.

Level and status are checked by the engine's dispatch table before a filter
runs (`admits_rest`); `admits` checks everything, for filters that are not the
dispatch gate.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable

from backend.detection.model import LogEvent
from backend.detection.rule_model import Conditions
from backend.detection.rule_syntax import normalize_level

# Names seen in logs are few (jobs, endpoints, levels); the bound only guards against floods.
CACHE_LIMIT = 10_000


def endpoint_path(endpoint: str) -> str:
    """The endpoint without its query string: `/api/users?page=2` is `/api/users`."""
    return endpoint.partition("?")[0] if "?" in endpoint else endpoint


class GlobSet:
    """Case-sensitive shell globs (`deploy-*`), answered from a bounded cache."""

    __slots__ = ("_cache", "_pattern")

    def __init__(self, globs: Iterable[str]) -> None:
        self._pattern = re.compile("|".join(fnmatch.translate(glob) for glob in globs))
        self._cache: dict[str, bool] = {}

    def matches(self, value: str | None) -> bool:
        if value is None:
            return False
        hit = self._cache.get(value)
        if hit is None:
            hit = self._pattern.match(value) is not None
            if len(self._cache) < CACHE_LIMIT:
                self._cache[value] = hit
        return hit


def _globs(globs: tuple[str, ...] | None) -> GlobSet | None:
    return None if globs is None else GlobSet(globs)


class LogFilter:
    """One rule's per-log conditions; every condition given must hold."""

    __slots__ = (
        "_endpoints",
        "_exclude_endpoints",
        "_exclude_jobs",
        "_jobs",
        "_methods",
        "_not_regex",
        "_regex",
        "_statuses",
        "_verdicts",
        "levels",
        "rest_is_trivial",
    )

    def __init__(self, conditions: Conditions) -> None:
        self.levels = None if conditions.levels is None else frozenset(conditions.levels)
        self._statuses = (
            None
            if conditions.http_status is None
            else frozenset(s for low, high in conditions.http_status for s in range(low, high + 1))
        )
        self._methods = (
            None if conditions.http_methods is None else frozenset(conditions.http_methods)
        )
        self._jobs = _globs(conditions.jobs)
        self._exclude_jobs = _globs(conditions.exclude_jobs)
        self._endpoints = _globs(conditions.endpoints)
        self._exclude_endpoints = _globs(conditions.exclude_endpoints)
        self._regex = (
            None if conditions.message_regex is None else re.compile(conditions.message_regex)
        )
        self._not_regex = (
            None
            if conditions.message_not_regex is None
            else re.compile(conditions.message_not_regex)
        )
        self._verdicts: dict[str, bool] = {}
        # True when only level/status conditions exist: the dispatch table has decided already.
        self.rest_is_trivial = conditions.fields_given() <= {"levels", "http_status"}

    def admits_level(self, level: str | None) -> bool:
        """True when the level condition holds (a normalized level, or None when absent)."""
        return self.levels is None or (level is not None and level in self.levels)

    def admits_status(self, status: int | None) -> bool:
        """True when the HTTP status condition holds."""
        if self._statuses is None:
            return True
        return status in self._statuses

    def admits(self, event: LogEvent) -> bool:
        """Every condition, level and status included."""
        level = None if event.level is None else normalize_level(event.level)
        return (
            self.admits_level(level)
            and self.admits_status(event.http_status)
            and self.admits_rest(event)
        )

    def admits_rest(self, event: LogEvent) -> bool:
        """Every condition but level and status, cheapest first; the regexes run last."""
        if self._methods is not None and (
            event.http_method is None or event.http_method.upper() not in self._methods
        ):
            return False
        if self._jobs is not None and not self._jobs.matches(event.job_name):
            return False
        if self._exclude_jobs is not None and self._exclude_jobs.matches(event.job_name):
            return False
        if self._endpoints is not None or self._exclude_endpoints is not None:
            path = None if event.endpoint is None else endpoint_path(event.endpoint)
            if self._endpoints is not None and not self._endpoints.matches(path):
                return False
            if self._exclude_endpoints is not None and self._exclude_endpoints.matches(path):
                return False
        if self._regex is None and self._not_regex is None:
            return True
        return self._message_holds(event.message)

    def _message_holds(self, message: str) -> bool:
        """The regex verdict, memoised: console lines repeat ("ERROR: script returned exit code 1")."""
        verdict = self._verdicts.get(message)
        if verdict is None:
            verdict = (self._regex is None or self._regex.search(message) is not None) and (
                self._not_regex is None or self._not_regex.search(message) is None
            )
            if len(self._verdicts) >= CACHE_LIMIT:
                self._verdicts.clear()
            self._verdicts[message] = verdict
        return verdict
