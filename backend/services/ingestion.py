"""Log ingestion: validate once, store new records, detect, record incidents, queue events.

All in one transaction per batch, so a log, the incident it causes and the event
announcing it commit together or not at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import structlog

from backend.detection.engine import IncidentDetector
from backend.detection.model import LogEvent
from backend.detection.store import detect_in_transaction
from backend.metrics import INGEST_SECONDS, LOG_BATCHES_REFUSED, LOGS_DUPLICATE, LOGS_INGESTED
from backend.repositories.logs import API, JENKINS, IdentityRace, LogTableSpec
from backend.services.incident_recording import (
    DetectionHandler,
    IncidentChanges,
    record_detections,
)
from backend.services.log_records import (
    InvalidLogBatch,
    LogBatchParser,
    LogKind,
    api_event,
    api_stage_row,
    jenkins_event,
    jenkins_stage_row,
)
from backend.uow import UnitOfWork

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What one batch did."""

    stored: int
    duplicates: int
    opened: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)

    def as_reply(self) -> dict[str, Any]:
        """The HTTP reply body."""
        return {
            "stored": self.stored,
            "duplicates": self.duplicates,
            "incidents": {"opened": self.opened, "updated": self.updated},
        }


@dataclass(frozen=True)
class _Kind:
    spec: LogTableSpec
    stage_row: Callable[[Any], tuple[Any, ...]]
    event: Callable[[tuple[Any, ...]], LogEvent]
    # Where the row holds what decides whether any rule looks at it: (level, http_status).
    level_at: int | None
    status_at: int | None


_KINDS: dict[LogKind, _Kind] = {
    "jenkins": _Kind(JENKINS, jenkins_stage_row, jenkins_event, level_at=3, status_at=None),
    "api": _Kind(API, api_stage_row, api_event, level_at=None, status_at=4),
}


class LogIngestion:
    """The ingestion service; one per process, built by the composition root."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        detector: IncidentDetector,
        *,
        max_batch_records: int,
        update_interval_s: float,
        handlers: Sequence[DetectionHandler] = (),
    ) -> None:
        self._pool = pool
        self._detector = detector
        self._parser = LogBatchParser(max_batch_records)
        self._update_interval_s = update_interval_s
        self._handlers = tuple(handlers)

    async def ingest(self, kind: LogKind, body: bytes) -> IngestResult:
        """Store a raw JSON body of `kind` records; InvalidLogBatch stores nothing."""
        try:
            records = self._parser.parse(kind, body)
        except InvalidLogBatch as refused:
            LOG_BATCHES_REFUSED.labels(kind).inc()
            log.info("logs.refused", source=kind, errors=len(refused.errors))
            raise
        if not records:
            return IngestResult(stored=0, duplicates=0)
        handling = _KINDS[kind]
        rows = [handling.stage_row(r) for r in records]
        started = time.perf_counter()
        try:
            stored, changes = await self._store(kind, handling, rows, racing=False)
        except IdentityRace:
            # Another batch committed one of these identities since we looked: nothing
            # of this one was kept; store it again, skipping whatever is stored by now.
            stored, changes = await self._store(kind, handling, rows, racing=True)
        INGEST_SECONDS.labels(kind).observe(time.perf_counter() - started)
        LOGS_INGESTED.labels(kind).inc(stored)
        if len(records) > stored:
            LOGS_DUPLICATE.labels(kind).inc(len(records) - stored)
        changes.announce()
        return IngestResult(
            stored=stored,
            duplicates=len(records) - stored,
            opened=changes.opened,
            updated=changes.updated,
        )

    async def _store(
        self, kind: LogKind, handling: _Kind, rows: list[tuple[Any, ...]], *, racing: bool
    ) -> tuple[int, IncidentChanges]:
        """One transaction: the new rows, detection over them, incidents, outbox events."""
        async with UnitOfWork(self._pool) as uow:
            if racing:
                positions = await uow.logs.insert_new_racing(handling.spec, rows)
            else:
                positions = await uow.logs.insert_new(handling.spec, rows)
            events = self._events(kind, handling, rows, positions)
            detections = (
                await detect_in_transaction(uow.conn, self._detector, events) if events else []
            )
            changes = await record_detections(
                uow,
                detections,
                update_interval_s=self._update_interval_s,
                handlers=self._handlers,
            )
            await uow.commit()
        return len(positions), changes

    def _events(
        self, kind: LogKind, handling: _Kind, rows: list[tuple[Any, ...]], positions: list[int]
    ) -> list[LogEvent]:
        """LogEvents of the stored rows that some rule looks at (most lines are plain INFO)."""
        considers = self._detector.considers
        level_at, status_at = handling.level_at, handling.status_at
        events = []
        for position in positions:
            row = rows[position]
            level = None if level_at is None else row[level_at]
            status = None if status_at is None else row[status_at]
            if considers(kind, level, status):
                events.append(handling.event(row))
        return events
