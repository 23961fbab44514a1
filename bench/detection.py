"""Micro-benchmark of the pure detection engine: records/s through scan + decide.

Pessimistic mix: 10% ERROR and 20% WARN Jenkins lines (real consoles have far
fewer), many of them unique; API traffic over 48 endpoints with ~10% 4xx/5xx.

Runs the default rule set over batches of 1,000 realistic records (Jenkins
console lines, API access records, and a half-and-half mix). The store is left
out: window sums are zeros, so this measures the engine's own per-record cost.

    .venv/bin/python bench/detection.py [--batches 200] [--batch-size 1000]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from backend.detection.engine import IncidentDetector
from backend.detection.model import LogEvent
from backend.detection.rules import load_rules
from backend.detection.windows import WindowSums

JOBS = [
    f"{team}-{kind}"
    for team in ("payments", "orders", "web", "search")
    for kind in ("ci", "deploy-prod", "deploy-staging", "nightly", "release")
]
INFO_LINES = [
    "[Pipeline] stage",
    "[Pipeline] { (Build)",
    "[Pipeline] sh",
    "+ npm ci --no-audit",
    "Checking out Revision {hex} (refs/remotes/origin/main)",
    "[INFO] Building jar: /var/jenkins_home/workspace/app/target/app-1.{n}.jar",
    "Tests run: {n}, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: {n}.{n} s",
    "Started by user admin",
    "Checking out Revision 3f2c1a9 (refs/remotes/origin/main)",
    "Tests run: 42, Failures: 0, Errors: 0, Skipped: 0",
    "Finished: SUCCESS",
    "Retrying deployment after timeout... ok",
    "[INFO] BUILD SUCCESS",
    "Downloading https://repo.maven.apache.org/maven2/org/slf4j/slf4j-api/2.0.9/slf4j-api-2.0.9.pom",
]
WARN_LINES = [
    "Tests run: {n}, Failures: 3, Errors: 0, Skipped: 1",
    "[WARNING] /var/jenkins_home/workspace/app/src/Main.java:[{n},8] unchecked conversion",
    "[WARNING] Using platform encoding (UTF-8 actually) to copy filtered resources",
    "Cancelling nested steps due to timeout",
    "npm WARN deprecated request@2.88.2",
]
ERROR_LINES = [
    "Finished: FAILURE",
    "ERROR: script returned exit code {n}",
    "java.lang.IllegalStateException: order {hex} is in state PAID, expected NEW",
    "\tat com.example.svc{n}.Handler.handle(Handler.java:{n})",
    "Build step 'Execute shell' marked build as failure",
    "Build timed out (after 30 minutes). Marking the build as aborted.",
    'java.lang.NullPointerException: Cannot invoke "String.length()" because "s" is null',
    "\tat com.example.orders.OrderService.place(OrderService.java:88)",
    "hudson.AbortException: script returned exit code 2",
    "Deployment of web to production failed: readiness probe never passed",
    "[Pipeline] error",
    "npm ERR! code ELIFECYCLE",
]
ENDPOINTS = [
    f"/api/{name}"
    for name in ("orders", "users", "payments", "search", "login", "items", "cart", "health")
] + [f"/api/v2/resource{i}" for i in range(40)]
STATUSES = (
    [200] * 80
    + [201] * 5
    + [204] * 2
    + [304] * 2
    + [400, 404, 404, 409, 422, 429, 401, 403]
    + [500, 502, 503]
)


def vary(rng: random.Random, line: str) -> str:
    """Fill ids and numbers: many real console lines are unique."""
    return line.replace("{hex}", f"{rng.getrandbits(40):010x}").replace(
        "{n}", str(rng.randint(1, 999))
    )


def jenkins_records(rng: random.Random, count: int, start: datetime) -> list[LogEvent]:
    """70% INFO/DEBUG, 20% WARN, 10% ERROR lines across 20 jobs."""
    records = []
    for i in range(count):
        roll = rng.random()
        level, lines = (
            ("INFO", INFO_LINES)
            if roll < 0.7
            else ("WARN", WARN_LINES)
            if roll < 0.9
            else ("ERROR", ERROR_LINES)
        )
        records.append(
            LogEvent(
                source="jenkins",
                timestamp=start + timedelta(milliseconds=i),
                message=vary(rng, rng.choice(lines)),
                level=level,
                job_name=rng.choice(JOBS),
                build_number=rng.randint(1, 500),
            )
        )
    return records


def api_records(rng: random.Random, count: int, start: datetime) -> list[LogEvent]:
    """~90% success, ~8% 4xx, ~3% 5xx across 48 endpoints."""
    records = []
    for i in range(count):
        endpoint, status = rng.choice(ENDPOINTS), rng.choice(STATUSES)
        method = rng.choice(("GET", "GET", "GET", "POST", "PUT", "DELETE"))
        records.append(
            LogEvent(
                source="api",
                timestamp=start + timedelta(milliseconds=i),
                message=f"{method} {endpoint} {status} {rng.randint(2, 900)}ms",
                http_method=method,
                http_status=status,
                endpoint=endpoint,
            )
        )
    return records


def mixed_records(rng: random.Random, count: int, start: datetime) -> list[LogEvent]:
    return jenkins_records(rng, count // 2, start) + api_records(rng, count - count // 2, start)


def measure(
    detector: IncidentDetector,
    make: Callable[[random.Random, int, datetime], list[LogEvent]],
    batches: int,
    size: int,
) -> tuple[float, float, int]:
    """Records per wall second and per CPU second, and detections, through scan + decide."""
    rng = random.Random(7)
    start = datetime(2025, 3, 4, 12, tzinfo=UTC)
    data = [make(rng, size, start + timedelta(seconds=i)) for i in range(batches)]
    detections = 0
    began, began_cpu = time.perf_counter(), time.process_time()
    for batch in data:
        scan = detector.scan(batch)
        detections += len(detector.decide(scan, [WindowSums()] * len(scan.queries)))
    elapsed, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    return batches * size / elapsed, batches * size / cpu, detections


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args()
    detector = IncidentDetector(load_rules())
    for name, make in (
        ("jenkins", jenkins_records),
        ("api", api_records),
        ("mixed", mixed_records),
    ):
        measure(detector, make, 5, args.batch_size)  # warm the caches
        rate, cpu_rate, detections = measure(detector, make, args.batches, args.batch_size)
        # On a shared machine the CPU-time rate is the engine's cost; wall time includes waiting.
        print(
            f"{name:8} {rate:>10,.0f} records/s wall  {cpu_rate:>10,.0f} records/CPU-s"
            f"  ({args.batches} batches of {args.batch_size}, {detections} detections)"
        )


if __name__ == "__main__":
    main()
