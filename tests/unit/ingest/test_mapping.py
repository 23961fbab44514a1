"""Field mapping: documents of every known shape -> the backend's records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ingest.mapping import (
    MappingFileInvalid,
    load_mapping,
    lookup,
    normalise_level,
    normalise_timestamp,
    routing_key,
    to_api_record,
    to_jenkins_record,
)

MAPPING = load_mapping()
TS = "2024-05-01T12:00:00.123Z"

JENKINS_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "flat legacy",
        {
            "@timestamp": TS,
            "level": "ERROR",
            "message": "Build failed",
            "job_name": "deploy-prod",
            "build_number": 42,
            "details": {"stage": "deploy"},
        },
        {
            "level": "ERROR",
            "message": "Build failed",
            "job_name": "deploy-prod",
            "build_number": 42,
        },
    ),
    (
        "OTel Collector ES exporter, otel mode",
        {
            "@timestamp": TS,
            "severity_text": "warning",
            "severity_number": 13,
            "body": {"text": "Sleeping 10 sec before retry"},
            "attributes": {"jenkins.job.name": "api/build", "jenkins.build.number": "17"},
            "resource": {"attributes": {"service.name": "jenkins"}},
        },
        {
            "level": "WARN",
            "message": "Sleeping 10 sec before retry",
            "job_name": "api/build",
            "build_number": 17,
        },
    ),
    (
        "OTel exporter, none/raw mode with dotted keys",
        {
            "@timestamp": TS,
            "SeverityText": "Error",
            "Body": "ERROR: script returned exit code 1",
            "Attributes.job_name": "nightly",
            "Attributes.build_number": "#9",
            "Resource": {"service.name": "jenkins"},
        },
        {
            "level": "ERROR",
            "message": "ERROR: script returned exit code 1",
            "job_name": "nightly",
            "build_number": 9,
        },
    ),
    (
        "ECS",
        {
            "@timestamp": TS,
            "log": {"level": "info"},
            "message": "Finished: SUCCESS",
            "jenkins": {"job": {"name": "web"}, "build": {"number": 3}},
        },
        {"level": "INFO", "message": "Finished: SUCCESS", "job_name": "web", "build_number": 3},
    ),
    (
        "CI/CD semantic conventions, level from severity number only",
        {
            "@timestamp": TS,
            "severity_number": 17,
            "body": {"text": "stage failed"},
            "resource": {
                "attributes": {"cicd.pipeline.name": "payments", "cicd.pipeline.run.id": "1234"}
            },
        },
        {"level": "ERROR", "message": "stage failed", "job_name": "payments", "build_number": 1234},
    ),
    (
        "structured body becomes JSON text",
        {"@timestamp": TS, "level": "INFO", "body": {"structured": {"step": "checkout"}}},
        {"level": "INFO", "message": '{"step":"checkout"}', "job_name": None, "build_number": None},
    ),
    (
        "an odd build number passes through for the backend to refuse",
        {"@timestamp": TS, "level": "INFO", "message": "x", "build_number": "latest"},
        {"build_number": "latest"},
    ),
]


@pytest.mark.parametrize(
    ("name", "doc", "expected"), JENKINS_CASES, ids=[c[0] for c in JENKINS_CASES]
)
def test_jenkins_records(name: str, doc: dict[str, Any], expected: dict[str, Any]) -> None:
    record = to_jenkins_record(doc, index="jenkins-logs-1", doc_id="abc", mapping=MAPPING)
    assert record["@timestamp"] == TS
    assert record["_index"] == "jenkins-logs-1"
    assert record["_id"] == "abc"
    assert isinstance(record["details"], dict)
    for field, value in expected.items():
        assert record[field] == value, field


API_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "flat legacy",
        {
            "@timestamp": TS,
            "http_method": "GET",
            "http_status": 503,
            "endpoint": "/api/pay",
            "message": "upstream timeout",
        },
        {
            "http_method": "GET",
            "http_status": 503,
            "endpoint": "/api/pay",
            "message": "upstream timeout",
        },
    ),
    (
        "ECS nested",
        {
            "@timestamp": TS,
            "http": {"request": {"method": "post"}, "response": {"status_code": 401}},
            "url": {"path": "/login"},
            "message": "denied",
        },
        {"http_method": "POST", "http_status": 401, "endpoint": "/login", "message": "denied"},
    ),
    (
        "ECS dotted keys",
        {
            "@timestamp": TS,
            "http.request.method": "DELETE",
            "http.response.status_code": "204",
            "url.path": "/x/1",
        },
        {"http_method": "DELETE", "http_status": 204, "endpoint": "/x/1", "message": ""},
    ),
    (
        "OTel otel mode attributes",
        {
            "@timestamp": TS,
            "body": {"text": "GET /orders 500"},
            "attributes": {
                "http.request.method": "GET",
                "http.response.status_code": 500,
                "http.route": "/orders/{id}",
            },
        },
        {
            "http_method": "GET",
            "http_status": 500,
            "endpoint": "/orders/{id}",
            "message": "GET /orders 500",
        },
    ),
    (
        "old semantic conventions",
        {
            "@timestamp": TS,
            "attributes": {"http.method": "PUT", "http.status_code": 404, "http.target": "/a?b=1"},
        },
        {"http_method": "PUT", "http_status": 404, "endpoint": "/a?b=1"},
    ),
    (
        "epoch milliseconds timestamp",
        {"@timestamp": 1714564800123, "http_method": "GET", "http_status": 200, "endpoint": "/"},
        {"@timestamp": "2024-05-01T12:00:00.123000Z"},
    ),
]


@pytest.mark.parametrize(("name", "doc", "expected"), API_CASES, ids=[c[0] for c in API_CASES])
def test_api_records(name: str, doc: dict[str, Any], expected: dict[str, Any]) -> None:
    record = to_api_record(doc, index="api-logs-1", doc_id="d1", mapping=MAPPING)
    assert (record["_index"], record["_id"]) == ("api-logs-1", "d1")
    for field, value in expected.items():
        assert record[field] == value, field


def test_details_merge_attributes_and_trace_id_is_kept() -> None:
    doc = {
        "@timestamp": TS,
        "level": "INFO",
        "message": "m",
        "details": {"stage": "build"},
        "attributes": {"node": "agent-1"},
        "trace_id": "0af7651916cd43dd8448eb211c80319c",
    }
    record = to_jenkins_record(doc, index="i", doc_id="1", mapping=MAPPING)
    assert record["details"] == {"stage": "build", "node": "agent-1"}
    assert record["trace_id"] == "0af7651916cd43dd8448eb211c80319c"


@pytest.mark.parametrize(
    ("doc", "path", "expected"),
    [
        ({"a": {"b": {"c": 1}}}, "a.b.c", 1),
        ({"a.b.c": 2}, "a.b.c", 2),
        ({"a": {"b.c": 3}}, "a.b.c", 3),
        ({"a.b": {"c": 4}}, "a.b.c", 4),
        ({"a": {"b": 1}, "a.b": {"c": 5}}, "a.b.c", 5),
    ],
)
def test_lookup_nested_and_dotted(doc: dict[str, Any], path: str, expected: int) -> None:
    assert lookup(doc, path) == expected


@pytest.mark.parametrize(
    ("text", "number", "expected"),
    [
        ("warning", None, "WARN"),
        (" error ", None, "ERROR"),
        ("CRITICAL", None, "FATAL"),
        (None, 9, "INFO"),
        (None, 21, "FATAL"),
        (None, 0, None),
        (None, None, None),
    ],
)
def test_levels(text: str | None, number: int | None, expected: str | None) -> None:
    assert normalise_level(text, number, MAPPING.level_aliases) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1714564800, "2024-05-01T12:00:00Z"),
        (1714564800123, "2024-05-01T12:00:00.123000Z"),
        (1714564800123456789, "2024-05-01T12:00:00.123456Z"),
        (1717228860000000000, "2024-06-01T08:01:00Z"),  # whole ns: exact, not .999999
        (1717228860000000, "2024-06-01T08:01:00Z"),
        (1714564800.5, "2024-05-01T12:00:00.500000Z"),
        ("2024-05-01T12:00:00Z", "2024-05-01T12:00:00Z"),
    ],
)
def test_timestamps(value: Any, expected: str) -> None:
    assert normalise_timestamp(value) == expected


@pytest.mark.parametrize(
    ("source", "record", "key"),
    [
        ("jenkins", {"level": "ERROR"}, "logs.jenkins.error"),
        ("jenkins", {"level": "Warn.Me"}, "logs.jenkins.warn_me"),
        ("jenkins", {"level": None}, "logs.jenkins.unknown"),
        ("api", {"http_status": 503}, "logs.api.5xx"),
        ("api", {"http_status": 201}, "logs.api.2xx"),
        ("api", {"http_status": "oops"}, "logs.api.unknown"),
        ("api", {"http_status": 99}, "logs.api.unknown"),
    ],
)
def test_routing_keys(source: Any, record: dict[str, Any], key: str) -> None:
    assert routing_key(source, record) == key


def test_custom_mapping_file(tmp_path: Path) -> None:
    text = (
        Path("ingest/mapping.yaml")
        .read_text()
        .replace("    - job_name\n", "    - pipeline\n    - job_name\n", 1)
    )
    custom = tmp_path / "m.yaml"
    custom.write_text(text)
    mapping = load_mapping(custom)
    record = to_jenkins_record(
        {"@timestamp": TS, "level": "INFO", "message": "m", "pipeline": "p1", "job_name": "j"},
        index="i",
        doc_id="1",
        mapping=mapping,
    )
    assert record["job_name"] == "p1"


def test_invalid_mapping_file_names_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "common: {'@timestamp': ['@timestamp'], message: [message]}\njenkins: {level: []}\napi: {}\n"
    )
    with pytest.raises(MappingFileInvalid, match=r"bad.yaml: jenkins.level"):
        load_mapping(bad)
