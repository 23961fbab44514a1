"""The rule engine: pure functions of logs, window sums and a clock, in two phases.

1. `scan(events)` runs every enabled rule over a batch: match rules become
   Detections at once; windowed rules yield bucket deltas and the windows to sum.
2. The store adds the deltas and sums the windows (one round trip).
3. `decide(scan, sums)` turns the sums into Detections, one per fingerprint.

Flatline rules are decided on a timer: `flatline_queries(now)` then
`decide_flatlines(queries, sums, now)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from backend.detection.conditions import LogFilter
from backend.detection.model import Detection, LogEvent
from backend.detection.plans import Hits, RulePlan
from backend.detection.rule_model import Rule
from backend.detection.rule_syntax import BUCKET_SECONDS, normalize_level
from backend.detection.windows import (
    BucketDelta,
    WindowQuery,
    WindowSums,
    bucket_of,
    from_epoch,
)

K = TypeVar("K")
# (plan index, plan, kind, gate filter left to run, match level/status hold, match filter left)
Step = tuple[int, RulePlan, str, LogFilter | None, bool, LogFilter | None]

# Lateness tolerated for logs before their buckets may be pruned.
RETENTION_GRACE_S = 900


@dataclass(slots=True)
class Scan:
    """What one batch did: immediate Detections, counts to add, windows to evaluate."""

    immediate: dict[str, Detection] = field(default_factory=dict)
    counts: dict[tuple[str, str, int], list[int]] = field(default_factory=dict)
    hits: dict[tuple[int, str], dict[int, Hits]] = field(default_factory=dict)
    queries: list[WindowQuery] = field(default_factory=list)
    # For each query: (plan index, group key, bucket start) it evaluates.
    targets: list[tuple[int, str, int]] = field(default_factory=list)

    def deltas(self) -> list[BucketDelta]:
        """Counts to add, sorted by key so concurrent transactions lock rows in one order."""
        return [
            BucketDelta(rule, group_key, from_epoch(bucket), matches, total)
            for (rule, group_key, bucket), (matches, total) in sorted(self.counts.items())
        ]


class IncidentDetector:
    """Runs a rule set over logs; holds no state between calls but compiled rules and caches."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        names = [rule.name for rule in rules]
        if len(set(names)) != len(names):
            raise ValueError("rule names must be unique")
        self.rules = tuple(rules)
        self._plans = tuple(RulePlan(rule) for rule in rules if rule.enabled)
        self._flatlines = tuple(i for i, p in enumerate(self._plans) if p.kind == "flatline")
        self._by_level: dict[str | None, tuple[Step, ...]] = {}
        self._by_status: dict[int | None, tuple[Step, ...]] = {}
        self.retention_s = RETENTION_GRACE_S + max(
            (plan.lookback for plan in self._plans), default=0
        )

    @property
    def counts_windows(self) -> bool:
        """True when some enabled rule keeps bucket counts (so the store has work)."""
        return any(plan.kind != "match" for plan in self._plans)

    def scan(self, events: Sequence[LogEvent]) -> Scan:
        """Phase 1: evaluate the per-log conditions of every rule over a batch."""
        scan = Scan()
        plans = self._plans
        immediate: dict[tuple[int, str], Hits] = {}
        counts = scan.counts
        for event in events:
            if event.source == "jenkins":
                steps = self._by_level.get(event.level)
            else:
                steps = self._by_status.get(event.http_status)
            if steps is None:
                steps = self._steps(event.source, event.level, event.http_status)
            if not steps:
                continue
            stamp = event.timestamp
            at = (stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)).timestamp()
            bucket = int(at // BUCKET_SECONDS) * BUCKET_SECONDS
            for index, plan, kind, gate_rest, route_matched, match_rest in steps:
                if gate_rest is not None and not gate_rest.admits_rest(event):
                    continue
                key = plan.group_keys.of(event)
                if kind == "match":
                    _add_hit(immediate, (index, key), event, at)
                    continue
                if kind == "flatline":
                    assert plan.expected_groups is not None
                    if key not in plan.expected_groups:
                        continue
                matched = route_matched and (match_rest is None or match_rest.admits_rest(event))
                tally = counts.get((plan.name, key, bucket))
                if tally is None:
                    counts[(plan.name, key, bucket)] = [int(matched), 1]
                else:
                    tally[0] += matched
                    tally[1] += 1
                if matched and kind != "flatline":
                    _add_hit(scan.hits.setdefault((index, key), {}), bucket, event, at)
        for (index, key), hits in immediate.items():
            detection = plans[index].detection(key, hits)
            scan.immediate[detection.fingerprint] = detection
        self._plan_queries(scan)
        return scan

    def decide(self, scan: Scan, sums: Sequence[WindowSums]) -> list[Detection]:
        """Phase 3: Detections from the scan and the window sums, one per fingerprint."""
        if len(sums) != len(scan.queries):
            raise ValueError(f"expected {len(scan.queries)} window sums, got {len(sums)}")
        detections = dict(scan.immediate)
        fired: dict[tuple[int, str], tuple[Hits, WindowSums]] = {}
        for (index, key, bucket), window in zip(scan.targets, sums, strict=True):
            if not self._plans[index].fires(window):
                continue
            hits = scan.hits[(index, key)][bucket]
            seen = fired.get((index, key))
            if seen is None:
                fired[(index, key)] = (hits.copy(), window)
            else:
                seen[0].merge(hits)
                # Targets run oldest bucket first: the last firing window describes the Detection.
                fired[(index, key)] = (seen[0], window)
        for (index, key), (hits, window) in fired.items():
            detection = self._plans[index].detection(key, hits, window)
            detections[detection.fingerprint] = detection
        # Sorted by fingerprint so the incident layer locks incidents in one order.
        return [detections[fp] for fp in sorted(detections)]

    def flatline_queries(self, now: datetime) -> list[WindowQuery]:
        """The windows ending at `now` (wall clock) that flatline rules must check."""
        until = bucket_of(now)
        queries = []
        for index in self._flatlines:
            plan = self._plans[index]
            since = from_epoch(until - plan.window + BUCKET_SECONDS)
            assert plan.expected_groups is not None
            for key in sorted(plan.expected_groups):
                queries.append(WindowQuery(plan.name, key, since, from_epoch(until), since))
        return queries

    def decide_flatlines(
        self, queries: Sequence[WindowQuery], sums: Sequence[WindowSums], now: datetime
    ) -> list[Detection]:
        """Detections for the flatline windows that hold too few logs."""
        plans = {plan.name: plan for plan in self._plans}
        detections = [
            plans[query.rule].flatline_detection(query.group_key, window, now)
            for query, window in zip(queries, sums, strict=True)
            if plans[query.rule].fires(window)
        ]
        return sorted(detections, key=lambda detection: detection.fingerprint)

    def prune_before(self, now: datetime) -> datetime:
        """Buckets older than this are no longer read by any rule."""
        return now - timedelta(seconds=self.retention_s)

    def considers(self, source: str, level: str | None, http_status: int | None) -> bool:
        """Whether any rule looks at a log of this source and level (Jenkins) or status (API).

        `scan` skips the others, so the ingestion path need not build their LogEvents.
        """
        if source == "jenkins":
            steps = self._by_level.get(level)
        else:
            steps = self._by_status.get(http_status)
        if steps is None:
            steps = self._steps(source, level, http_status)
        return bool(steps)

    def _steps(
        self, source: str, raw_level: str | None, http_status: int | None
    ) -> tuple[Step, ...]:
        """What each rule must still check of this log, memoised by level (Jenkins) or status (API).

        The table decides the gate's level/status conditions, and for a ratio rule
        whether the match's level/status hold too, so the loop only runs the rest.
        """
        level = None if raw_level is None else normalize_level(raw_level)
        if source != "jenkins":
            level = None
        steps: list[Step] = []
        for index, plan in enumerate(self._plans):
            if plan.rule.source != source:
                continue
            if not (plan.gate.admits_level(level) and plan.gate.admits_status(http_status)):
                continue
            gate_rest = None if plan.gate.rest_is_trivial else plan.gate
            if plan.gate is plan.match:
                steps.append((index, plan, plan.kind, gate_rest, True, None))
                continue
            route_matched = plan.match.admits_level(level) and plan.match.admits_status(http_status)
            match_rest = None if plan.match.rest_is_trivial else plan.match
            steps.append((index, plan, plan.kind, gate_rest, route_matched, match_rest))
        found = tuple(steps)
        if source == "jenkins" and len(self._by_level) < 10_000:
            self._by_level[raw_level] = found
        elif source == "api" and len(self._by_status) < 10_000:
            self._by_status[http_status] = found
        return found

    def _plan_queries(self, scan: Scan) -> None:
        """One window per (rule, group, bucket) that got new matches, oldest bucket first."""
        for (index, key), buckets in sorted(scan.hits.items()):
            plan = self._plans[index]
            for bucket in sorted(buckets):
                since = bucket - plan.window + BUCKET_SECONDS
                previous = since - plan.window if plan.kind == "spike" else since
                scan.queries.append(
                    WindowQuery(
                        plan.name, key, from_epoch(since), from_epoch(bucket), from_epoch(previous)
                    )
                )
                scan.targets.append((index, key, bucket))


def _add_hit(hits: dict[K, Hits], key: K, event: LogEvent, at: float) -> None:
    found = hits.get(key)
    if found is None:
        hits[key] = Hits(event, at)
    else:
        found.add(event, at)
