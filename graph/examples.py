"""Worked examples picked per request: the pool's nearest ones by character n-grams.

A small model copies the shape of the example closest to the request far better than it
follows rules, so the planner shows a few fixed examples (the answer format) and then the
pool's `k` examples most similar to the message, most similar last. Similarity is the
cosine of TF-IDF weighted character 3-grams of the folded text: it needs no model, reads
English and Spanish alike, and tolerates typos ("restrat", "incidnet").
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from graph.textvalues import fold
from prompts import load_prompt

__all__ = ["ExampleIndex", "example_pool", "similar_examples"]

_N = 3


def _grams(text: str) -> Counter[str]:
    padded = f"  {' '.join(fold(text).split())}  "
    return Counter(padded[i : i + _N] for i in range(len(padded) - _N + 1))


@dataclass(frozen=True)
class ExampleIndex:
    """TF-IDF vectors of the examples' requests."""

    examples: tuple[Mapping[str, Any], ...]
    idf: Mapping[str, float]
    vectors: tuple[Mapping[str, float], ...]

    @classmethod
    def build(cls, examples: Sequence[Mapping[str, Any]]) -> ExampleIndex:
        counts = [_grams(str(example["user"])) for example in examples]
        documents = Counter(gram for count in counts for gram in count)
        total = len(counts)
        idf = {gram: math.log((1 + total) / (1 + seen)) + 1 for gram, seen in documents.items()}
        vectors = tuple(_unit({g: n * idf[g] for g, n in count.items()}) for count in counts)
        return cls(tuple(examples), idf, vectors)

    def nearest(self, text: str, k: int) -> list[Mapping[str, Any]]:
        """The `k` examples most similar to `text`, least similar first."""
        query = _unit({g: n * self.idf.get(g, 0.0) for g, n in _grams(text).items()})
        scores = [
            sum(weight * vector.get(gram, 0.0) for gram, weight in query.items())
            for vector in self.vectors
        ]
        ranked = sorted(range(len(scores)), key=lambda i: scores[i], reverse=True)[:k]
        return [self.examples[i] for i in reversed(ranked)]


def _unit(vector: Mapping[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(weight * weight for weight in vector.values())) or 1.0
    return {gram: weight / norm for gram, weight in vector.items()}


@cache
def example_pool() -> ExampleIndex:
    """The pool in prompts/examples.jsonl, indexed once."""
    lines = load_prompt("examples").splitlines()
    return ExampleIndex.build([json.loads(line) for line in lines if line.strip()])


def similar_examples(text: str, k: int) -> list[Mapping[str, Any]]:
    """The pool's `k` examples nearest to `text`, most similar last."""
    return example_pool().nearest(text, k) if k > 0 else []
