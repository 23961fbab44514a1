"""Tool arguments checked against the tool's schema: unknown keys dropped, types coerced."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graph.plan_schema import args_schema
from graph.tooling import ToolSpec, required_args

_INTEGER = re.compile(r"^#?\s*(-?\d+)$")


@dataclass(frozen=True)
class ArgsCheck:
    """Arguments after coercion, and what is missing or unusable."""

    args: dict[str, Any] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()


def _types(schema: Mapping[str, Any]) -> set[str]:
    kinds: set[str] = set()
    declared = schema.get("type")
    if isinstance(declared, str):
        kinds.add(declared)
    elif isinstance(declared, list):
        kinds.update(str(kind) for kind in declared)
    for option in schema.get("anyOf", []) + schema.get("oneOf", []):
        if isinstance(option, Mapping):
            kinds |= _types(option)
    return kinds


def _enum(schema: Mapping[str, Any]) -> list[Any] | None:
    if isinstance(schema.get("enum"), list):
        return list(schema["enum"])
    for option in schema.get("anyOf", []):
        if isinstance(option, Mapping) and isinstance(option.get("enum"), list):
            return list(option["enum"])
    return None


class _Unusable(ValueError):
    pass


def _coerce(value: Any, schema: Mapping[str, Any]) -> Any:
    kinds = _types(schema)
    choices = _enum(schema)
    if choices is not None:
        for choice in choices:
            if str(choice).lower() == str(value).strip().lower():
                return choice
        raise _Unusable
    if not kinds:
        return value
    if isinstance(value, bool):
        if "boolean" in kinds:
            return value
        raise _Unusable
    if "integer" in kinds:
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and (match := _INTEGER.match(value.strip())):
            return int(match.group(1))
    if "number" in kinds and isinstance(value, int | float):
        return value
    if "string" in kinds:
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, int | float):
            return str(value)
    if "boolean" in kinds and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if ("object" in kinds and isinstance(value, dict)) or (
        "array" in kinds and isinstance(value, list)
    ):
        return value
    raise _Unusable


def check_args(spec: ToolSpec, raw: Mapping[str, Any]) -> ArgsCheck:
    """Keep the tool's own arguments, coerced to their declared types; report the rest."""
    properties = args_schema(spec)["properties"]
    args: dict[str, Any] = {}
    invalid: list[str] = []
    for name in properties:  # the schema's order, so calls read the same way every time
        value = raw.get(name)
        if value is None or value == "":
            continue
        try:
            args[name] = _coerce(value, properties[name])
        except _Unusable:
            invalid.append(name)
    missing = tuple(
        name for name in required_args(spec) if name not in args and name not in invalid
    )
    return ArgsCheck(args=args, missing=missing, invalid=tuple(invalid))
