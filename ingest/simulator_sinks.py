"""Where simulated logs go: Elasticsearch indices (as the Collector would write them) or the API."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson
from elasticsearch import AsyncElasticsearch

from ingest.backend_client import IngestClient
from ingest.simulator import LogScenario, SimulatedLog

SIMULATOR_INDEX = "simulator"


class LogSink(Protocol):
    async def write(self, logs: Sequence[SimulatedLog]) -> None: ...


class ApiSink:
    """Posts batches to `/api/logs/{jenkins,api}`."""

    def __init__(self, client: IngestClient) -> None:
        self._client = client

    async def write(self, logs: Sequence[SimulatedLog]) -> None:
        for source in ("jenkins", "api"):
            records = [
                orjson.dumps({**log.record, "_index": SIMULATOR_INDEX})
                for log in logs
                if log.source == source
            ]
            for start in range(0, len(records), 5000):
                await self._client.post_batch(source, records[start : start + 5000])


class ElasticsearchSink:
    """Bulk-indexes into daily `jenkins-logs-YYYY.MM.DD` / `api-logs-YYYY.MM.DD` indices."""

    def __init__(self, client: AsyncElasticsearch, *, refresh: bool = False) -> None:
        self._client = client
        self._refresh = refresh

    async def write(self, logs: Sequence[SimulatedLog]) -> None:
        if not logs:
            return
        operations: list[dict[str, Any]] = []
        for log in logs:
            source = dict(log.record)
            doc_id = source.pop("_id")
            day = source["@timestamp"][:10].replace("-", ".")
            operations.append({"index": {"_index": f"{log.source}-logs-{day}", "_id": doc_id}})
            operations.append(source)
        response = await self._client.bulk(operations=operations, refresh=self._refresh)
        if response["errors"]:
            failed = [item for item in response["items"] if item["index"].get("error")]
            raise RuntimeError(
                f"{len(failed)} documents refused, first: {failed[0]['index']['error']}"
            )


async def run_simulation(
    scenario: LogScenario, sink: LogSink, *, duration_s: int, start: datetime | None = None
) -> int:
    """Write `duration_s` seconds of logs in real time; returns how many were written."""
    start = start or datetime.now(UTC)
    began = time.monotonic()
    written = 0
    for second in range(duration_s):
        logs = list(scenario.records(second, start))
        await sink.write(logs)
        written += len(logs)
        await asyncio.sleep(max(0.0, began + second + 1 - time.monotonic()))
    return written
