"""The log simulator's failure scenarios open an incident for every default rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
from elasticsearch import AsyncElasticsearch

from backend.detection.rules import load_rules
from ingest.backend_client import IngestClient
from ingest.simulator import FAILURES, LogScenario
from ingest.simulator_sinks import ApiSink, ElasticsearchSink, run_simulation
from tests.integration.ingest.conftest import SwitchableTransport


async def test_each_failure_scenario_trips_its_rule(
    db_pool: asyncpg.Pool, backend: SwitchableTransport, api_token: str
) -> None:
    client = IngestClient("http://backend.test", api_token, transport=backend)
    sink = ApiSink(client)
    scenario = LogScenario(rate=20, seed=3)
    start = datetime.now(UTC) - timedelta(minutes=1)
    for second in range(20):  # ordinary traffic first: the spike rule compares windows
        await sink.write(list(scenario.records(second, start - timedelta(minutes=6))))
    for which in range(len(FAILURES)):
        await sink.write(list(scenario.failure(which, start + timedelta(seconds=which))))
    await client.close()
    rules = {r["rule"] for r in await db_pool.fetch("SELECT DISTINCT rule FROM incidents")}
    assert rules == {rule.name for rule in load_rules(None)} == {f[1] for f in FAILURES}


async def test_simulation_to_elasticsearch_writes_daily_indices(es: AsyncElasticsearch) -> None:
    written = await run_simulation(
        LogScenario(rate=30, failure_every_s=1), ElasticsearchSink(es, refresh=True), duration_s=2
    )
    jenkins = (await es.count(index="jenkins-logs-*"))["count"]
    api = (await es.count(index="api-logs-*"))["count"]
    assert jenkins + api == written >= 60
