"""OTLP/HTTP logs into the real app: the SDK's exporter (protobuf) and OTLP/JSON."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest
import uvicorn
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk.resources import Resource

from backend.api.app import create_app
from backend.settings import ApiSettings
from ingest.otlp import TIMESTAMP_SOURCE


@pytest.fixture
async def api_url(
    db_pool: asyncpg.Pool, database_url: str, rabbitmq_url: str, api_token: str
) -> AsyncIterator[str]:
    """The real app served by uvicorn on a free port of 127.0.0.1."""
    settings = ApiSettings(
        database_url=database_url, rabbitmq_url=rabbitmq_url, api_token=api_token
    )
    app = create_app(settings, pool=db_pool, probe_broker=False)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    await asyncio.wait_for(task, 10)


def export_with_sdk(endpoint: str, token: str) -> None:
    """What an application instrumented with the OpenTelemetry SDK does (blocking HTTP)."""
    provider = LoggerProvider(resource=Resource.create({"service.name": "jenkins"}))
    exporter = OTLPLogExporter(endpoint=endpoint, headers={"Authorization": f"Bearer {token}"})
    provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    logger = logging.getLogger("otlp-test")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    handler = LoggingHandler(logger_provider=provider)
    logger.addHandler(handler)
    try:
        job = {"jenkins.job.name": "deploy-prod", "jenkins.build.number": 211}
        logger.info("[Pipeline] stage ('Deploy')", extra=job)
        logger.error("Finished: FAILURE", extra=job)
        logger.warning(
            "GET /api/payments 503",
            extra={
                "http.request.method": "GET",
                "http.response.status_code": 503,
                "url.path": "/api/payments",
            },
        )
    finally:
        logger.removeHandler(handler)
        provider.shutdown()


async def test_sdk_export_is_stored_and_opens_an_incident(
    api_url: str, api_token: str, db_pool: asyncpg.Pool
) -> None:
    await asyncio.to_thread(export_with_sdk, f"{api_url}/v1/logs", api_token)
    jenkins = await db_pool.fetch(
        "SELECT source_index, level, message, job_name, build_number FROM logs_jenkins ORDER BY ts"
    )
    assert [(r["level"], r["message"], r["job_name"], r["build_number"]) for r in jenkins] == [
        ("INFO", "[Pipeline] stage ('Deploy')", "deploy-prod", 211),
        ("ERROR", "Finished: FAILURE", "deploy-prod", 211),
    ]
    assert {r["source_index"] for r in jenkins} == {"otlp"}
    api = await db_pool.fetchrow("SELECT http_method, http_status, endpoint FROM logs_api")
    assert api is not None and tuple(api) == ("GET", 503, "/api/payments")
    rules = {r["rule"] for r in await db_pool.fetch("SELECT rule FROM incidents")}
    assert "jenkins_build_failure" in rules


OTLP_JSON = {
    "resourceLogs": [
        {
            "resource": {
                "attributes": [{"key": "service.name", "value": {"stringValue": "jenkins"}}]
            },
            "scopeLogs": [
                {
                    "scope": {"name": "filelog"},
                    "logRecords": [
                        {
                            "timeUnixNano": "1717228800000000000",
                            "severityNumber": 17,
                            "severityText": "ERROR",
                            "body": {"stringValue": "Timeout has been exceeded"},
                            "traceId": "5b8efff798038103d269b633813fc60c",
                            "spanId": "eee19b7ec3c1b174",
                            "attributes": [
                                {"key": "jenkins.job.name", "value": {"stringValue": "nightly"}},
                                {"key": "jenkins.build.number", "value": {"intValue": "42"}},
                            ],
                        },
                        {
                            "timeUnixNano": "1717228801000000000",
                            "body": {"stringValue": "a line without any level"},
                        },
                    ],
                }
            ],
        }
    ]
}


async def test_json_export_stores_and_reports_refused_records_as_partial_success(
    api_url: str, api_token: str, db_pool: asyncpg.Pool
) -> None:
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {api_token}"}) as http:
        response = await http.post(f"{api_url}/v1/logs", json=OTLP_JSON)
        again = await http.post(f"{api_url}/v1/logs", json=OTLP_JSON)  # an exporter's retry
        unauthenticated = await httpx.AsyncClient().post(f"{api_url}/v1/logs", json=OTLP_JSON)
        wrong_type = await http.post(
            f"{api_url}/v1/logs", content=b"x", headers={"Content-Type": "text/plain"}
        )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    partial = response.json()["partialSuccess"]
    assert partial["rejectedLogRecords"] == "1"
    assert "level" in partial["errorMessage"]
    assert again.status_code == 200
    assert unauthenticated.status_code == 401
    assert wrong_type.status_code == 415
    rows = await db_pool.fetch("SELECT level, job_name, build_number, trace_id FROM logs_jenkins")
    assert [tuple(r) for r in rows] == [
        ("ERROR", "nightly", 42, "5b8efff798038103d269b633813fc60c")
    ]
    incident = await db_pool.fetchrow("SELECT rule, job_name FROM incidents")
    assert incident is not None and tuple(incident) == ("jenkins_timeout", "nightly")


async def test_records_without_their_own_time_use_observed_then_received_time(
    api_url: str, api_token: str, db_pool: asyncpg.Pool
) -> None:
    def line(message: str, **times: str) -> dict[str, object]:
        return {
            **times,
            "severityText": "INFO",
            "body": {"stringValue": message},
            "attributes": [{"key": "jenkins.job.name", "value": {"stringValue": "nightly"}}],
        }

    export = {
        "resourceLogs": [
            {
                "scopeLogs": [
                    {
                        "logRecords": [
                            line("own time", timeUnixNano="1717228800000000000"),
                            line("observed only", observedTimeUnixNano="1717228860000000000"),
                            line("no time at all"),
                        ]
                    }
                ]
            }
        ]
    }
    before = datetime.now(UTC)
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {api_token}"}) as http:
        response = await http.post(f"{api_url}/v1/logs", json=export)
    after = datetime.now(UTC)
    assert response.status_code == 200
    assert "partialSuccess" not in response.json()
    rows = {
        r["message"]: r
        for r in await db_pool.fetch("SELECT message, ts, details FROM logs_jenkins")
    }
    assert set(rows) == {"own time", "observed only", "no time at all"}
    assert rows["own time"]["ts"] == datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
    assert TIMESTAMP_SOURCE not in rows["own time"]["details"]
    assert rows["observed only"]["ts"] == datetime(2024, 6, 1, 8, 1, tzinfo=UTC)
    assert rows["observed only"]["details"][TIMESTAMP_SOURCE] == "observed_time_unix_nano"
    assert before <= rows["no time at all"]["ts"] <= after
    assert rows["no time at all"]["details"][TIMESTAMP_SOURCE] == "received"
