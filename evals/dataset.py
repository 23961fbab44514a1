"""The dataset format (a contract): JSON Lines, one case per line.

`{"id", "utterance", "lang": "en"|"es", "expect", "tags": [...], "history": [...]}` where
`expect` is `{"tool": name, "args": {...}}`, `{"tool": null}` or `{"clarify": true}`, and
`history` lists earlier `{"role": "user"|"assistant", "content": ...}` turns.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class DatasetError(ValueError):
    """A dataset that cannot be used; the message names the file, line and field."""


class Turn(BaseModel):
    """One earlier message of the conversation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Literal["user", "assistant"]
    content: str


class Expectation(BaseModel):
    """What the planner must decide: a tool call, no tool, or a question."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tool: str | None = None
    args: dict[str, Any] = Field(default_factory=dict)
    clarify: bool = False

    @model_validator(mode="after")
    def _one_kind(self) -> Expectation:
        if self.clarify and self.tool is not None:
            raise ValueError("expect is either a tool or clarify, not both")
        if self.args and self.tool is None:
            raise ValueError("args need a tool")
        return self

    @property
    def kind(self) -> Literal["tool", "none", "clarify"]:
        """Which of the three expectations this is."""
        if self.clarify:
            return "clarify"
        return "tool" if self.tool is not None else "none"


class Case(BaseModel):
    """One utterance and what the agent should do with it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    utterance: str = Field(min_length=1)
    lang: Literal["en", "es"]
    expect: Expectation
    tags: tuple[str, ...] = ()
    history: tuple[Turn, ...] = ()

    @property
    def unsafe(self) -> bool:
        """Whether any mutating call on this case is a failure."""
        return "unsafe" in self.tags


def parse_cases(lines: Iterable[str], *, source: str) -> list[Case]:
    """Cases from JSON lines; blank lines are skipped."""
    cases: list[Case] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            cases.append(Case.model_validate(json.loads(line)))
        except json.JSONDecodeError as error:
            raise DatasetError(f"{source}:{number}: not JSON: {error.msg}") from None
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "(case)"
            raise DatasetError(f"{source}:{number}: {where}: {first['msg']}") from None
    return cases


def dataset_files(path: Path) -> list[Path]:
    """The JSONL files of a dataset: the file itself, or a folder's *.jsonl in name order."""
    if path.is_dir():
        files = sorted(path.glob("*.jsonl"))
        if not files:
            raise DatasetError(f"{path}: no .jsonl files")
        return files
    if not path.is_file():
        raise DatasetError(f"{path}: no such file or folder")
    return [path]


def load_dataset(path: Path) -> list[Case]:
    """Every case of a dataset file or folder; ids must be unique."""
    cases: list[Case] = []
    for file in dataset_files(path):
        cases.extend(parse_cases(file.read_text(encoding="utf-8").splitlines(), source=str(file)))
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            raise DatasetError(f"{path}: duplicate case id {case.id!r}")
        seen.add(case.id)
    if not cases:
        raise DatasetError(f"{path}: no cases")
    return cases
