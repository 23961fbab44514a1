"""Jenkins's `tree` query parameter: keep only the named fields, recursively.

`jobs[name,url,jobs[name]]` keeps `jobs`, and in each job `name`, `url` and
`jobs` (with only `name`). A bare field naming objects keeps just their
`_class`, as Jenkins does, which is how python-jenkins detects folders it must
fetch separately. `{m,n}` ranges on lists are honoured.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class TreeField:
    name: str
    children: list[TreeField] | None = None
    range: tuple[int | None, int | None] | None = None


class TreeSyntaxError(ValueError):
    """The `tree` expression does not parse."""


def parse_tree(text: str) -> list[TreeField]:
    """Parse `a,b[c,d]{0,5}` into fields."""
    fields, position = _parse_list(text, 0)
    if position != len(text):
        raise TreeSyntaxError(f"unexpected {text[position]!r} at {position} in tree={text}")
    return fields


def _parse_list(text: str, position: int) -> tuple[list[TreeField], int]:
    fields: list[TreeField] = []
    while position < len(text):
        start = position
        while position < len(text) and text[position] not in ",[]{}":
            position += 1
        name = text[start:position].strip()
        if not name:
            raise TreeSyntaxError(f"empty field name at {start} in tree={text}")
        node = TreeField(name)
        if position < len(text) and text[position] == "[":
            node.children, position = _parse_list(text, position + 1)
            if position >= len(text) or text[position] != "]":
                raise TreeSyntaxError(f"missing ']' in tree={text}")
            position += 1
        if position < len(text) and text[position] == "{":
            end = text.find("}", position)
            if end < 0:
                raise TreeSyntaxError(f"missing '}}' in tree={text}")
            node.range = _parse_range(text[position + 1 : end])
            position = end + 1
        fields.append(node)
        if position < len(text) and text[position] == ",":
            position += 1
            continue
        break
    return fields, position


def _parse_range(spec: str) -> tuple[int | None, int | None]:
    try:
        if "," in spec:
            low, high = spec.split(",", 1)
            return (int(low) if low else None, int(high) if high else None)
        exact = int(spec)
    except ValueError:
        raise TreeSyntaxError(f"bad range {{{spec}}}") from None
    return (exact, exact + 1)


def apply_tree(value: Any, fields: list[TreeField]) -> Any:
    """Filter a JSON value by parsed tree fields."""
    if isinstance(value, list):
        return [apply_tree(item, fields) for item in value]
    if not isinstance(value, dict):
        return value
    kept: dict[str, Any] = {"_class": value["_class"]} if "_class" in value else {}
    for spec in fields:
        if spec.name not in value:
            continue
        child = value[spec.name]
        if isinstance(child, list) and spec.range is not None:
            low, high = spec.range
            child = child[low:high]
        if spec.children is not None:
            kept[spec.name] = apply_tree(child, spec.children)
        else:
            kept[spec.name] = _class_only(child)
    return kept


def _class_only(value: Any) -> Any:
    if isinstance(value, dict):
        return {"_class": value["_class"]} if "_class" in value else {}
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        return [_class_only(item) for item in value]
    return value
