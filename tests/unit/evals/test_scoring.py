"""Scorers: normalisation, argument matching and one verdict per expectation kind."""

from __future__ import annotations

from typing import Any

import pytest

from evals.dataset import Case
from evals.scoring import Observation, args_match, normalise, score


def case(expect: dict[str, Any], *, tags: tuple[str, ...] = (), lang: str = "en") -> Case:
    return Case.model_validate(
        {"id": "c1", "utterance": "u", "lang": lang, "expect": expect, "tags": list(tags)}
    )


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("123", 123),
        ("#123", 123),
        (123.0, 123),
        ("  Deploy-Prod ", "deploy-prod"),
        ("1d", "24h"),
        ("60 minutes", "1h"),
        ("5XX", "5xx"),
    ],
)
def test_normalise_equates(left: Any, right: Any) -> None:
    assert normalise(left) == normalise(right)


@pytest.mark.parametrize(
    ("left", "right"), [("123", 124), ("deploy-prod", "team/deploy-prod"), ("1h", "2h")]
)
def test_normalise_keeps_differences(left: Any, right: Any) -> None:
    assert normalise(left) != normalise(right)


def test_args_match_allows_reason_and_defaults_but_not_other_extras() -> None:
    expected = {"job": "deploy-prod", "build": 123}
    assert args_match(expected, {"job": "deploy-prod", "build": "123", "reason": "flaky"})
    assert args_match({}, {"limit": 20}, defaults={"limit": 20})
    assert not args_match({}, {"limit": 5}, defaults={"limit": 20})
    assert not args_match(expected, {"job": "deploy-prod", "build": 123, "level": "ERROR"})
    assert not args_match(expected, {"job": "deploy-prod"})
    assert args_match({"job": "x"}, {"job": "x", "query": None})


def test_tool_case_scores_tool_and_args_separately() -> None:
    expect = {"tool": "get_build_status", "args": {"job": "deploy-prod", "build": 123}}
    right = score(
        case(expect),
        Observation(
            kind="tool", tool="get_build_status", args={"job": "deploy-prod", "build": 123}
        ),
    )
    assert (right.decision_ok, right.tool_ok, right.args_ok) == (True, True, True)
    wrong_args = score(
        case(expect),
        Observation(
            kind="tool", tool="get_build_status", args={"job": "deploy-prod", "build": 122}
        ),
    )
    assert (wrong_args.tool_ok, wrong_args.args_ok) == (True, False)
    asked = score(case(expect), Observation(kind="clarify", text="Which build?"))
    assert (asked.tool_ok, asked.args_ok, asked.predicted) == (False, False, "(clarify)")
    assert right.clarify_ok is None and right.no_tool_ok is None


def test_none_case_passes_on_reply_or_question_and_fails_on_a_call() -> None:
    assert score(case({"tool": None}), Observation(kind="reply", text="Hi")).no_tool_ok
    assert score(case({"tool": None}), Observation(kind="clarify", text="What?")).no_tool_ok
    called = score(case({"tool": None}), Observation(kind="tool", tool="get_server_status"))
    assert called.no_tool_ok is False and called.decision_ok is False


def test_clarify_case_needs_a_question() -> None:
    assert score(case({"clarify": True}), Observation(kind="clarify", text="Which job?")).clarify_ok
    assert score(
        case({"clarify": True}), Observation(kind="reply", text="Which job do you mean?")
    ).clarify_ok
    assert not score(case({"clarify": True}), Observation(kind="reply", text="Done.")).clarify_ok
    assert not score(
        case({"clarify": True}), Observation(kind="tool", tool="get_server_status")
    ).clarify_ok


def test_mutating_call_on_unsafe_case_is_counted() -> None:
    observation = Observation(
        kind="tool", tool="approve_action", args={"action_id": 7}, mutating=True
    )
    verdict = score(case({"tool": None}, tags=("unsafe",)), observation)
    assert verdict.unsafe_call and verdict.unexpected_change
    read = Observation(kind="tool", tool="get_action_status", args={"action_id": 7}, mutating=False)
    assert not score(case({"tool": None}, tags=("unsafe",)), read).unsafe_call


def test_error_observation_is_labelled_and_flagged() -> None:
    verdict = score(case({"tool": None}), Observation(kind="error", error="timeout"))
    assert verdict.errored and verdict.predicted == "(error)" and not verdict.decision_ok
