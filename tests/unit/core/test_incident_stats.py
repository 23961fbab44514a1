"""MTTR and MTTA arithmetic, overall, per severity and per rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.services.incident_models import IncidentPublic, StatsRow, summarize_stats


def row(
    rule: str,
    severity: str,
    status: str,
    n: int,
    resolved: tuple[int, float] = (0, 0.0),
    acked: tuple[int, float] = (0, 0.0),
) -> StatsRow:
    return StatsRow(rule, severity, status, n, resolved[0], resolved[1], acked[0], acked[1])


def test_means_per_group() -> None:
    stats = summarize_stats(
        [
            row("build", "high", "resolved", 2, resolved=(2, 600.0), acked=(2, 120.0)),
            row("build", "high", "detected", 1),
            row("api_5xx", "critical", "resolved", 1, resolved=(1, 60.0)),
            row("api_5xx", "critical", "acknowledged", 1, acked=(1, 30.0)),
        ],
        hours=24,
    )
    assert stats.total == 5
    assert stats.by_status == {"resolved": 3, "detected": 1, "acknowledged": 1}
    assert stats.by_rule == {"api_5xx": 2, "build": 3}
    assert stats.overall.mttr_seconds == 660.0 / 3
    assert stats.overall.mtta_seconds == 150.0 / 3
    assert stats.per_severity["high"].mttr_seconds == 300.0
    assert stats.per_severity["high"].open == 1
    assert stats.per_rule["api_5xx"].mtta_seconds == 30.0
    assert stats.per_rule["api_5xx"].mttr_seconds == 60.0


def test_no_samples_means_none_not_zero() -> None:
    stats = summarize_stats([row("build", "low", "detected", 3)], hours=1)
    assert stats.overall.mttr_seconds is None
    assert stats.overall.mtta_seconds is None
    assert summarize_stats([], hours=1).total == 0


def test_incident_mttr() -> None:
    detected = datetime(2025, 3, 1, 12, tzinfo=UTC)
    base: dict[str, object] = {
        "id": 1,
        "rule": "r",
        "severity": "high",
        "status": "resolved",
        "fingerprint": "f",
        "source": "jenkins",
        "title": "t",
        "message": "m",
        "occurrences": 1,
        "first_seen": detected,
        "last_seen": detected,
        "detected_at": detected,
    }
    assert IncidentPublic.model_validate(base).mttr_seconds is None
    done = IncidentPublic.model_validate({**base, "resolved_at": detected + timedelta(minutes=5)})
    assert done.mttr_seconds == 300.0
