"""The backend's ingestion API as the consumer sees it: post a batch, classify the answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from ingest.mapping import LogSource


class BackendUnavailable(Exception):
    """Unreachable, timed out or a 5xx: the batch may be retried as is."""


class BackendRefusedBatch(Exception):
    """422: the batch was refused whole; `errors` is FastAPI's `detail` list."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"backend refused the batch: {len(errors)} error(s)")
        self.errors = errors


class BackendRejectedRequest(Exception):
    """Any other 4xx (bad token, too large): retrying cannot help; an operator must act."""


@dataclass(frozen=True, slots=True)
class IngestReply:
    stored: int
    duplicates: int
    incidents: dict[str, Any]


def batch_body(records: Sequence[bytes]) -> bytes:
    """A JSON array of records already serialised one by one (no re-encoding)."""
    return b"[" + b",".join(records) + b"]"


class IngestClient:
    """POSTs batches to `/api/logs/{jenkins,api}` with the bearer token."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout_s: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            timeout=timeout_s,
            transport=transport,
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def post_batch(self, source: LogSource, records: Sequence[bytes]) -> IngestReply:
        """Store a batch; raises by outcome: retry, dead-letter some, or stop."""
        try:
            response = await self._http.post(f"/api/logs/{source}", content=batch_body(records))
        except httpx.TransportError as error:
            raise BackendUnavailable(f"backend unreachable: {error!r}") from error
        if response.status_code >= 500:
            raise BackendUnavailable(f"backend answered {response.status_code}")
        if response.status_code == 422:
            detail = _json(response).get("detail")
            raise BackendRefusedBatch(detail if isinstance(detail, list) else [])
        if response.status_code >= 400:
            raise BackendRejectedRequest(
                f"backend answered {response.status_code} to POST /api/logs/{source}:"
                f" {response.text[:200]}"
            )
        reply = _json(response)
        return IngestReply(
            stored=int(reply.get("stored", 0)),
            duplicates=int(reply.get("duplicates", 0)),
            incidents=reply.get("incidents") or {},
        )


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        parsed = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return {}
    return parsed if isinstance(parsed, dict) else {}
