"""The log simulator's ordinary traffic: deterministic per seed, well formed."""

from __future__ import annotations

from datetime import UTC, datetime

from ingest.simulator import FAILURES, LogScenario


def test_normal_traffic_is_realistic_and_deterministic() -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    first = [log.record for log in LogScenario(rate=50, seed=1).records(0, start)]
    again = [log.record for log in LogScenario(rate=50, seed=1).records(0, start)]
    assert first == again and len(first) == 50
    assert all(r["@timestamp"].startswith("2024-01-01T00:00:00.") for r in first)
    assert {r.get("level", "INFO") for r in first} == {"INFO"}
    assert len({r["_id"] for r in first}) == 50


def test_a_failure_is_injected_every_interval_cycling_through_all_rules() -> None:
    scenario = LogScenario(rate=0, seed=1, failure_every_s=2)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    per_second = [list(scenario.records(second, start)) for second in range(2 * len(FAILURES))]
    assert [len(logs) for logs in per_second[0::2]] == [0] * len(FAILURES)
    assert [len(logs) for logs in per_second[1::2]] == [count for _, _, count in FAILURES]
