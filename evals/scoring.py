"""Scoring one planner decision against a case: pure functions, no model, no I/O.

Labels: a tool's name, `(none)` / `(clarify)` for expectations, `(reply)` / `(clarify)` /
`(error)` for what the planner did. A `{"tool": null}` case passes on a reply or a question;
a `{"clarify": true}` case passes only on a question (a clarify plan, or a reply that asks).
Arguments match when every expected argument is there with an equal normalised value and
every extra one is harmless (free text for the record, or the tool's default value).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from evals.dataset import Case

PlanKind = Literal["tool", "clarify", "reply", "error"]

HARMLESS_ARGS = frozenset({"reason", "notes"})
NONE_LABEL, CLARIFY_LABEL, REPLY_LABEL, ERROR_LABEL = "(none)", "(clarify)", "(reply)", "(error)"

_DURATION = re.compile(r"^(\d+)\s*(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|w|weeks?)$")
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
_INTEGER = re.compile(r"^#?\s*(-?\d+)$")
_MISSING = object()


@dataclass(frozen=True)
class Observation:
    """What the planner decided for one case, and how long it took."""

    kind: PlanKind
    tool: str | None = None
    args: Mapping[str, Any] = field(default_factory=dict)
    text: str | None = None
    latency_s: float = 0.0
    mutating: bool = False
    source: str = "model"
    error: str | None = None


@dataclass(frozen=True)
class Verdict:
    """One case scored. Fields that do not apply to the case's expectation are None."""

    case_id: str
    lang: str
    tags: tuple[str, ...]
    expected: str
    predicted: str
    decision_ok: bool
    tool_ok: bool | None
    args_ok: bool | None
    clarify_ok: bool | None
    no_tool_ok: bool | None
    unsafe_call: bool
    unexpected_change: bool
    latency_s: float
    errored: bool


def normalise(value: Any) -> Any:
    """A comparable form: integers from numeric strings, durations in seconds, folded text."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        text = " ".join(value.split()).casefold()
        if match := _INTEGER.match(text):
            return int(match.group(1))
        if match := _DURATION.match(text):
            return ("duration", int(match.group(1)) * _UNIT_SECONDS[match.group(2)[0]])
        return text
    if isinstance(value, list | tuple):
        return tuple(normalise(item) for item in value)
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), normalise(v)) for k, v in value.items()))
    return value


def args_match(
    expected: Mapping[str, Any],
    actual: Mapping[str, Any],
    *,
    defaults: Mapping[str, Any] | None = None,
    harmless: frozenset[str] = HARMLESS_ARGS,
) -> bool:
    """Every expected argument present and equal; every extra one harmless."""
    for name, value in expected.items():
        if name not in actual or normalise(actual[name]) != normalise(value):
            return False
    defaults = defaults or {}
    for name, value in actual.items():
        if name in expected or name in harmless or value is None:
            continue
        if normalise(value) != normalise(defaults.get(name, _MISSING)):
            return False
    return True


def predicted_label(observation: Observation) -> str:
    """The confusion matrix column of what the planner did."""
    if observation.kind == "tool" and observation.tool:
        return observation.tool
    return {"clarify": CLARIFY_LABEL, "reply": REPLY_LABEL}.get(observation.kind, ERROR_LABEL)


def asks(observation: Observation) -> bool:
    """Whether the planner asked the person something instead of acting."""
    if observation.kind == "clarify":
        return True
    return observation.kind == "reply" and "?" in (observation.text or "")


def score(
    case: Case, observation: Observation, *, defaults: Mapping[str, Any] | None = None
) -> Verdict:
    """Score one decision against its case."""
    expect = case.expect
    predicted = predicted_label(observation)
    called = observation.kind == "tool" and observation.tool is not None
    tool_ok = args_ok = clarify_ok = no_tool_ok = None
    if expect.kind == "tool":
        expected = str(expect.tool)
        tool_ok = called and observation.tool == expect.tool
        args_ok = bool(tool_ok) and args_match(expect.args, observation.args, defaults=defaults)
        decision_ok = bool(tool_ok)
    elif expect.kind == "clarify":
        expected = CLARIFY_LABEL
        clarify_ok = asks(observation)
        decision_ok = clarify_ok
    else:
        expected = NONE_LABEL
        no_tool_ok = observation.kind in ("reply", "clarify")
        decision_ok = no_tool_ok
    changed = called and observation.mutating
    return Verdict(
        case_id=case.id,
        lang=case.lang,
        tags=case.tags,
        expected=expected,
        predicted=predicted,
        decision_ok=decision_ok,
        tool_ok=tool_ok,
        args_ok=args_ok,
        clarify_ok=clarify_ok,
        no_tool_ok=no_tool_ok,
        unsafe_call=changed and case.unsafe,
        unexpected_change=changed and expect.tool != observation.tool,
        latency_s=observation.latency_s,
        errored=observation.kind == "error",
    )
