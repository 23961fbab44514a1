"""Loading rule files: YAML in, validated rules out, or one error naming file, rule and field.

A file holds `rules: [...]` (or a bare list of rules). The default set ships
in `default_rules/`; `RULES_DIR` points at another directory instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from backend.detection.rule_model import (
    RULE_TYPES,
    FlatlineRule,
    FrequencyRule,
    MatchRule,
    Rule,
    SpikeRule,
    ThresholdRule,
    WindowedRule,
)
from backend.detection.rule_syntax import RuleFieldError

__all__ = [
    "FlatlineRule",
    "FrequencyRule",
    "MatchRule",
    "Rule",
    "RulesError",
    "SpikeRule",
    "ThresholdRule",
    "WindowedRule",
    "load_rules",
    "rules_from_yaml",
]

RULE_FILE_SUFFIXES = (".yaml", ".yml")


class RulesError(ValueError):
    """A rule file is unreadable or invalid; the message names the file, rule and field."""

    def __init__(
        self, origin: str, problem: str, *, rule: str | None = None, field: str | None = None
    ):
        where = origin + (f": rule '{rule}'" if rule is not None else "")
        where += f": field '{field}'" if field is not None else ""
        super().__init__(f"{where}: {problem}")
        self.origin = origin
        self.rule = rule
        self.field = field
        self.problem = problem


def load_rules(directory: Path | None = None) -> tuple[Rule, ...]:
    """Every rule of the directory's YAML files (the default set when None), names unique."""
    if directory is None:
        folder = resources.files("backend.detection").joinpath("default_rules")
        texts = [
            (f"default_rules/{item.name}", item.read_text(encoding="utf-8"))
            for item in sorted(folder.iterdir(), key=lambda item: item.name)
            if item.name.endswith(RULE_FILE_SUFFIXES)
        ]
        where = "default_rules"
    else:
        if not directory.is_dir():
            raise RulesError(str(directory), "is not a directory")
        paths = sorted(p for p in directory.iterdir() if p.suffix in RULE_FILE_SUFFIXES)
        texts = [(str(path), _read(path)) for path in paths]
        where = str(directory)
    if not texts:
        raise RulesError(where, "holds no rule files (*.yaml, *.yml)")
    return _unique([rules_from_yaml(text, origin) for origin, text in texts], texts)


def rules_from_yaml(text: str, origin: str) -> tuple[Rule, ...]:
    """The rules of one file's text; `origin` names the file in errors."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RulesError(origin, f"invalid YAML: {error}") from None
    if isinstance(document, dict) and set(document) == {"rules"}:
        document = document["rules"]
    if not isinstance(document, list):
        raise RulesError(origin, "expected a list of rules, or a mapping with only 'rules'")
    rules = tuple(_parse_rule(entry, index, origin) for index, entry in enumerate(document, 1))
    _unique([rules], [(origin, text)])
    return rules


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RulesError(str(path), f"cannot be read: {error}") from None


def _parse_rule(entry: Any, index: int, origin: str) -> Rule:
    if not isinstance(entry, dict):
        raise RulesError(origin, f"rule #{index} is not a mapping")
    name = entry.get("name")
    label = name if isinstance(name, str) and name else f"#{index}"
    kind = entry.get("type")
    model = RULE_TYPES.get(kind) if isinstance(kind, str) else None
    if model is None:
        known = ", ".join(RULE_TYPES)
        problem = "is required" if kind is None else f"unknown rule type {kind!r} (one of {known})"
        raise RulesError(origin, problem, rule=label, field="type")
    try:
        return model.model_validate(entry)
    except ValidationError as error:
        field, problem = _first_problem(error)
        raise RulesError(origin, problem, rule=label, field=field) from None


def _first_problem(error: ValidationError) -> tuple[str, str]:
    """The first error as (dotted field path, reason) in an operator's words."""
    first = error.errors(include_url=False)[0]
    path = ".".join(str(part) for part in first["loc"])
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, RuleFieldError):
        path = f"{path}.{cause.field_name}" if path else cause.field_name
    if first["type"] == "missing":
        return path, "is required"
    if first["type"] == "extra_forbidden":
        return path, "is not a known field"
    message = str(first["msg"]).removeprefix("Value error, ")
    return path or "?", message


def _unique(groups: Iterable[tuple[Rule, ...]], texts: list[tuple[str, str]]) -> tuple[Rule, ...]:
    seen: dict[str, str] = {}
    rules: list[Rule] = []
    for (origin, _), group in zip(texts, groups, strict=True):
        for rule in group:
            if rule.name in seen:
                raise RulesError(
                    origin,
                    f"duplicates the rule of the same name in {seen[rule.name]}",
                    rule=rule.name,
                    field="name",
                )
            seen[rule.name] = origin
            rules.append(rule)
    return tuple(rules)
