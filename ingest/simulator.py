"""Realistic Jenkins pipeline and API access logs, with failures that trip every default rule.

`LogScenario.records(second)` is pure (a seeded RNG and the time it is given);
the sinks in `ingest/simulator_sinks.py` write what it produces.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ingest.mapping import LogSource

JOBS = (
    "web-app",
    "payments-api",
    "deploy-prod",
    "nightly-tests",
    "release-mobile",
    "infra/terraform",
)
ENDPOINTS = ("/api/orders", "/api/payments", "/api/users/{id}", "/api/search", "/health")
METHODS = ("GET", "GET", "GET", "POST", "PUT", "DELETE")

PIPELINE_LINES = (
    "Started by user deploy-bot",
    "[Pipeline] Start of Pipeline",
    "[Pipeline] node",
    "Running on agent-{agent} in /var/jenkins/workspace/{job}",
    "[Pipeline] stage ('Checkout')",
    "Cloning repository https://git.example.com/{job}.git",
    "[Pipeline] sh",
    "+ npm ci --no-audit",
    "added 1432 packages in 21.4s",
    "Tests run: {tests}, Failures: 0, Errors: 0, Skipped: 2",
    "[Pipeline] stage ('Deploy')",
    "Finished: SUCCESS",
)

# One failure per default rule: (source, rule it should trip, how many lines, line factory).
FAILURES: tuple[tuple[LogSource, str, int], ...] = (
    ("jenkins", "jenkins_build_failure", 1),
    ("jenkins", "jenkins_deployment_failure", 1),
    ("jenkins", "jenkins_timeout", 1),
    ("jenkins", "jenkins_pipeline_failure", 1),
    ("jenkins", "jenkins_test_failure", 1),
    ("jenkins", "jenkins_exception", 1),
    ("api", "api_5xx_error", 30),
    ("api", "api_4xx_spike", 40),
    ("api", "api_authentication_failure", 8),
)


@dataclass(frozen=True, slots=True)
class SimulatedLog:
    source: LogSource
    record: dict[str, Any]


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class LogScenario:
    """A steady stream of normal logs with one failure scenario every `failure_every_s` seconds."""

    def __init__(self, *, rate: int, seed: int = 7, failure_every_s: int = 10) -> None:
        self._rate = rate
        self._rng = random.Random(seed)
        self._failure_every_s = failure_every_s
        self._builds = {job: self._rng.randint(100, 400) for job in JOBS}

    def records(self, second: int, start: datetime) -> Iterator[SimulatedLog]:
        """The logs of one second of the run (`rate` normal ones, plus a failure when due)."""
        base = start + timedelta(seconds=second)
        for n in range(self._rate):
            moment = base + timedelta(microseconds=n * 1_000_000 // max(self._rate, 1))
            yield self._jenkins_line(moment) if self._rng.random() < 0.5 else self._access(moment)
        if second % self._failure_every_s == self._failure_every_s - 1:
            yield from self.failure(second // self._failure_every_s % len(FAILURES), base)

    def failure(self, which: int, moment: datetime) -> Iterator[SimulatedLog]:
        """The lines of failure scenario `which` (see FAILURES)."""
        source, rule, count = FAILURES[which]
        for n in range(count):
            at = moment + timedelta(milliseconds=n * 10)
            if source == "jenkins":
                yield self._jenkins_failure(rule, at)
            else:
                yield self._api_failure(rule, at)

    def _jenkins_line(self, moment: datetime) -> SimulatedLog:
        job = self._rng.choice(JOBS)
        line = self._rng.choice(PIPELINE_LINES).format(
            job=job, agent=self._rng.randint(1, 6), tests=self._rng.randint(40, 900)
        )
        return self._jenkins(moment, job, "INFO", line)

    def _jenkins_failure(self, rule: str, moment: datetime) -> SimulatedLog:
        failures = {
            "jenkins_build_failure": ("web-app", "ERROR", "Finished: FAILURE"),
            "jenkins_deployment_failure": (
                "deploy-prod",
                "ERROR",
                'error: deployment "checkout" exceeded its progress deadline',
            ),
            "jenkins_timeout": (
                "nightly-tests",
                "ERROR",
                "Timeout has been exceeded",
            ),
            "jenkins_pipeline_failure": (
                "release-mobile",
                "ERROR",
                "[Pipeline] error: signing key not found",
            ),
            "jenkins_test_failure": (
                "payments-api",
                "WARN",
                "Tests run: 412, Failures: 3, Errors: 1, Skipped: 0",
            ),
            "jenkins_exception": (
                "infra/terraform",
                "ERROR",
                "java.lang.IllegalStateException: workspace is locked by another build",
            ),
        }
        job, level, message = failures[rule]
        self._builds[job] += 1
        return self._jenkins(moment, job, level, message)

    def _jenkins(self, moment: datetime, job: str, level: str, message: str) -> SimulatedLog:
        return SimulatedLog(
            "jenkins",
            {
                "@timestamp": _iso(moment),
                "level": level,
                "message": message,
                "job_name": job,
                "build_number": self._builds[job],
                "details": {"node": f"agent-{self._rng.randint(1, 6)}"},
                "_id": uuid.UUID(int=self._rng.getrandbits(128)).hex,
            },
        )

    def _access(
        self, moment: datetime, *, endpoint: str | None = None, status: int | None = None
    ) -> SimulatedLog:
        status = status or self._rng.choice((200, 200, 200, 200, 201, 204, 304, 404))
        endpoint = endpoint or self._rng.choice(ENDPOINTS)
        method = self._rng.choice(METHODS)
        millis = self._rng.randint(3, 250) if status < 500 else self._rng.randint(900, 30_000)
        return SimulatedLog(
            "api",
            {
                "@timestamp": _iso(moment),
                "http_method": method,
                "http_status": status,
                "endpoint": endpoint,
                "message": f"{method} {endpoint} {status} {millis}ms",
                "details": {
                    "duration_ms": millis,
                    "client_ip": f"10.0.{self._rng.randint(0, 9)}.{self._rng.randint(1, 254)}",
                },
                "_id": uuid.UUID(int=self._rng.getrandbits(128)).hex,
            },
        )

    def _api_failure(self, rule: str, moment: datetime) -> SimulatedLog:
        endpoint, status = {
            "api_5xx_error": ("/api/payments", self._rng.choice((500, 502, 503, 504))),
            "api_4xx_spike": ("/api/search", self._rng.choice((400, 404, 422))),
            "api_authentication_failure": ("/api/login", self._rng.choice((401, 403))),
        }[rule]
        return self._access(moment, endpoint=endpoint, status=status)
