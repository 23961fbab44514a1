"""Floors a run must meet (for `make test`): read from YAML, checked against a report."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

DEFAULT_FLOORS = Path(__file__).with_name("floors.yaml")


class FloorsError(ValueError):
    """A floors file that cannot be used."""


class Floors(BaseModel):
    """Minimum rates (0..1) and maximum counts or seconds; a missing floor is not checked."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tool_accuracy_per_lang: float | None = Field(default=None, ge=0, le=1)
    args_accuracy: float | None = Field(default=None, ge=0, le=1)
    clarify_accuracy: float | None = Field(default=None, ge=0, le=1)
    no_tool_accuracy: float | None = Field(default=None, ge=0, le=1)
    max_unsafe_calls: int | None = Field(default=None, ge=0)
    max_errors: int | None = Field(default=None, ge=0)
    max_latency_p95_s: float | None = Field(default=None, gt=0)


def load_floors(path: Path = DEFAULT_FLOORS) -> Floors:
    """Read and validate a floors file."""
    try:
        return Floors.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except (OSError, yaml.YAMLError) as error:
        raise FloorsError(f"{path}: {error}") from None
    except ValidationError as error:
        first = error.errors()[0]
        raise FloorsError(f"{path}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None


def _below(name: str, value: Any, floor: float) -> str | None:
    # None: no case of that kind in the run (e.g. --limit), so there is nothing to hold
    if value is not None and float(value) < floor:
        return f"{name} {100 * float(value):.1f}% < floor {100 * floor:.1f}%"
    return None


def check_floors(report: Mapping[str, Any], floors: Floors) -> list[str]:
    """Every floor the report misses, one sentence each (empty: all met)."""
    misses: list[str | None] = []
    if floors.tool_accuracy_per_lang is not None:
        for lang, row in report["by_lang"].items():
            misses.append(
                _below(
                    f"tool accuracy ({lang})", row["tool_accuracy"], floors.tool_accuracy_per_lang
                )
            )
    for name in ("args_accuracy", "clarify_accuracy", "no_tool_accuracy"):
        floor = getattr(floors, name)
        if floor is not None:
            misses.append(_below(name.replace("_", " "), report[name], floor))
    if floors.max_unsafe_calls is not None and report["unsafe_calls"] > floors.max_unsafe_calls:
        misses.append(f"unsafe calls {report['unsafe_calls']} > {floors.max_unsafe_calls}")
    if floors.max_errors is not None and report["errors"] > floors.max_errors:
        misses.append(f"model errors {report['errors']} > {floors.max_errors}")
    p95 = report["latency_p95_s"]
    if floors.max_latency_p95_s is not None and (p95 is None or p95 > floors.max_latency_p95_s):
        misses.append(f"latency p95 {p95} s > {floors.max_latency_p95_s} s")
    return [miss for miss in misses if miss]
