"""OTLP decoding and shaping: encodings, values, identity, and which records are API logs."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import orjson
import pytest
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, ArrayValue, KeyValue, KeyValueList

from ingest.mapping import load_mapping
from ingest.otlp import (
    JSON,
    PROTOBUF,
    TIMESTAMP_SOURCE,
    OtlpUndecodable,
    OtlpUnsupportedMedia,
    any_value,
    decode_request,
    decompress,
    encode_response,
    media_type,
    otlp_records,
)

MAPPING = load_mapping()
RECEIVED = datetime(2024, 6, 1, 9, 30, 0, 250_000, tzinfo=UTC)


def _request() -> ExportLogsServiceRequest:
    request = ExportLogsServiceRequest()
    scope = request.resource_logs.add().scope_logs.add()
    jenkins = scope.log_records.add(
        time_unix_nano=1_717_228_800_123_456_789, severity_text="Warning"
    )
    jenkins.body.string_value = "Tests run: 5, Failures: 1, Errors: 0"
    jenkins.attributes.add(key="job_name", value=AnyValue(string_value="web"))
    jenkins.trace_id = bytes.fromhex("5b8efff798038103d269b633813fc60c")
    api = scope.log_records.add(time_unix_nano=1_717_228_801_000_000_000)
    api.body.string_value = "POST /login 401"
    api.attributes.add(key="http.response.status_code", value=AnyValue(int_value=401))
    api.attributes.add(key="http.request.method", value=AnyValue(string_value="post"))
    api.attributes.add(key="url.path", value=AnyValue(string_value="/login"))
    return request


def test_records_are_classified_and_mapped() -> None:
    jenkins, api = list(otlp_records(_request(), MAPPING, received_at=RECEIVED))
    assert jenkins.source == "jenkins"
    assert jenkins.record["@timestamp"] == "2024-06-01T08:00:00.123456Z"
    assert (jenkins.record["level"], jenkins.record["job_name"]) == ("WARN", "web")
    assert jenkins.record["trace_id"] == "5b8efff798038103d269b633813fc60c"
    assert jenkins.record["_index"] == "otlp"
    assert api.source == "api"
    assert (api.record["http_method"], api.record["http_status"], api.record["endpoint"]) == (
        "POST",
        401,
        "/login",
    )


@pytest.mark.parametrize(
    ("time", "observed", "timestamp", "source"),
    [
        (1_717_228_800_123_456_789, 1_717_228_860_000_000_000, "2024-06-01T08:00:00.123456Z", None),
        (0, 1_717_228_860_000_000_000, "2024-06-01T08:01:00Z", "observed_time_unix_nano"),
        (0, 0, "2024-06-01T09:30:00.250000Z", "received"),
    ],
)
def test_time_falls_back_to_observed_then_received_and_says_so(
    time: int, observed: int, timestamp: str, source: str | None
) -> None:
    request = ExportLogsServiceRequest()
    scope = request.resource_logs.add().scope_logs.add()
    line = scope.log_records.add(
        time_unix_nano=time, observed_time_unix_nano=observed, severity_text="ERROR"
    )
    line.body.string_value = "Finished: FAILURE"
    line.attributes.add(key="job_name", value=AnyValue(string_value="web"))
    [item] = otlp_records(request, MAPPING, received_at=RECEIVED)
    assert item.record["@timestamp"] == timestamp
    assert item.record["details"].get(TIMESTAMP_SOURCE) == source
    assert item.record["details"]["job_name"] == "web"


def test_identity_is_stable_and_distinguishes_records() -> None:
    first = [r.record["_id"] for r in otlp_records(_request(), MAPPING, received_at=RECEIVED)]
    again = [r.record["_id"] for r in otlp_records(_request(), MAPPING, received_at=RECEIVED)]
    assert first == again and len(set(first)) == 2


def test_protobuf_and_json_decode_to_the_same_request() -> None:
    request = _request()
    as_json = orjson.dumps(
        {
            "resourceLogs": [
                {
                    "scopeLogs": [
                        {
                            "logRecords": [
                                {
                                    "timeUnixNano": "1717228800123456789",
                                    "severityText": "Warning",
                                    "body": {"stringValue": "Tests run: 5, Failures: 1, Errors: 0"},
                                    "attributes": [
                                        {"key": "job_name", "value": {"stringValue": "web"}}
                                    ],
                                    "traceId": "5b8efff798038103d269b633813fc60c",
                                },
                                {
                                    "timeUnixNano": "1717228801000000000",
                                    "body": {"stringValue": "POST /login 401"},
                                    "attributes": [
                                        {
                                            "key": "http.response.status_code",
                                            "value": {"intValue": "401"},
                                        },
                                        {
                                            "key": "http.request.method",
                                            "value": {"stringValue": "post"},
                                        },
                                        {"key": "url.path", "value": {"stringValue": "/login"}},
                                    ],
                                },
                            ]
                        }
                    ]
                }
            ]
        }
    )
    assert decode_request(as_json, JSON) == request
    assert decode_request(request.SerializeToString(), PROTOBUF) == request


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [("application/x-protobuf", PROTOBUF), ("application/json; charset=utf-8", JSON)],
)
def test_media_types(content_type: str, expected: str) -> None:
    assert media_type(content_type) == expected


def test_unsupported_and_undecodable_bodies() -> None:
    with pytest.raises(OtlpUnsupportedMedia):
        media_type("text/plain")
    with pytest.raises(OtlpUndecodable):
        decode_request(b"{not json", JSON)
    with pytest.raises(OtlpUndecodable):
        decode_request(b"\xff\xff\xff", PROTOBUF)
    with pytest.raises(OtlpUndecodable):
        decompress(b"not gzip", "gzip")
    assert decompress(gzip.compress(b"abc"), "gzip") == b"abc"


def test_any_values() -> None:
    nested = AnyValue(
        kvlist_value=KeyValueList(
            values=[
                KeyValue(key="n", value=AnyValue(int_value=3)),
                KeyValue(
                    key="l",
                    value=AnyValue(array_value=ArrayValue(values=[AnyValue(bool_value=True)])),
                ),
            ]
        )
    )
    assert any_value(nested) == {"n": 3, "l": [True]}
    assert any_value(AnyValue()) is None


def test_partial_success_response() -> None:
    body = encode_response(2, "level: Field required", JSON)
    assert orjson.loads(body) == {
        "partialSuccess": {"rejectedLogRecords": "2", "errorMessage": "level: Field required"}
    }
    assert encode_response(0, "", PROTOBUF) == b""
