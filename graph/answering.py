"""The answer of a turn, built from the tool's structured result in the person's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graph.language import Language
from graph.phrases import say

_ITEM_KEYS = (
    "id",
    "severity",
    "status",
    "title",
    "name",
    "job_name",
    "job",
    "build_number",
    "build",
    "result",
    "message",
)
_MAX_ITEMS = 5


def call_text(tool: str, args: Mapping[str, Any]) -> str:
    """`tool(job="deploy-prod", build=123)`: exactly what will be called."""
    rendered = ", ".join(f"{key}={value!r}" for key, value in args.items())
    return f"{tool}({rendered})"


def _item_line(item: object) -> str:
    if not isinstance(item, Mapping):
        return f"- {item}"
    parts = [f"{key}={item[key]}" for key in _ITEM_KEYS if item.get(key) not in (None, "")]
    return "- " + (", ".join(parts) if parts else str(dict(item))[:160])


def _list_lines(data: Mapping[str, Any]) -> list[str]:
    for value in data.values():
        if isinstance(value, list) and value:
            lines = [_item_line(item) for item in value[:_MAX_ITEMS]]
            if len(value) > _MAX_ITEMS:
                lines.append(f"- … (+{len(value) - _MAX_ITEMS})")
            return lines
    return []


def render_result(result: Mapping[str, Any], language: Language) -> str:
    """One status line with the tool's summary, then the key facts of its data."""
    status = str(result.get("status", "error"))
    data = result.get("data") if isinstance(result.get("data"), Mapping) else {}
    assert isinstance(data, Mapping)
    lines = [f"{say('status_' + status, language)}: {result.get('summary', '')}".rstrip(": ")]
    if status == "approval_required":
        if data.get("will_run"):
            lines.append(f"{say('will_run', language)}: {data['will_run']}")
        action_id = data.get("action_id", data.get("id"))
        if action_id is not None:
            lines.append(say("approve_hint", language, action_id=action_id))
    else:
        lines.extend(_list_lines(data))
    return "\n".join(lines)


def render_results(results: Sequence[Mapping[str, Any]], language: Language) -> str:
    """Every result of the turn, newest last."""
    return "\n\n".join(render_result(item["result"], language) for item in results)
