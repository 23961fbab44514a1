"""Test-only adaptation of the Elasticsearch client to osmem-server.

The official client (8.x/9.x) sends `Accept`/`Content-Type:
application/vnd.elasticsearch+json; compatible-with=N`. Elasticsearch accepts
it; osmem-server answers 406. This node rewrites those two headers to the plain
`application/json` (or `application/x-ndjson`) they stand for. It lives in the
tests on purpose: production clients talk to a real Elasticsearch unchanged.
"""

from __future__ import annotations

import re
from typing import Any

from elastic_transport import AiohttpHttpNode, HttpHeaders
from elastic_transport._node import NodeApiResponse
from elasticsearch import AsyncElasticsearch

_COMPAT = re.compile(r"application/vnd\.elasticsearch\+([a-z-]+)(;\s*compatible-with=\d+)?")


class PlainJsonNode(AiohttpHttpNode):
    """An aiohttp node that sends plain JSON media types (osmem refuses the compatibility ones)."""

    async def perform_request(  # type: ignore[override]
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: HttpHeaders | None = None,
        **kwargs: Any,
    ) -> NodeApiResponse:
        plain = HttpHeaders(headers or {})
        for name in ("accept", "content-type"):
            value = plain.get(name)
            if value:
                plain[name] = _COMPAT.sub(r"application/\1", value)
        return await super().perform_request(method, target, body=body, headers=plain, **kwargs)


def osmem_client(url: str) -> AsyncElasticsearch:
    """An async client for an osmem-server URL."""
    return AsyncElasticsearch(url, node_class=PlainJsonNode, request_timeout=60)
