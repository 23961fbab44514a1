"""Worked examples picked per request by character n-gram similarity."""

from __future__ import annotations

import json

from evals.backend import catalogue_specs
from graph.examples import ExampleIndex, example_pool, similar_examples
from graph.prompting import examples_for, plan_messages
from prompts import load_prompt


def test_the_nearest_example_comes_last_and_typos_still_match() -> None:
    index = ExampleIndex.build(
        [
            {"user": "restart checkout-api build 31", "plan": {}},
            {"user": "show the logs of billing", "plan": {}},
            {"user": "approve action 14", "plan": {}},
        ]
    )
    picked = index.nearest("please restrat build 9 of web", 2)
    assert [example["user"] for example in picked][-1] == "restart checkout-api build 31"
    assert len(picked) == 2


def test_every_pool_example_uses_the_catalogues_tools_and_arguments() -> None:
    pool = example_pool().examples
    assert len(examples_for(catalogue_specs(), pool)) == len(pool)
    assert {example["plan"].get("tool") for example in pool} >= {
        spec.name for spec in catalogue_specs()
    }


def test_no_pool_example_is_a_case_of_the_evaluation_dataset() -> None:
    from pathlib import Path

    utterances = {
        json.loads(line)["utterance"].strip().lower()
        for path in Path("evals/datasets").glob("*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    pool = {str(example["user"]).strip().lower() for example in example_pool().examples}
    assert not pool & utterances
    assert load_prompt("examples")  # shipped with the package


def test_similar_examples_are_added_after_the_fixed_ones() -> None:
    from datetime import date

    tools = catalogue_specs()
    plain = plan_messages(tools, "x", today=date(2026, 1, 1), actor=None, few_shot=True)
    more = plan_messages(
        tools,
        "x",
        today=date(2026, 1, 1),
        actor=None,
        few_shot=True,
        similar_to="abort checkout-api #33",
        similar_k=3,
    )
    assert len(more) == len(plain) + 6  # three more (request, answer) pairs
    assert "abort checkout-api #33" in str(more[-3].content)  # the nearest, just before the request
    assert similar_examples("anything", 0) == []
