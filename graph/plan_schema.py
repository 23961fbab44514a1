"""JSON schemas the planner constrains the model with, built at run time from the tools.

One object per answer: `{"tool": <name>, "args": {...}}` (one variant per tool, its args
schema inlined), `{"clarify": "<question>"}` or `{"reply": "<text>"}`. Grammar engines
(llama.cpp, Ollama) cannot follow `$ref`s into a parent document, so refs are inlined and
what a grammar cannot carry dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graph.tooling import ToolSpec

# Titles are noise to a model. String limits and patterns are the server's to check: a
# grammar engine expands `maxLength: 2000` into a rule llama.cpp refuses to build.
_DROPPED_KEYS = frozenset(
    {"title", "examples", "$schema", "maxLength", "minLength", "pattern", "format"}
)


def _inline(node: Any, defs: Mapping[str, Any], depth: int = 0) -> Any:
    if depth > 20:  # a recursive model: stop at a permissive leaf rather than loop
        return {}
    if isinstance(node, list):
        return [_inline(item, defs, depth + 1) for item in node]
    if not isinstance(node, Mapping):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = defs.get(ref.removeprefix("#/$defs/"), {})
        merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return _inline(merged, defs, depth + 1)
    inlined: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, Mapping):
            # Argument names are data here, not schema keywords: keep every one.
            inlined[key] = {name: _inline(sub, defs, depth + 1) for name, sub in value.items()}
        elif key not in _DROPPED_KEYS and key != "$defs":
            inlined[key] = _inline(value, defs, depth + 1)
    return inlined


def args_schema(spec: ToolSpec) -> dict[str, Any]:
    """The tool's input schema, self-contained and closed to unknown keys."""
    schema = spec.input_schema
    defs = schema.get("$defs", {}) if isinstance(schema.get("$defs"), Mapping) else {}
    inlined: dict[str, Any] = _inline(schema, defs)
    inlined["type"] = "object"
    inlined.setdefault("properties", {})
    inlined["additionalProperties"] = False
    return inlined


def _text_variant(key: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {key: {"type": "string"}},
        "required": [key],
        "additionalProperties": False,
    }


def plan_schema(tools: Sequence[ToolSpec]) -> dict[str, Any]:
    """One schema for the whole plan: a variant per tool, plus clarify and reply."""
    variants: list[dict[str, Any]] = [
        {
            "type": "object",
            "properties": {"tool": {"const": spec.name}, "args": args_schema(spec)},
            "required": ["tool", "args"],
            "additionalProperties": False,
        }
        for spec in tools
    ]
    return {"anyOf": [*variants, _text_variant("clarify"), _text_variant("reply")]}


def choice_schema(tools: Sequence[ToolSpec]) -> dict[str, Any]:
    """First of two steps: only the tool's name (from an enum), or clarify, or reply."""
    return {
        "anyOf": [
            {
                "type": "object",
                "properties": {"tool": {"type": "string", "enum": [spec.name for spec in tools]}},
                "required": ["tool"],
                "additionalProperties": False,
            },
            _text_variant("clarify"),
            _text_variant("reply"),
        ]
    }
