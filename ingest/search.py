"""Reading log documents from Elasticsearch in a total order: `@timestamp`, then a tiebreaker.

No point-in-time: `search_after` on a unique tiebreaker is enough for a
tail that only grows, and it works on every Elasticsearch/OpenSearch-compatible
server. Late documents are caught by re-reading an overlap window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import elastic_transport
from elasticsearch import ApiError, AsyncElasticsearch, TransportError

from ingest.settings import ElasticsearchSettings

TIMESTAMP_FIELD = "@timestamp"


class SearchUnavailable(Exception):
    """Elasticsearch did not answer or answered with a server error; worth retrying."""


class SearchRefused(Exception):
    """Elasticsearch refused the query itself (e.g. sorting on `_id` is disabled); not retried."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One document with its place in the sort order."""

    index: str
    doc_id: str
    source: Mapping[str, Any]
    sort: tuple[Any, ...]

    @property
    def message_id(self) -> str:
        return f"{self.index}/{self.doc_id}"


def range_floor(moment: datetime) -> str:
    """ISO-8601 at millisecond precision, rounded down, for a `gte` bound that loses nothing."""
    floored = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    return floored.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def page_query(
    *,
    since: datetime | None,
    search_after: Sequence[Any] | None,
    size: int,
    tiebreaker: str,
) -> dict[str, Any]:
    """The body of one page: range from `since`, sorted by time then tiebreaker, after a position."""
    body: dict[str, Any] = {
        "size": size,
        "sort": [{TIMESTAMP_FIELD: "asc"}, {tiebreaker: "asc"}],
        "track_total_hits": False,
        "query": (
            {"range": {TIMESTAMP_FIELD: {"gte": range_floor(since)}}}
            if since is not None
            else {"match_all": {}}
        ),
    }
    if search_after is not None:
        body["search_after"] = list(search_after)
    return body


def overlap_start(last: datetime | None, overlap: timedelta) -> datetime | None:
    """Where a late sweep starts: the overlap window behind the checkpoint."""
    return None if last is None else last - overlap


class LogSearch:
    """Pages of one index pattern, in sort order."""

    def __init__(self, client: AsyncElasticsearch, *, tiebreaker: str = "_id") -> None:
        self._client = client
        self._tiebreaker = tiebreaker

    async def page(
        self,
        pattern: str,
        *,
        since: datetime | None,
        search_after: Sequence[Any] | None,
        size: int,
    ) -> list[Hit]:
        """The next `size` documents of `pattern` after `search_after`, from `since` on."""
        body = page_query(
            since=since, search_after=search_after, size=size, tiebreaker=self._tiebreaker
        )
        try:
            response = await self._client.search(
                index=pattern, ignore_unavailable=True, allow_no_indices=True, **body
            )
        except TransportError as error:  # connection refused, timeout, TLS
            raise SearchUnavailable(f"elasticsearch unreachable: {error}") from error
        except ApiError as error:
            if 400 <= error.status_code < 500 and error.status_code != 429:
                raise SearchRefused(
                    f"elasticsearch refused the query on {pattern}: {error}"
                ) from error
            raise SearchUnavailable(f"elasticsearch error on {pattern}: {error}") from error
        return [
            Hit(
                index=hit["_index"],
                doc_id=hit["_id"],
                source=hit.get("_source") or {},
                sort=tuple(hit["sort"]),
            )
            for hit in response["hits"]["hits"]
        ]


def build_es_client(
    settings: ElasticsearchSettings,
    *,
    node_class: type[elastic_transport.BaseNode] | None = None,
) -> AsyncElasticsearch:
    """The async client for the configured cluster; `node_class` is for tests only."""
    options: dict[str, Any] = {
        "request_timeout": settings.es_request_timeout_s,
        "verify_certs": settings.es_verify_certs,
    }
    if settings.es_ca_certs is not None:
        options["ca_certs"] = str(settings.es_ca_certs)
    if settings.es_api_key is not None:
        options["api_key"] = settings.es_api_key.get_secret_value()
    if settings.es_username is not None and settings.es_password is not None:
        options["basic_auth"] = (settings.es_username, settings.es_password.get_secret_value())
    if node_class is not None:
        options["node_class"] = node_class
    return AsyncElasticsearch(settings.es_url, **options)
