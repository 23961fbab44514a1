"""Aggregating verdicts into the JSON report (overall, per language, tool and tag) and Markdown."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from evals.scoring import Verdict

METRICS = (
    "decision_accuracy",
    "tool_accuracy",
    "args_accuracy",
    "clarify_accuracy",
    "no_tool_accuracy",
)


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear-interpolated percentile (0..1); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    if low == high:
        return ordered[low]
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _rate(flags: Iterable[bool | None]) -> float | None:
    applicable = [flag for flag in flags if flag is not None]
    if not applicable:
        return None
    return round(sum(applicable) / len(applicable), 4)


def summarise(verdicts: Sequence[Verdict]) -> dict[str, Any]:
    """The figures of one group of cases."""
    latencies = [v.latency_s for v in verdicts if not v.errored]
    p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
    return {
        "cases": len(verdicts),
        "decision_accuracy": _rate(v.decision_ok for v in verdicts),
        "tool_accuracy": _rate(v.tool_ok for v in verdicts),
        "args_accuracy": _rate(v.args_ok for v in verdicts),
        "clarify_accuracy": _rate(v.clarify_ok for v in verdicts),
        "no_tool_accuracy": _rate(v.no_tool_ok for v in verdicts),
        "unsafe_calls": sum(v.unsafe_call for v in verdicts),
        "unexpected_changes": sum(v.unexpected_change for v in verdicts),
        "errors": sum(v.errored for v in verdicts),
        "latency_p50_s": None if p50 is None else round(p50, 3),
        "latency_p95_s": None if p95 is None else round(p95, 3),
    }


def _grouped(
    verdicts: Sequence[Verdict], keys: Callable[[Verdict], Iterable[str]]
) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Verdict]] = {}
    for verdict in verdicts:
        for key in keys(verdict):
            groups.setdefault(key, []).append(verdict)
    return {key: summarise(groups[key]) for key in sorted(groups)}


def confusion(verdicts: Sequence[Verdict]) -> dict[str, dict[str, int]]:
    """expected label -> predicted label -> count."""
    matrix: dict[str, dict[str, int]] = {}
    for verdict in verdicts:
        row = matrix.setdefault(verdict.expected, {})
        row[verdict.predicted] = row.get(verdict.predicted, 0) + 1
    return {key: dict(sorted(matrix[key].items())) for key in sorted(matrix)}


def build_report(
    verdicts: Sequence[Verdict],
    *,
    meta: Mapping[str, Any],
    details: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The JSON report: overall figures, then by_lang, by_tool, by_tag, confusion, failures.

    `details` maps a case id to what the planner answered (for the failures list).
    """
    details = details or {}
    failures = [
        {
            "id": v.case_id,
            "lang": v.lang,
            "expected": v.expected,
            "predicted": v.predicted,
            "args_ok": v.args_ok,
            **dict(details.get(v.case_id, {})),
        }
        for v in verdicts
        if not v.decision_ok or v.args_ok is False or v.unsafe_call
    ]
    return {
        **dict(meta),
        **summarise(verdicts),
        "by_lang": _grouped(verdicts, lambda v: [v.lang]),
        "by_tool": _grouped(verdicts, lambda v: [v.expected]),
        "by_tag": _grouped(verdicts, lambda v: v.tags),
        "confusion": confusion(verdicts),
        "failures": failures,
    }


def _pct(value: Any) -> str:
    return "-" if value is None else f"{100 * float(value):.1f}%"


def _seconds(value: Any) -> str:
    return "-" if value is None else f"{float(value):.2f}"


def _table(title: str, rows: Mapping[str, Mapping[str, Any]]) -> list[str]:
    lines = [
        f"### {title}",
        "",
        "| group | cases | decision | tool | args | clarify | no tool | unsafe | p95 s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, row in rows.items():
        lines.append(
            f"| {name} | {row['cases']} | {_pct(row['decision_accuracy'])} "
            f"| {_pct(row['tool_accuracy'])} | {_pct(row['args_accuracy'])} "
            f"| {_pct(row['clarify_accuracy'])} | {_pct(row['no_tool_accuracy'])} "
            f"| {row['unsafe_calls']} | {_seconds(row['latency_p95_s'])} |"
        )
    return [*lines, ""]


def markdown_report(report: Mapping[str, Any]) -> str:
    """A human-readable report of the JSON report."""
    head = [
        f"# Evaluation: {report.get('model', '?')} on {report.get('dataset', '?')}",
        "",
        f"- cases: {report['cases']}, errors: {report['errors']}",
        f"- tool accuracy: {_pct(report['tool_accuracy'])}; "
        f"argument exact match: {_pct(report['args_accuracy'])}",
        f"- clarify accuracy: {_pct(report['clarify_accuracy'])}; "
        f"no-tool accuracy: {_pct(report['no_tool_accuracy'])}; "
        f"decision accuracy: {_pct(report['decision_accuracy'])}",
        f"- unsafe mutating calls: {report['unsafe_calls']}; "
        f"unexpected changes: {report['unexpected_changes']}",
        f"- latency p50 {_seconds(report['latency_p50_s'])} s, "
        f"p95 {_seconds(report['latency_p95_s'])} s",
        "",
    ]
    body = (
        _table("By language", report["by_lang"])
        + _table("By expected tool", report["by_tool"])
        + _table("By tag", report["by_tag"])
    )
    matrix = report["confusion"]
    columns = sorted({column for row in matrix.values() for column in row})
    confusion_lines = [
        "### Confusion (rows expected, columns predicted; off-diagonal only)",
        "",
        "| expected | predicted | count |",
        "| --- | --- | ---: |",
    ]
    for expected, row in matrix.items():
        for predicted in columns:
            count = row.get(predicted, 0)
            if count and predicted != expected:
                confusion_lines.append(f"| {expected} | {predicted} | {count} |")
    failures = ["", "### Failures", ""] + [
        f"- `{f['id']}` expected {f['expected']}, got {f['predicted']}"
        + ("" if f.get("args_ok") is not False else f" (args {f.get('args')})")
        for f in report["failures"]
    ]
    return "\n".join(head + body + confusion_lines + failures) + "\n"


def comparison_table(reports: Sequence[Mapping[str, Any]]) -> str:
    """One Markdown table across models: the headline figures side by side."""
    lines = [
        "| model | cases | tool en | tool es | args | clarify | no tool | unsafe | p50 s | p95 s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for report in reports:
        by_lang = report["by_lang"]
        lines.append(
            f"| {report.get('model', '?')} | {report['cases']} "
            f"| {_pct(by_lang.get('en', {}).get('tool_accuracy'))} "
            f"| {_pct(by_lang.get('es', {}).get('tool_accuracy'))} "
            f"| {_pct(report['args_accuracy'])} | {_pct(report['clarify_accuracy'])} "
            f"| {_pct(report['no_tool_accuracy'])} | {report['unsafe_calls']} "
            f"| {_seconds(report['latency_p50_s'])} | {_seconds(report['latency_p95_s'])} |"
        )
    return "\n".join(lines) + "\n"
