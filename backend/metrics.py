"""Prometheus metrics of the core path.

With several API workers, prometheus-client's multiprocess mode aggregates the
workers' counters (`PROMETHEUS_MULTIPROC_DIR`, set by `runbooks api`); outbox
gauges are read from the database at scrape time, so every worker reports the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from backend.repositories.outbox import OutboxBacklog

LOGS_INGESTED = Counter("runbooks_logs_ingested", "Log records stored", ["source"])
LOGS_DUPLICATE = Counter(
    "runbooks_logs_duplicate", "Log records skipped: source identity already stored", ["source"]
)
LOG_BATCHES_REFUSED = Counter(
    "runbooks_log_batches_refused", "Log batches refused whole as malformed", ["source"]
)
INGEST_SECONDS = Histogram(
    "runbooks_ingest_batch_seconds",
    "Time to store, detect and commit one log batch",
    ["source"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
INCIDENTS_OPENED = Counter("runbooks_incidents_opened", "Incidents opened", ["rule", "severity"])
INCIDENTS_UPDATED = Counter(
    "runbooks_incidents_updated", "Repeat detections folded into an open incident", ["rule"]
)
OUTBOX_PUBLISHED = Counter("runbooks_outbox_published", "Outbox events confirmed by the broker")
OUTBOX_FAILED = Counter("runbooks_outbox_failed_attempts", "Outbox publish attempts that failed")
OUTBOX_DEAD = Counter("runbooks_outbox_dead", "Outbox events given up after the last attempt")
PUBLISH_SECONDS = Histogram(
    "runbooks_outbox_publish_seconds",
    "Broker confirm latency of one claimed batch",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)
EVENT_LAG_SECONDS = Histogram(
    "runbooks_outbox_event_lag_seconds",
    "From the event's commit to the broker's confirm",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 30.0, 300.0),
)


class OutboxCollector(Collector):
    """Outbox gauges from one backlog snapshot read at scrape time."""

    def __init__(self, snapshot: OutboxBacklog | None) -> None:
        self._snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        if self._snapshot is None:
            return
        yield GaugeMetricFamily(
            "runbooks_outbox_pending", "Outbox events not yet published", self._snapshot.pending
        )
        yield GaugeMetricFamily(
            "runbooks_outbox_dead_events", "Outbox events marked dead", self._snapshot.dead
        )
        yield GaugeMetricFamily(
            "runbooks_outbox_oldest_pending_seconds",
            "Age of the oldest pending outbox event",
            self._snapshot.oldest_pending_age_s or 0.0,
        )


def render_metrics(snapshot: OutboxBacklog | None, multiproc_dir: Path | None) -> bytes:
    """The Prometheus text exposition: this process (or all workers) plus the outbox gauges."""
    if multiproc_dir is not None:
        workers = CollectorRegistry()
        multiprocess.MultiProcessCollector(workers, path=str(multiproc_dir))  # type: ignore[no-untyped-call]
        own = generate_latest(workers)
    else:
        own = generate_latest(REGISTRY)
    outbox = CollectorRegistry()
    outbox.register(OutboxCollector(snapshot))
    return own + generate_latest(outbox)
