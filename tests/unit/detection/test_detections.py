"""What a Detection says: fingerprints, aggregation within a batch, severity, remediation."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from backend.detection.engine import IncidentDetector
from backend.detection.grouping import fingerprint, format_group_key
from backend.detection.rules import load_rules, rules_from_yaml
from backend.detection.windows import WindowSums
from tests.unit.detection.fakes import T0, InMemoryBucketCounts, api, detect_batches, jenkins

RULES = """
- name: failure
  type: match
  source: jenkins
  severity: medium
  match: {levels: [ERROR], message_regex: 'Finished: FAILURE'}
  group_by: [job_name]
  title: "{rule} on {job_name} #{build_number} ({count}x) {endpoint}"
  severity_overrides:
    - {jobs: ['*-prod'], severity: critical}
  remediation: {action: restart, parameters: {reason: auto}, jobs: ['ci-*']}
- name: by_endpoint_method
  type: match
  source: api
  severity: low
  match: {http_status: ['500-599']}
  group_by: [endpoint, http_method]
- name: everything_5xx
  type: match
  source: api
  severity: low
  match: {http_status: ['500-599']}
- name: switched_off
  type: match
  source: api
  severity: high
  enabled: false
  match: {http_status: ['500-599']}
"""


@pytest.fixture
def detector() -> IncidentDetector:
    return IncidentDetector(rules_from_yaml(RULES, "test.yaml"))


async def test_one_detection_per_fingerprint_within_a_batch(detector: IncidentDetector) -> None:
    batch = [
        jenkins("Finished: FAILURE", job="ci-app", build=12, at=5),
        jenkins("Finished: FAILURE", job="ci-app", build=13, at=9),
        jenkins("Finished: FAILURE", job="ci-app", build=11, at=1),
        jenkins("Finished: FAILURE", job="ci-web", build=3, at=2),
    ]
    [detections] = await detect_batches(detector, batch)
    assert [d.fingerprint for d in detections] == [
        "failure|job_name=ci-app",
        "failure|job_name=ci-web",
    ]
    app = detections[0]
    assert (app.occurrences, app.build_number) == (3, 13)
    assert (app.first_seen, app.last_seen) == (T0 + timedelta(seconds=1), T0 + timedelta(seconds=9))
    assert app.title == "failure on ci-app #13 (3x) ?"


async def test_fingerprints_are_stable_across_batches_and_builds(
    detector: IncidentDetector,
) -> None:
    first, second = await detect_batches(
        detector,
        [jenkins("Finished: FAILURE", job="ci-app", build=1)],
        [jenkins("Finished: FAILURE", job="ci-app", build=2, at=3600)],
    )
    other = IncidentDetector(rules_from_yaml(RULES, "test.yaml"))
    [third] = await detect_batches(other, [jenkins("Finished: FAILURE", job="ci-app", build=3)])
    assert {d.fingerprint for d in first + second + third} == {"failure|job_name=ci-app"}


async def test_group_keys_follow_group_by_order_and_strip_queries(
    detector: IncidentDetector,
) -> None:
    [detections] = await detect_batches(
        detector, [api(502, "/api/pay?id=7", "post"), api(503, "/api/pay", "POST")]
    )
    assert [(d.fingerprint, d.occurrences, d.endpoint) for d in detections] == [
        ("by_endpoint_method|endpoint=/api/pay,http_method=POST", 2, "/api/pay"),
        ("everything_5xx", 2, "/api/pay"),
    ]


def test_separators_in_values_cannot_make_two_groups_collide() -> None:
    tricky = format_group_key(["endpoint", "http_method"], ["/a,http_method=GET", "POST"])
    plain = format_group_key(["endpoint", "http_method"], ["/a", "GET"])
    assert tricky == "endpoint=/a%2Chttp_method%3DGET,http_method=POST"
    assert tricky != plain
    assert fingerprint("r", "job_name=a%7Cb") == "r|job_name=a%7Cb"
    assert fingerprint("r", "") == "r"


async def test_disabled_rules_never_fire(detector: IncidentDetector) -> None:
    [detections] = await detect_batches(detector, [api(500)])
    assert "switched_off" not in {d.rule for d in detections}


@pytest.mark.parametrize(
    ("job", "severity", "action"),
    [("ci-app", "medium", "restart"), ("deploy-prod", "critical", None)],
)
async def test_severity_override_and_remediation_by_job(
    detector: IncidentDetector, job: str, severity: str, action: str | None
) -> None:
    [[detection]] = await detect_batches(detector, [jenkins("Finished: FAILURE", job=job)])
    assert detection.severity == severity
    assert (detection.remediation and detection.remediation.action) == action
    if detection.remediation is not None:
        assert detection.remediation.parameters == {"reason": "auto"}


async def test_naive_timestamps_are_taken_as_utc(detector: IncidentDetector) -> None:
    naive = replace(jenkins("Finished: FAILURE", job="ci-app"), timestamp=datetime(2025, 3, 4, 12))
    [[detection]] = await detect_batches(detector, [naive])
    assert detection.first_seen == T0


async def test_no_round_trip_when_no_windowed_rule_counts() -> None:
    detector = IncidentDetector(load_rules())
    counts = InMemoryBucketCounts()
    batch = [jenkins("Finished: FAILURE"), jenkins("Started by user admin", level="INFO")]
    [detections] = await detect_batches(detector, batch, counts=counts)
    assert [d.rule for d in detections] == ["jenkins_build_failure"]
    assert counts.round_trips == 0
    await detect_batches(detector, [api(200)], counts=counts)
    assert counts.round_trips == 1


def test_decide_refuses_sums_that_do_not_fit_the_scan() -> None:
    detector = IncidentDetector(load_rules())
    scan = detector.scan([api(401, "/api/login")])
    with pytest.raises(ValueError, match="expected 2 window sums"):
        detector.decide(scan, [WindowSums()])


def test_scan_sorts_deltas_by_key() -> None:
    detector = IncidentDetector(load_rules())
    scan = detector.scan([api(401, "/b", at=20), api(401, "/a", at=10), api(500, "/a", at=0)])
    keys = [(d.rule, d.group_key, d.bucket_start) for d in scan.deltas()]
    assert keys == sorted(keys)
    # api_5xx_error counts every request (its population); the 4xx rules count the 401s.
    assert len(keys) == 7
