"""The OTLP/HTTP logs service: decode, map, and store through the backend's ingestion service."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
import structlog

from backend.services.ingestion import LogIngestion
from backend.services.log_records import InvalidLogBatch
from ingest.mapping import FieldMapping, LogSource
from ingest.otlp import decode_request, decompress, encode_response, media_type, otlp_records
from ingest.rejections import refused_records

log = structlog.get_logger("ingest.otlp")


@dataclass
class OtlpOutcome:
    """What one export did; `reply` is the ExportLogsServiceResponse in the request's encoding."""

    media: str
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    reasons: list[str] = field(default_factory=list)
    incidents_opened: list[int] = field(default_factory=list)

    @property
    def reply(self) -> bytes:
        return encode_response(self.rejected, "; ".join(self.reasons)[:2000], self.media)


async def receive_otlp_logs(
    ingestion: LogIngestion,
    body: bytes,
    *,
    content_type: str | None,
    content_encoding: str | None,
    mapping: FieldMapping,
    received_at: datetime | None = None,
) -> OtlpOutcome:
    """Store an export's records (same transaction semantics as the REST route, per source).

    Records the backend refuses are left out and counted as rejected (OTLP partial
    success); the others are stored. Records without a time of their own are stored
    at `received_at` (now by default). Raises OtlpUnsupportedMedia / OtlpUndecodable.
    """
    received_at = received_at or datetime.now(UTC)
    media = media_type(content_type)
    request = decode_request(decompress(body, content_encoding), media)
    by_source: dict[LogSource, list[dict[str, Any]]] = {"jenkins": [], "api": []}
    for item in otlp_records(request, mapping, received_at=received_at):
        by_source[item.source].append(item.record)
    outcome = OtlpOutcome(media=media)
    for source, records in by_source.items():
        await _store(ingestion, source, records, outcome)
    log.info(
        "otlp.received",
        stored=outcome.stored,
        duplicates=outcome.duplicates,
        rejected=outcome.rejected,
    )
    return outcome


async def _store(
    ingestion: LogIngestion,
    source: LogSource,
    records: Sequence[dict[str, Any]],
    outcome: OtlpOutcome,
) -> None:
    if not records:
        return
    try:
        result = await ingestion.ingest(source, orjson.dumps(list(records), default=str))
    except InvalidLogBatch as refused:
        named = refused_records(refused.errors, len(records))
        if named is None:  # cannot tell which: refuse them all, with the reason
            outcome.rejected += len(records)
            outcome.reasons.append(f"{source}: {refused.errors[:3]}")
            return
        outcome.rejected += len(named)
        outcome.reasons.extend(f"{source} record {i}: {reason}" for i, reason in named.items())
        rest = [r for i, r in enumerate(records) if i not in named]
        await _store(ingestion, source, rest, outcome)
        return
    outcome.stored += result.stored
    outcome.duplicates += result.duplicates
    outcome.incidents_opened.extend(result.opened)
