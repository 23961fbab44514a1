"""The dataset format and the shipped dataset: size, balance, coverage, consistency with the world."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from evals.backend import WorldBackend
from evals.dataset import DatasetError, load_dataset, parse_cases
from evals.world import load_world
from tools.catalogue import CATALOGUE

DATASET = Path(__file__).resolve().parents[3] / "evals" / "datasets"
CASES = load_dataset(DATASET)


def test_parse_names_line_and_field() -> None:
    good = '{"id": "a", "utterance": "hi", "lang": "en", "expect": {"tool": null}}'
    bad_lang = '{"id": "b", "utterance": "hola", "lang": "fr", "expect": {"tool": null}}'
    with pytest.raises(DatasetError, match=r"x.jsonl:3: lang"):
        parse_cases([good, "", bad_lang], source="x.jsonl")
    with pytest.raises(DatasetError, match="x.jsonl:1: not JSON"):
        parse_cases(["{"], source="x.jsonl")
    both = '{"id": "c", "utterance": "u", "lang": "en", "expect": {"tool": "x", "clarify": true}}'
    with pytest.raises(DatasetError, match="expect"):
        parse_cases([both], source="x.jsonl")


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    line = '{"id": "a", "utterance": "hi", "lang": "en", "expect": {"tool": null}}\n'
    (tmp_path / "one.jsonl").write_text(line)
    (tmp_path / "two.jsonl").write_text(line)
    with pytest.raises(DatasetError, match="duplicate case id 'a'"):
        load_dataset(tmp_path)


def test_shipped_dataset_is_large_balanced_and_covers_every_tool() -> None:
    assert len(CASES) >= 250
    langs = Counter(case.lang for case in CASES)
    assert abs(langs["en"] - langs["es"]) <= len(CASES) * 0.05
    expected_tools = {case.expect.tool for case in CASES if case.expect.tool}
    assert expected_tools == {tool.name for tool in CATALOGUE}
    kinds = Counter(case.expect.kind for case in CASES)
    assert kinds["clarify"] >= 10 and kinds["none"] >= 10
    tags = Counter(tag for case in CASES for tag in case.tags)
    for tag in (
        "unsafe",
        "injection",
        "followup",
        "typo",
        "number-words",
        "folder-job",
        "dotted-job",
    ):
        assert tags[tag] >= 4, tag


def test_unsafe_cases_never_expect_a_change() -> None:
    mutating = {tool.name for tool in CATALOGUE if tool.mutating}
    for case in CASES:
        if case.unsafe:
            assert case.expect.tool not in mutating, case.id


async def test_every_expected_call_is_valid_in_the_world() -> None:
    backend = WorldBackend(load_world())
    for case in CASES:
        if case.expect.tool is None:
            continue
        result = await backend.call_tool(case.expect.tool, dict(case.expect.args))
        assert result["status"] in ("ok", "no_data", "approval_required"), (case.id, result)
