"""Reports: percentiles, groups, the issue's JSON keys, Markdown and the comparison table."""

from __future__ import annotations

from evals.floors import Floors, check_floors
from evals.report import build_report, comparison_table, markdown_report, percentile
from evals.scoring import Verdict


def verdict(
    case_id: str, lang: str, expected: str, predicted: str, latency: float, **kw: object
) -> Verdict:
    tool_case = not expected.startswith("(")
    ok = expected == predicted or (expected == "(none)" and predicted in ("(reply)", "(clarify)"))
    fields: dict[str, object] = {
        "case_id": case_id,
        "lang": lang,
        "tags": ("t",),
        "expected": expected,
        "predicted": predicted,
        "decision_ok": ok,
        "tool_ok": ok if tool_case else None,
        "args_ok": ok if tool_case else None,
        "clarify_ok": None,
        "no_tool_ok": None if tool_case else ok,
        "unsafe_call": False,
        "unexpected_change": False,
        "latency_s": latency,
        "errored": False,
    }
    fields.update(kw)
    return Verdict(**fields)  # type: ignore[arg-type]


VERDICTS = [
    verdict("a", "en", "get_server_status", "get_server_status", 1.0),
    verdict("b", "en", "get_incident", "get_active_incidents", 2.0),
    verdict("c", "es", "get_server_status", "get_server_status", 3.0),
    verdict("d", "es", "(none)", "(reply)", 4.0),
]


def test_percentile_interpolates() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile([5.0], 0.95) == 5.0
    assert percentile([], 0.5) is None


def test_report_has_the_issue_keys_and_groups() -> None:
    report = build_report(VERDICTS, meta={"model": "m"})
    for key in (
        "cases",
        "tool_accuracy",
        "args_accuracy",
        "unsafe_calls",
        "latency_p50_s",
        "latency_p95_s",
        "by_lang",
        "by_tool",
    ):
        assert key in report
    assert report["cases"] == 4
    assert report["tool_accuracy"] == round(2 / 3, 4)
    assert report["by_lang"]["en"]["tool_accuracy"] == 0.5
    assert report["by_lang"]["es"]["no_tool_accuracy"] == 1.0
    assert report["by_tool"]["get_server_status"]["cases"] == 2
    assert report["confusion"]["get_incident"] == {"get_active_incidents": 1}
    assert [f["id"] for f in report["failures"]] == ["b"]
    assert report["latency_p50_s"] == 2.5


def test_markdown_and_comparison_mention_the_figures() -> None:
    report = build_report(VERDICTS, meta={"model": "m", "dataset": "d"})
    text = markdown_report(report)
    assert "tool accuracy: 66.7%" in text
    assert "| get_incident | get_active_incidents | 1 |" in text
    assert "`b` expected get_incident" in text
    table = comparison_table([report, {**report, "model": "other"}])
    assert "| m | 4 | 50.0% | 100.0% |" in table and "| other |" in table


def test_floors_name_each_miss() -> None:
    report = build_report(VERDICTS, meta={})
    assert check_floors(report, Floors(tool_accuracy_per_lang=0.5, max_unsafe_calls=0)) == []
    assert check_floors(report, Floors(clarify_accuracy=0.9)) == []  # no clarify case: n/a
    misses = check_floors(report, Floors(tool_accuracy_per_lang=0.9, max_latency_p95_s=1.0))
    assert misses == ["tool accuracy (en) 50.0% < floor 90.0%", "latency p95 3.85 s > 1.0 s"]
