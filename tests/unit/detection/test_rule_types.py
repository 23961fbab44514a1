"""Each rule type on its own: per-log conditions, window edges, ratios, spikes, flatlines."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.detection.engine import IncidentDetector
from backend.detection.model import LogEvent
from backend.detection.rules import rules_from_yaml
from backend.detection.store import detect_flatlines
from tests.unit.detection.fakes import T0, InMemoryBucketCounts, api, detect_batches, jenkins


def detector_for(body: str, source: str = "jenkins", kind: str = "match") -> IncidentDetector:
    """One rule named `r` of `kind`, with `body` (YAML lines) added."""
    text = f"- name: r\n  type: {kind}\n  source: {source}\n  severity: high\n" + "".join(
        f"  {line}\n" for line in body.strip().splitlines()
    )
    return IncidentDetector(rules_from_yaml(text, "test.yaml"))


async def fires(detector: IncidentDetector, *events: LogEvent) -> bool:
    [detections] = await detect_batches(detector, list(events))
    return bool(detections)


MATCH_CASES: list[tuple[str, str, LogEvent, bool]] = [
    ("levels", "match: {levels: [ERROR]}", jenkins("x", level="ERROR"), True),
    ("levels, any case", "match: {levels: [ERROR]}", jenkins("x", level="error"), True),
    ("levels, JUL alias", "match: {levels: [ERROR]}", jenkins("x", level="SEVERE"), True),
    ("levels, WARNING alias", "match: {levels: [WARN]}", jenkins("x", level="WARNING"), True),
    ("levels, other", "match: {levels: [ERROR]}", jenkins("x", level="WARN"), False),
    ("regex", "match: {message_regex: 'exit code [1-9]'}", jenkins("exit code 2"), True),
    ("regex, miss", "match: {message_regex: 'exit code [1-9]'}", jenkins("exit code 0"), False),
    (
        "regex list",
        "match: {message_regex: ['^a', 'b$']}",
        jenkins("xb"),
        True,
    ),
    (
        "not regex",
        "match: {message_regex: fail, message_not_regex: 'flaky'}",
        jenkins("fail: flaky test"),
        False,
    ),
    ("job glob", "match: {jobs: ['deploy-*']}", jenkins("x", job="deploy-prod"), True),
    ("job glob, miss", "match: {jobs: ['deploy-*']}", jenkins("x", job="build-deploy"), False),
    ("job glob, case", "match: {jobs: ['deploy-*']}", jenkins("x", job="Deploy-prod"), False),
    (
        "excluded job",
        "match: {jobs: ['deploy-*'], exclude_jobs: ['deploy-sandbox*']}",
        jenkins("x", job="deploy-sandbox-1"),
        False,
    ),
    ("folder job", "match: {jobs: ['team-a/*']}", jenkins("x", job="team-a/deploy"), True),
]
API_MATCH_CASES: list[tuple[str, str, LogEvent, bool]] = [
    ("status range", "match: {http_status: ['500-599']}", api(503), True),
    ("status range, edge", "match: {http_status: ['500-599']}", api(599), True),
    ("status range, miss", "match: {http_status: ['500-599']}", api(499), False),
    ("status class", "match: {http_status: 4xx}", api(404), True),
    ("status list", "match: {http_status: [401, 403]}", api(403), True),
    ("status list, miss", "match: {http_status: [401, 403]}", api(402), False),
    ("method", "match: {http_methods: [post]}", api(200, method="POST"), True),
    ("method, miss", "match: {http_methods: [POST]}", api(200, method="GET"), False),
    ("endpoint glob", "match: {endpoints: ['/api/v1/*']}", api(200, "/api/v1/users"), True),
    (
        "endpoint glob ignores query",
        "match: {endpoints: ['/api/v1/users']}",
        api(200, "/api/v1/users?page=2"),
        True,
    ),
    (
        "excluded endpoint",
        "match: {endpoints: ['/api/*'], exclude_endpoints: ['/api/health']}",
        api(200, "/api/health"),
        False,
    ),
    (
        "all conditions must hold",
        "match: {http_status: ['500-599'], http_methods: [POST], endpoints: ['/api/pay*']}",
        api(500, "/api/pay", "GET"),
        False,
    ),
    (
        "all conditions hold",
        "match: {http_status: ['500-599'], http_methods: [POST], endpoints: ['/api/pay*']}",
        api(500, "/api/payments", "POST"),
        True,
    ),
]


@pytest.mark.parametrize(
    ("case", "conditions", "event", "expected"), MATCH_CASES, ids=[c[0] for c in MATCH_CASES]
)
async def test_jenkins_match_conditions(
    case: str, conditions: str, event: LogEvent, expected: bool
) -> None:
    assert await fires(detector_for(conditions), event) is expected


@pytest.mark.parametrize(
    ("case", "conditions", "event", "expected"),
    API_MATCH_CASES,
    ids=[c[0] for c in API_MATCH_CASES],
)
async def test_api_match_conditions(
    case: str, conditions: str, event: LogEvent, expected: bool
) -> None:
    assert await fires(detector_for(conditions, source="api"), event) is expected


async def test_a_rule_sees_only_its_source() -> None:
    detector = detector_for("match: {message_regex: '.'}")
    assert not await fires(detector, api(500))
    assert await fires(detector, jenkins("x"))


FREQUENCY = "match: {levels: [ERROR]}\nwindow: 30s\nmin_count: 3\ngroup_by: [job_name]"


@pytest.mark.parametrize(
    ("offsets", "expected"),
    [
        ([0, 1, 2], True),  # exactly N
        ([0, 1], False),  # N - 1
        ([0, 10, 20], True),  # three buckets, one window
        ([0, 10, 30], False),  # bucket 0 fell out of the window ending at 30
        ([10, 10.5, 39.999], True),  # the window ending at bucket 30 covers buckets 10..30
        ([9.999, 10, 39.999], False),  # 9.999 s lies in bucket 0
        ([0, 0, 59], False),
    ],
)
async def test_frequency_window_edges(offsets: list[float], expected: bool) -> None:
    detector = detector_for(FREQUENCY, kind="frequency")
    assert await fires(detector, *(jenkins("x", at=at) for at in offsets)) is expected


async def test_frequency_counts_per_group() -> None:
    detector = detector_for(FREQUENCY, kind="frequency")
    events = [jenkins("x", job="a"), jenkins("x", job="a"), jenkins("x", job="b")]
    assert not await fires(detector, *events)


async def test_frequency_keeps_firing_while_it_holds_with_new_matches_only() -> None:
    detector = detector_for(FREQUENCY, kind="frequency")
    batches = [[jenkins("x", at=1), jenkins("x", at=2)], [jenkins("x", at=3)], [jenkins("x", at=4)]]
    first, second, third = await detect_batches(detector, *batches)
    assert first == []
    assert [(d.occurrences, d.details["matches"]) for d in second] == [(1, 3)]
    assert [(d.occurrences, d.details["matches"]) for d in third] == [(1, 4)]


async def test_a_late_log_counts_at_its_own_time() -> None:
    detector = detector_for(FREQUENCY, kind="frequency")
    recent = [jenkins("x", at=600), jenkins("x", at=601)]
    late = [jenkins("x", at=0)]
    first, second = await detect_batches(detector, recent, late)
    assert first == second == []


async def test_a_batch_spanning_windows_fires_only_where_the_burst_was() -> None:
    detector = detector_for(FREQUENCY, kind="frequency")
    burst = [jenkins("x", at=at, build=1) for at in (0, 1, 2)]
    later = [jenkins("x", at=300, build=2)]
    [[detection]] = await detect_batches(detector, later + burst)
    assert detection.occurrences == 3
    assert detection.last_seen == T0 + timedelta(seconds=2)
    assert detection.build_number == 1


THRESHOLD = (
    "match: {http_status: ['500-599']}\npopulation: {http_methods: [POST]}\n"
    "window: 1m\nratio: 0.5\nmin_total: 4\ngroup_by: [endpoint]"
)


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([500, 500, 200, 200], True),  # exactly the ratio
        ([500, 200, 200, 200], False),
        ([500, 500, 500], False),  # under min_total
        ([500, 500, 500, 500], True),
    ],
)
async def test_threshold_ratio(statuses: list[int], expected: bool) -> None:
    detector = detector_for(THRESHOLD, source="api", kind="threshold")
    events = [api(status, method="POST") for status in statuses]
    assert await fires(detector, *events) is expected


async def test_threshold_counts_only_its_population() -> None:
    detector = detector_for(THRESHOLD, source="api", kind="threshold")
    # GETs are outside the population: neither their 500s nor their 200s count.
    events = [api(500, method="POST"), api(500, method="POST"), api(200, method="POST")]
    events += [api(500, method="GET")] * 3 + [api(200, method="GET")] * 10
    counts = InMemoryBucketCounts()
    [detections] = await detect_batches(detector, events + [api(200, method="POST")], counts=counts)
    assert [(d.details["matches"], d.details["total"]) for d in detections] == [(2, 4)]
    assert list(counts.buckets.values()) == [[2, 4]]


SPIKE = (
    "match: {http_status: [429]}\nwindow: 20s\nratio: 2\nmin_count: 4\nmin_previous: 2\n"
    "group_by: [endpoint]"
)


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        (2, 4, True),  # exactly twice, at the minimum
        (3, 5, False),  # under twice
        (2, 3, False),  # under min_count
        (1, 10, False),  # too little history
        (0, 10, False),
    ],
)
async def test_spike_current_against_previous(previous: int, current: int, expected: bool) -> None:
    detector = detector_for(SPIKE, source="api", kind="spike")
    before = [api(429, at=1 + i * 0.1) for i in range(previous)]  # window ending at bucket 10
    now = [api(429, at=21 + i * 0.1) for i in range(current)]  # window ending at bucket 30
    first, second = await detect_batches(detector, before, now)
    assert first == []
    assert bool(second) is expected


FLATLINE = "window: 1m\nmin_count: 2"


async def test_flatline_on_the_whole_source() -> None:
    detector = detector_for(FLATLINE, kind="flatline")
    counts = InMemoryBucketCounts()
    await detect_batches(
        detector, [jenkins("x", level="INFO", at=at) for at in (5, 55)], counts=counts
    )
    assert await detect_flatlines(counts, detector, T0 + timedelta(seconds=59)) == []
    # At 1:05 the window covers buckets 0:10..1:00: the 0:05 log is out.
    [detection] = await detect_flatlines(counts, detector, T0 + timedelta(seconds=65))
    assert (detection.fingerprint, detection.occurrences) == ("r", 1)
    assert detection.details == {"window_s": 60, "matches": 1, "min_count": 2}
    assert detection.last_seen == T0 + timedelta(seconds=65)


async def test_flatline_groups_count_only_named_groups() -> None:
    detector = detector_for(
        FLATLINE + "\ngroup_by: [job_name]\ngroups: [{job_name: backup}]", kind="flatline"
    )
    counts = InMemoryBucketCounts()
    events = [jenkins("x", job="backup", at=1), jenkins("x", job="other", at=2)]
    events += [jenkins("x", job="other", at=3)]
    await detect_batches(detector, events, counts=counts)
    assert [key[1] for key in counts.buckets] == ["job_name=backup"]
    [detection] = await detect_flatlines(counts, detector, T0 + timedelta(seconds=5))
    assert (detection.fingerprint, detection.job_name) == ("r|job_name=backup", "backup")
