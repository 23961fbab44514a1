"""One rule compiled for the engine: its filters, grouping, and how it words a Detection."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from backend.detection.conditions import GlobSet, LogFilter, endpoint_path
from backend.detection.grouping import GroupKeys, fingerprint, group_key_of
from backend.detection.model import Detection, LogEvent, Remediation
from backend.detection.rule_model import (
    FlatlineRule,
    MatchRule,
    Rule,
    SpikeRule,
    ThresholdRule,
)
from backend.detection.windows import WindowSums
from backend.domain.statuses import Severity

MESSAGE_LIMIT = 4000


class Hits:
    """Matching logs of one group (in one bucket, or in a whole batch)."""

    __slots__ = ("count", "first", "first_at", "latest", "latest_at")

    def __init__(self, event: LogEvent, at: float) -> None:
        self.count = 1
        self.first, self.first_at = event, at
        self.latest, self.latest_at = event, at

    def add(self, event: LogEvent, at: float) -> None:
        self.count += 1
        if at < self.first_at:
            self.first, self.first_at = event, at
        # Ties go to the later log in the batch: its build number is the newest.
        if at >= self.latest_at:
            self.latest, self.latest_at = event, at

    def copy(self) -> Hits:
        twin = Hits(self.first, self.first_at)
        twin.count, twin.latest, twin.latest_at = self.count, self.latest, self.latest_at
        return twin

    def merge(self, other: Hits) -> None:
        self.count += other.count
        if other.first_at < self.first_at:
            self.first, self.first_at = other.first, other.first_at
        if other.latest_at >= self.latest_at:
            self.latest, self.latest_at = other.latest, other.latest_at


@dataclass(frozen=True, slots=True)
class SeverityOverridePlan:
    severity: Severity
    jobs: GlobSet | None
    endpoints: GlobSet | None

    def holds(self, job_name: str | None, endpoint: str | None) -> bool:
        return (self.jobs is not None and self.jobs.matches(job_name)) or (
            self.endpoints is not None and self.endpoints.matches(endpoint)
        )


class RulePlan:
    """A rule ready to run: filters compiled, group keys memoised."""

    __slots__ = (
        "expected_groups",
        "gate",
        "group_keys",
        "kind",
        "match",
        "name",
        "overrides",
        "remediation_jobs",
        "rule",
        "window",
    )

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.name = rule.name
        self.kind = rule.type
        self.match = LogFilter(rule.match)
        # The dispatch table routes logs by the gate's level/status: the population for ratios.
        self.gate = LogFilter(rule.population) if isinstance(rule, ThresholdRule) else self.match
        self.group_keys = GroupKeys(rule.group_by)
        self.window = 0 if isinstance(rule, MatchRule) else rule.window
        # Flatline: the groups that must keep logging, by key (one unnamed group: the source).
        self.expected_groups: dict[str, Mapping[str, str]] | None = None
        if isinstance(rule, FlatlineRule):
            groups = rule.groups or ({},)
            self.expected_groups = {group_key_of(rule.group_by, g): g for g in groups}
        spec = rule.remediation
        self.remediation_jobs = None if spec is None or spec.jobs is None else GlobSet(spec.jobs)
        self.overrides = tuple(
            SeverityOverridePlan(
                o.severity,
                None if o.jobs is None else GlobSet(o.jobs),
                None if o.endpoints is None else GlobSet(o.endpoints),
            )
            for o in rule.severity_overrides
        )

    @property
    def lookback(self) -> int:
        """Seconds of buckets this rule reads behind the newest one."""
        return 2 * self.window if isinstance(self.rule, SpikeRule) else self.window

    def fires(self, sums: WindowSums) -> bool:
        """Whether a windowed rule's condition holds for these sums (flatline: too few)."""
        rule = self.rule
        if isinstance(rule, ThresholdRule):
            return (
                sums.total >= rule.min_total
                and sums.matches >= rule.min_count
                and sums.matches / sums.total >= rule.ratio
            )
        if isinstance(rule, SpikeRule):
            return (
                sums.matches >= rule.min_count
                and sums.previous_matches >= rule.min_previous
                and (
                    sums.previous_matches == 0 or sums.matches / sums.previous_matches >= rule.ratio
                )
            )
        if isinstance(rule, FlatlineRule):
            return sums.matches < rule.min_count
        if isinstance(rule, MatchRule):
            return True
        return sums.matches >= rule.min_count

    def detection(self, group_key: str, hits: Hits, sums: WindowSums | None = None) -> Detection:
        """The Detection for a group's matching logs (with the window's sums when windowed)."""
        latest = hits.latest
        endpoint = None if latest.endpoint is None else endpoint_path(latest.endpoint)
        details: dict[str, Any] = {
            key: value
            for key, value in (
                ("level", latest.level),
                ("http_status", latest.http_status),
                ("http_method", latest.http_method),
            )
            if value is not None
        }
        if sums is not None:
            details.update(self._window_details(sums))
        return self._build(
            group_key=group_key,
            message=latest.message[:MESSAGE_LIMIT],
            first_seen=_utc(hits.first_at),
            last_seen=_utc(hits.latest_at),
            occurrences=hits.count,
            job_name=latest.job_name,
            build_number=latest.build_number,
            endpoint=endpoint,
            fields={**details, "count": sums.matches if sums else hits.count},
            details=details,
        )

    def flatline_detection(self, group_key: str, sums: WindowSums, now: datetime) -> Detection:
        """A flatline rule found too few logs in the window ending at `now`."""
        assert isinstance(self.rule, FlatlineRule) and self.expected_groups is not None
        values = self.expected_groups[group_key]
        details = {**self._window_details(sums), "min_count": self.rule.min_count}
        return self._build(
            group_key=group_key,
            message=(
                f"{sums.matches} matching log(s) in the last {render_window(self.window)}; "
                f"expected at least {self.rule.min_count}"
            ),
            first_seen=now - timedelta(seconds=self.window),
            last_seen=now,
            occurrences=1,
            job_name=values.get("job_name"),
            build_number=None,
            endpoint=values.get("endpoint"),
            fields={**values, "count": sums.matches},
            details=details,
        )

    def _window_details(self, sums: WindowSums) -> dict[str, Any]:
        details: dict[str, Any] = {"window_s": self.window, "matches": sums.matches}
        if isinstance(self.rule, ThresholdRule):
            details["total"] = sums.total
            details["ratio"] = round(sums.matches / sums.total, 4) if sums.total else 0.0
        if isinstance(self.rule, SpikeRule):
            details["previous_matches"] = sums.previous_matches
        return details

    def _build(
        self,
        *,
        group_key: str,
        message: str,
        first_seen: datetime,
        last_seen: datetime,
        occurrences: int,
        job_name: str | None,
        build_number: int | None,
        endpoint: str | None,
        fields: Mapping[str, Any],
        details: dict[str, Any],
    ) -> Detection:
        rule = self.rule
        severity = next(
            (o.severity for o in self.overrides if o.holds(job_name, endpoint)), rule.severity
        )
        remediation = None
        if rule.remediation is not None and (
            self.remediation_jobs is None or self.remediation_jobs.matches(job_name)
        ):
            remediation = Remediation(rule.remediation.action, dict(rule.remediation.parameters))
        values = {
            "rule": rule.name,
            "group": group_key or "all",
            "job_name": job_name,
            "build_number": build_number,
            "endpoint": endpoint,
            "window": render_window(self.window) if self.window else None,
            **fields,
        }
        if "ratio" in values:
            values["ratio"] = f"{float(values['ratio']):.1%}"
        title = rule.title.format_map(
            _Missing({name: "?" if value is None else str(value) for name, value in values.items()})
        )
        return Detection(
            rule=rule.name,
            severity=severity,
            fingerprint=fingerprint(rule.name, group_key),
            group_key=group_key,
            source=rule.source,
            title=title,
            message=message,
            first_seen=first_seen,
            last_seen=last_seen,
            occurrences=occurrences,
            job_name=job_name,
            build_number=build_number,
            endpoint=endpoint,
            runbook_url=rule.runbook_url,
            remediation=remediation,
            details=details,
        )


class _Missing(dict[str, str]):
    """Placeholders with no value in this Detection render as '?'."""

    def __missing__(self, key: str) -> str:
        return "?"


def render_window(seconds: int) -> str:
    """`60` -> `1m`, `90` -> `90s`, `3600` -> `1h`."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)
