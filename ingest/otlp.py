"""OTLP/HTTP logs -> the backend's log records, through the same field mapping as Elasticsearch.

Each OTLP log record is first shaped like the OpenTelemetry Collector's
Elasticsearch exporter (otel mode) would store it, then normalised by
`ingest.mapping`: one mapping, whichever way the logs arrive. Records carrying
an HTTP status are API access logs; the others are Jenkins logs.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
    ExportLogsServiceRequest,
    ExportLogsServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord

from ingest.mapping import FieldMapping, LogSource, first_present, normalise_timestamp, to_record

OTLP_INDEX = "otlp"  # source_index of records received over OTLP
PROTOBUF = "application/x-protobuf"
JSON = "application/json"
_BYTES_IDS = ("traceId", "spanId")
# Put in a record's details when its time is not the event's own (`time_unix_nano`).
TIMESTAMP_SOURCE = "otlp.timestamp_source"


class OtlpUnsupportedMedia(ValueError):
    """Neither `application/x-protobuf` nor `application/json`."""


class OtlpUndecodable(ValueError):
    """The body does not decode as an ExportLogsServiceRequest."""


@dataclass(frozen=True, slots=True)
class OtlpRecord:
    source: LogSource
    record: dict[str, Any]


def media_type(content_type: str | None) -> str:
    """The OTLP encoding of a request, from its Content-Type."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind in (PROTOBUF, "application/protobuf"):
        return PROTOBUF
    if kind == JSON:
        return JSON
    raise OtlpUnsupportedMedia(f"unsupported content type {content_type!r}")


def decompress(body: bytes, content_encoding: str | None) -> bytes:
    """The body without its gzip/deflate encoding."""
    encoding = (content_encoding or "").strip().lower()
    try:
        if encoding == "gzip":
            return gzip.decompress(body)
        if encoding == "deflate":
            return zlib.decompress(body)
    except (OSError, zlib.error, EOFError) as error:
        raise OtlpUndecodable(f"bad {encoding} body: {error}") from None
    if encoding not in ("", "identity"):
        raise OtlpUnsupportedMedia(f"unsupported content encoding {content_encoding!r}")
    return body


def decode_request(body: bytes, media: str) -> ExportLogsServiceRequest:
    """Parse a protobuf or OTLP/JSON body."""
    request = ExportLogsServiceRequest()
    try:
        if media == PROTOBUF:
            request.ParseFromString(body)
        else:
            # OTLP/JSON writes trace and span ids as hex, protobuf's JSON mapping as base64.
            json_format.ParseDict(
                _hex_ids_to_base64(orjson.loads(body)), request, ignore_unknown_fields=True
            )
    except (DecodeError, json_format.ParseError, orjson.JSONDecodeError, ValueError) as error:
        raise OtlpUndecodable(f"not an OTLP logs request: {error}") from None
    return request


def encode_response(rejected: int, message: str, media: str) -> bytes:
    """An ExportLogsServiceResponse in the request's encoding; partial success if any rejected."""
    response = ExportLogsServiceResponse()
    if rejected:
        response.partial_success.rejected_log_records = rejected
        response.partial_success.error_message = message
    if media == PROTOBUF:
        return response.SerializeToString()
    return json_format.MessageToJson(response, indent=None).encode()


def _hex_ids_to_base64(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: (
                base64.b64encode(bytes.fromhex(value)).decode()
                if key in _BYTES_IDS and isinstance(value, str)
                else _hex_ids_to_base64(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_hex_ids_to_base64(item) for item in node]
    return node


def any_value(value: AnyValue) -> Any:
    """An OTLP AnyValue as a plain JSON value."""
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [any_value(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return attributes(value.kvlist_value.values)
    if kind == "bytes_value":
        return base64.b64encode(value.bytes_value).decode()
    return getattr(value, kind)


def attributes(pairs: Any) -> dict[str, Any]:
    """KeyValue list -> dict (dotted keys kept as they are, like the Collector does)."""
    return {kv.key: any_value(kv.value) for kv in pairs if isinstance(kv, KeyValue)}


def event_time(record: LogRecord, received_at: datetime) -> tuple[str, str | None]:
    """The record's time (ISO-8601) and, unless it is its own `time_unix_nano`, where it came from.

    The OTLP logs data model: without `time_unix_nano`, use `observed_time_unix_nano`
    (when a collector first saw it). With neither, the moment we received it.
    """
    if record.time_unix_nano:
        return normalise_timestamp(record.time_unix_nano), None
    if record.observed_time_unix_nano:
        return normalise_timestamp(record.observed_time_unix_nano), "observed_time_unix_nano"
    received = received_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return received, "received"


def otel_document(
    record: LogRecord, resource: Mapping[str, Any], scope: str, *, timestamp: str
) -> dict[str, Any]:
    """The record shaped as the Collector's Elasticsearch exporter stores it (otel mode)."""
    body = any_value(record.body)
    doc: dict[str, Any] = {
        "@timestamp": timestamp,
        "severity_text": record.severity_text or None,
        "severity_number": record.severity_number or None,
        "body": {"text": body} if isinstance(body, str) else {"structured": body},
        "attributes": attributes(record.attributes),
        "resource": {"attributes": dict(resource)},
        "scope": {"name": scope},
    }
    if record.trace_id:
        doc["trace_id"] = record.trace_id.hex()
    return doc


def record_identity(resource: bytes, scope: str, record: LogRecord) -> str:
    """A stable id from the record's content: an exporter's retry is a duplicate, not a new log."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(resource)
    digest.update(scope.encode())
    digest.update(record.SerializeToString(deterministic=True))
    return digest.hexdigest()


def otlp_records(
    request: ExportLogsServiceRequest, mapping: FieldMapping, *, received_at: datetime
) -> Iterator[OtlpRecord]:
    """The backend records of an export request, each with its source.

    A record without its own time is stored at its observed or received time
    (`event_time`), said in its details under `otlp.timestamp_source`. Its identity
    stays its content: an exporter's retry of it is still a duplicate.
    """
    for resource_logs in request.resource_logs:
        resource = attributes(resource_logs.resource.attributes)
        resource_bytes = resource_logs.resource.SerializeToString(deterministic=True)
        for scope_logs in resource_logs.scope_logs:
            scope = scope_logs.scope.name
            for log_record in scope_logs.log_records:
                timestamp, timestamp_source = event_time(log_record, received_at)
                doc = otel_document(log_record, resource, scope, timestamp=timestamp)
                source: LogSource = (
                    "api" if first_present(doc, mapping.http_status) is not None else "jenkins"
                )
                doc_id = record_identity(resource_bytes, scope, log_record)
                record = to_record(source, doc, index=OTLP_INDEX, doc_id=doc_id, mapping=mapping)
                if timestamp_source is not None:
                    record["details"] = {**record["details"], TIMESTAMP_SOURCE: timestamp_source}
                yield OtlpRecord(source, record)
