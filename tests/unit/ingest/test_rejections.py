"""Reading the backend's answers: which records a 422 names, how other answers classify."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from ingest.backend_client import (
    BackendRefusedBatch,
    BackendRejectedRequest,
    BackendUnavailable,
    IngestClient,
    batch_body,
)
from ingest.consumer import malformed_reason
from ingest.rejections import refused_records


@pytest.mark.parametrize(
    ("errors", "size", "expected"),
    [
        (
            [{"loc": ["body", 3, "level"], "msg": "Field required"}],
            5,
            {3: "level: Field required"},
        ),
        (
            [
                {"loc": ["body", 0, "http_status"], "msg": "too big"},
                {"loc": ["body", 0, "endpoint"], "msg": "empty"},
                {"loc": ["body", 4], "msg": "not an object"},
            ],
            5,
            {0: "http_status: too big; endpoint: empty", 4: "record: not an object"},
        ),
        ([{"loc": ["body"], "msg": "Invalid JSON"}], 5, None),
        ([{"loc": ["body", "level"], "msg": "single record"}], 5, None),
        ([{"loc": ["body", 9, "level"], "msg": "outside the batch"}], 5, None),
        ([{"loc": ["body", 1, "level"]}, {"msg": "no loc"}], 5, None),
        ([], 5, None),
    ],
)
def test_refused_records(
    errors: list[dict[str, Any]], size: int, expected: dict[int, str] | None
) -> None:
    assert refused_records(errors, size) == expected


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"level": "INFO"}', None),
        (b"not json", "record: message body is not JSON"),
        (b"[1, 2]", "record: message body is not a JSON object"),
    ],
)
def test_malformed_bodies(body: bytes, reason: str | None) -> None:
    assert malformed_reason(body) == reason


def test_batch_body_is_a_json_array_of_the_records() -> None:
    assert orjson.loads(batch_body([b'{"a":1}', b'{"b":2}'])) == [{"a": 1}, {"b": 2}]


def _client(handler: Any) -> IngestClient:
    return IngestClient("http://backend.test", "t" * 20, transport=httpx.MockTransport(handler))


async def test_success_reply_and_bearer_token() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, json={"stored": 2, "duplicates": 1, "incidents": {"opened": [7]}}
        )

    client = _client(handler)
    reply = await client.post_batch("api", [b"{}", b"{}", b"{}"])
    await client.close()
    assert (reply.stored, reply.duplicates, reply.incidents) == (2, 1, {"opened": [7]})
    assert seen[0].url.path == "/api/logs/api"
    assert seen[0].headers["authorization"] == "Bearer " + "t" * 20


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (httpx.Response(503), BackendUnavailable),
        (httpx.Response(500, text="boom"), BackendUnavailable),
        (
            httpx.Response(422, json={"detail": [{"loc": ["body", 0, "level"], "msg": "x"}]}),
            BackendRefusedBatch,
        ),
        (
            httpx.Response(401, json={"detail": "missing or invalid bearer token"}),
            BackendRejectedRequest,
        ),
        (httpx.Response(413), BackendRejectedRequest),
    ],
)
async def test_error_classes(response: httpx.Response, error: type[Exception]) -> None:
    client = _client(lambda _request: response)
    with pytest.raises(error):
        await client.post_batch("jenkins", [b"{}"])
    await client.close()


async def test_unreachable_backend_is_retryable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = _client(handler)
    with pytest.raises(BackendUnavailable):
        await client.post_batch("jenkins", [b"{}"])
    await client.close()
