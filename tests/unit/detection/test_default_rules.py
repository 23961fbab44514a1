"""The nine default rules against realistic Jenkins console lines and API traffic."""

from __future__ import annotations

import pytest

from backend.detection.engine import IncidentDetector
from backend.detection.model import LogEvent
from backend.detection.rules import load_rules
from tests.unit.detection.fakes import api, detect_batches, jenkins

DEFAULT_NAMES = {
    "jenkins_build_failure",
    "jenkins_deployment_failure",
    "jenkins_timeout",
    "jenkins_pipeline_failure",
    "jenkins_test_failure",
    "jenkins_exception",
    "api_5xx_error",
    "api_4xx_spike",
    "api_authentication_failure",
}


@pytest.fixture(scope="module")
def detector() -> IncidentDetector:
    return IncidentDetector(load_rules())


def test_the_default_set_is_exactly_the_nine_seed_rules() -> None:
    rules = load_rules()
    assert {rule.name for rule in rules} == DEFAULT_NAMES
    assert len(rules) == 9
    assert all(rule.enabled and rule.runbook_url for rule in rules)


# (level, job, message) -> the rules that must fire; every other rule must stay silent.
JENKINS_CASES: list[tuple[str, str, str, set[str]]] = [
    # Build failure
    ("ERROR", "app-build", "Finished: FAILURE", {"jenkins_build_failure"}),
    ("FATAL", "app-build", "Finished: FAILURE", {"jenkins_build_failure"}),
    (
        "ERROR",
        "app-build",
        "Build step 'Execute shell' marked build as failure",
        {"jenkins_build_failure"},
    ),
    ("ERROR", "app-build", "ERROR: script returned exit code 1", {"jenkins_build_failure"}),
    ("ERROR", "app-build", "ERROR: script returned exit code 127", {"jenkins_build_failure"}),
    ("ERROR", "app-build", "[ERROR] BUILD FAILURE", {"jenkins_build_failure"}),
    ("INFO", "app-build", "Finished: SUCCESS", set()),
    ("INFO", "app-build", "+ ./gradlew build", set()),
    ("ERROR", "app-build", "script returned exit code 0", set()),
    # A failing shell step raises AbortException: a build failure, not a code exception.
    (
        "ERROR",
        "app-build",
        "hudson.AbortException: script returned exit code 2",
        {"jenkins_build_failure"},
    ),
    # Deployment failure: deploy jobs only, both rules fire on a failed deploy build.
    (
        "ERROR",
        "deploy-prod",
        "Deployment of web to production failed: readiness probe never passed",
        {"jenkins_deployment_failure"},
    ),
    (
        "ERROR",
        "deploy-prod",
        'error: deployment "web" exceeded its progress deadline',
        {"jenkins_deployment_failure"},
    ),
    (
        "ERROR",
        "release-api",
        "Error: UPGRADE FAILED: timed out waiting for the condition",
        {"jenkins_deployment_failure"},
    ),
    (
        "ERROR",
        "deploy-staging",
        "Finished: FAILURE",
        {"jenkins_build_failure", "jenkins_deployment_failure"},
    ),
    ("ERROR", "app-build", "Deployment of web failed", set()),
    ("INFO", "deploy-prod", "Retrying deployment after timeout... ok", set()),
    ("INFO", "deploy-prod", "Deployment of web to production succeeded", set()),
    # Timeout
    (
        "ERROR",
        "nightly-e2e",
        "Build timed out (after 30 minutes). Marking the build as aborted.",
        {"jenkins_timeout"},
    ),
    ("ERROR", "nightly-e2e", "Timeout has been exceeded", {"jenkins_timeout"}),
    ("WARN", "nightly-e2e", "Cancelling nested steps due to timeout", {"jenkins_timeout"}),
    ("INFO", "nightly-e2e", "Timeout set to expire in 30 min", set()),
    ("INFO", "nightly-e2e", "Timeout has been exceeded", set()),
    # Pipeline failure; a manual abort is an operator's choice, not an incident.
    ("ERROR", "app-pipeline", "[Pipeline] error", {"jenkins_pipeline_failure"}),
    (
        "ERROR",
        "app-pipeline",
        "[Pipeline] echo ERROR: integration stage failed",
        {"jenkins_pipeline_failure"},
    ),
    (
        "ERROR",
        "app-pipeline",
        "WorkflowScript: 12: unexpected token: } @ line 12, column 1.",
        {"jenkins_pipeline_failure"},
    ),
    (
        "ERROR",
        "app-pipeline",
        'Stage "Deploy" skipped due to earlier failure(s)',
        {"jenkins_pipeline_failure"},
    ),
    (
        "ERROR",
        "app-pipeline",
        "org.codehaus.groovy.control.MultipleCompilationErrorsException: startup failed:",
        {"jenkins_pipeline_failure", "jenkins_exception"},
    ),
    ("INFO", "app-pipeline", "[Pipeline] // stage", set()),
    ("INFO", "app-pipeline", "[Pipeline] echo building ERROR-handling module", set()),
    ("INFO", "app-pipeline", "Finished: ABORTED", set()),
    ("ERROR", "app-pipeline", "Finished: ABORTED", set()),
    # Test failure: non-zero counts at WARN or above.
    (
        "WARN",
        "app-build",
        "Tests run: 42, Failures: 3, Errors: 0, Skipped: 1",
        {"jenkins_test_failure"},
    ),
    ("ERROR", "app-build", "Tests run: 42, Failures: 10", {"jenkins_test_failure"}),
    ("ERROR", "app-build", "Tests run: 42, Failures: 0, Errors: 2", {"jenkins_test_failure"}),
    ("ERROR", "app-build", "[ERROR] There are test failures.", {"jenkins_test_failure"}),
    (
        "WARN",
        "app-build",
        "=========== 3 failed, 39 passed in 12.31s ===========",
        {"jenkins_test_failure"},
    ),
    ("INFO", "app-build", "Tests run: 42, Failures: 0, Errors: 0", set()),
    ("ERROR", "app-build", "Tests run: 42, Failures: 0, Errors: 0, Skipped: 0", set()),
    ("WARN", "app-build", "=========== 0 failed, 42 passed in 9.02s ===========", set()),
    ("INFO", "app-build", "Tests run: 42, Failures: 3, Errors: 0", set()),
    # Exceptions at ERROR
    (
        "ERROR",
        "app-build",
        'java.lang.NullPointerException: Cannot invoke "String.length()" because "s" is null',
        {"jenkins_exception"},
    ),
    (
        "ERROR",
        "app-build",
        "\tat com.example.orders.OrderService.place(OrderService.java:88)",
        {"jenkins_exception"},
    ),
    ("ERROR", "app-build", "Caused by: java.io.IOException: Broken pipe", {"jenkins_exception"}),
    ("ERROR", "app-build", "java.lang.OutOfMemoryError: Java heap space", {"jenkins_exception"}),
    ("WARN", "app-build", "java.lang.IllegalStateException: retrying", set()),
    ("INFO", "app-build", "java.lang.NullPointerException", set()),
    (
        "ERROR",
        "app-build",
        "org.jenkinsci.plugins.workflow.steps.FlowInterruptedException",
        set(),
    ),
]


@pytest.mark.parametrize(("level", "job", "message", "expected"), JENKINS_CASES)
async def test_jenkins_line(
    detector: IncidentDetector, level: str, job: str, message: str, expected: set[str]
) -> None:
    [detections] = await detect_batches(detector, [jenkins(message, level=level, job=job)])
    assert {d.rule for d in detections} == expected


@pytest.mark.parametrize(
    ("job", "rule", "severity"),
    [
        ("deploy-prod", "jenkins_deployment_failure", "critical"),
        ("deploy-staging", "jenkins_deployment_failure", "high"),
        ("deploy-prod", "jenkins_build_failure", "high"),
        ("deploy-staging", "jenkins_build_failure", "medium"),
    ],
)
async def test_production_jobs_are_more_severe(
    detector: IncidentDetector, job: str, rule: str, severity: str
) -> None:
    [detections] = await detect_batches(detector, [jenkins("Finished: FAILURE", job=job)])
    assert {d.rule: d.severity for d in detections}[rule] == severity


async def test_build_failure_proposes_a_restart_and_names_the_build(
    detector: IncidentDetector,
) -> None:
    [[detection]] = await detect_batches(
        detector, [jenkins("Finished: FAILURE", job="payments-ci", build=88)]
    )
    assert detection.fingerprint == "jenkins_build_failure|job_name=payments-ci"
    assert detection.title == "Build failed: payments-ci #88"
    assert detection.remediation is not None and detection.remediation.action == "restart"
    assert detection.build_number == 88


def logins(status: int, count: int, start: float = 0.0, step: float = 1.0) -> list[LogEvent]:
    return [api(status, "/api/login", "POST", at=start + i * step) for i in range(count)]


async def test_auth_failures_fire_at_five_in_a_minute(detector: IncidentDetector) -> None:
    [four] = await detect_batches(detector, logins(401, 4))
    [five] = await detect_batches(detector, logins(401, 3) + logins(403, 2, start=3))
    assert four == []
    assert [(d.rule, d.severity, d.occurrences) for d in five] == [
        ("api_authentication_failure", "high", 5)
    ]
    assert five[0].title == "Authentication failures on /api/login: 5 in 1m"


async def test_other_4xx_are_not_authentication_failures(detector: IncidentDetector) -> None:
    [detections] = await detect_batches(detector, logins(404, 10) + logins(429, 10))
    assert "api_authentication_failure" not in {d.rule for d in detections}


async def test_auth_failure_fires_alongside_the_4xx_spike(detector: IncidentDetector) -> None:
    # The original checked the generic 4xx rule first, so 401/403 never reached their rule.
    [detections] = await detect_batches(detector, logins(401, 25, step=0.4))
    assert {d.rule for d in detections} == {"api_4xx_spike", "api_authentication_failure"}


def traffic(errors: int, ok: int, endpoint: str = "/api/orders") -> list[LogEvent]:
    """Requests within one 10 s bucket, so the whole batch is one window."""
    return [api(503, endpoint, at=1) for _ in range(errors)] + [
        api(200, endpoint, at=2) for _ in range(ok)
    ]


@pytest.mark.parametrize(
    ("errors", "ok", "fires"),
    [
        (5, 95, True),  # exactly 5%
        (5, 96, False),  # 4.95%
        (5, 15, True),  # exactly the minimum of 20 requests
        (19, 0, False),  # all failing but fewer than 20 requests
        (4, 16, False),  # 20% but fewer than 5 errors
        (0, 100, False),
    ],
)
async def test_5xx_share_per_endpoint(
    detector: IncidentDetector, errors: int, ok: int, fires: bool
) -> None:
    [detections] = await detect_batches(detector, traffic(errors, ok))
    assert [d.rule for d in detections] == (["api_5xx_error"] if fires else [])


async def test_5xx_title_gives_the_share(detector: IncidentDetector) -> None:
    [[detection]] = await detect_batches(detector, traffic(6, 54))
    assert detection.title == "10.0% of requests to /api/orders failed with 5xx (6 of 60 in 1m)"
    assert detection.details["ratio"] == 0.1


async def test_5xx_on_one_endpoint_is_not_diluted_by_another(detector: IncidentDetector) -> None:
    [detections] = await detect_batches(
        detector, traffic(5, 20, "/api/pay") + traffic(0, 1000, "/api/home")
    )
    assert [d.fingerprint for d in detections] == ["api_5xx_error|endpoint=/api/pay"]


async def test_4xx_spike_against_the_previous_window(detector: IncidentDetector) -> None:
    steady = [api(404, "/api/items", at=i * 30) for i in range(20)]  # 10 per 5 minutes
    nearly_triple = [api(404, "/api/items", at=600 + i * 10) for i in range(29)]
    one_more = [api(404, "/api/items", at=895)]
    first, second, third = await detect_batches(detector, steady, nearly_triple, one_more)
    assert first == [] and second == []
    assert [(d.rule, d.details["matches"], d.details["previous_matches"]) for d in third] == [
        ("api_4xx_spike", 30, 10)
    ]


async def test_4xx_from_nothing_to_twenty_is_a_spike(detector: IncidentDetector) -> None:
    nineteen = [api(400, "/api/items", at=i * 10) for i in range(19)]
    [quiet, spike] = await detect_batches(detector, nineteen, [api(400, "/api/items", at=200)])
    assert quiet == []
    assert [d.rule for d in spike] == ["api_4xx_spike"]
