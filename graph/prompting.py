"""The planner's messages: short system prompt, one line per tool, examples, untrusted data."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from typing import Any, Literal

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from graph.examples import similar_examples
from graph.tooling import ToolSpec
from prompts import load_prompt, render_prompt

Role = Literal["user", "assistant"]
HistoryItem = tuple[Role, str]

_DESCRIPTION_CHARS = 90
_DATA_CHARS = 1500  # a small model reads slowly; the summary and first records are enough
_CLAUSE_ENDS = (". ", "; ", ": ")


def one_line(description: str) -> str:
    """A tool description condensed to its first clause, cut at a word, for a small model."""
    text = " ".join(description.split())
    for stop in _CLAUSE_ENDS:
        head = text.split(stop, 1)[0]
        if len(head) >= 12:  # "e.g." or a short label is not a clause of its own
            text = head
    if text.count("(") > text.count(")"):  # cut inside "(e.g. ...)": drop the open bracket
        text = text[: text.rindex("(")].rstrip()
    text = text.rstrip(".")
    if len(text) <= _DESCRIPTION_CHARS:
        return text
    return text[:_DESCRIPTION_CHARS].rsplit(" ", 1)[0] + "…"


def signature(spec: ToolSpec) -> str:
    """`name(arg, optional?)` from the tool's schema."""
    properties = spec.input_schema.get("properties", {})
    required = set(spec.input_schema.get("required", []))
    args = [name if name in required else f"{name}?" for name in properties]
    return f"{spec.name}({', '.join(args)})"


def tool_lines(tools: Sequence[ToolSpec]) -> str:
    """One line per tool: signature, a marker for changes, the condensed description."""
    return "\n".join(
        f"- {signature(spec)}{' [change]' if spec.mutating else ''}: {one_line(spec.description)}"
        for spec in tools
    )


def system_text(tools: Sequence[ToolSpec], *, today: date, actor: str | None) -> str:
    """System prompt, tool guidance, safety rules and answer style, in that order."""
    parts = [
        render_prompt(
            "system",
            today=today.isoformat(),
            actor=actor or "an operator",
            tools=tool_lines(tools),
        ),
        load_prompt("tool_guidance"),
        load_prompt("safety"),
        load_prompt("answer_style"),
    ]
    return "\n\n".join(parts)


def untrusted(tag: str, payload: object, **attributes: str) -> str:
    """Data wrapped in a labelled block that its own text cannot close."""
    body = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    if len(body) > _DATA_CHARS:
        body = body[:_DATA_CHARS] + " …(truncated)"
    # A payload that writes "</tool_result>" must not end the block early.
    body = body.replace("<", "‹").replace(">", "›")
    attrs = "".join(f' {key}="{value}"' for key, value in attributes.items())
    return f'<{tag}{attrs} trust="untrusted data">\n{body}\n</{tag}>'


def request_text(
    message: str,
    *,
    history: Sequence[HistoryItem] = (),
    focus: Mapping[str, Any] | None = None,
    results: Sequence[Mapping[str, Any]] = (),
) -> str:
    """The last user turn: earlier conversation and results as data, then the request."""
    parts: list[str] = []
    if history:
        lines = "\n".join(f"{role}: {text}" for role, text in history)
        parts.append(untrusted("conversation", lines))
    if focus:
        known = ", ".join(f"{key} {value}" for key, value in focus.items() if value is not None)
        if known:
            parts.append(f"Earlier in this conversation: {known}.")
    for item in results:
        parts.append(untrusted("tool_result", item.get("result", {}), tool=str(item.get("tool"))))
    if results:
        parts.append(load_prompt("followup"))
    if not parts:
        return message
    parts.append(f"Request: {message}")
    return "\n\n".join(parts)


@cache
def _examples() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(line) for line in load_prompt("few_shot").splitlines() if line.strip())


def examples_for(
    tools: Sequence[ToolSpec], examples: Sequence[Mapping[str, Any]] | None = None
) -> list[Mapping[str, Any]]:
    """Worked examples (the fixed ones by default) whose tools and arguments this catalogue has."""
    by_name = {spec.name: spec for spec in tools}
    chosen: list[Mapping[str, Any]] = []
    for example in _examples() if examples is None else examples:
        plan = example["plan"]
        if "tool" in plan:
            spec = by_name.get(plan["tool"])
            properties = spec.input_schema.get("properties", {}) if spec else {}
            if spec is None or not set(plan.get("args", {})) <= set(properties):
                continue
        chosen.append(example)
    return chosen


def _example_turn(example: Mapping[str, Any], answer: Mapping[str, Any]) -> list[BaseMessage]:
    history = [(str(role), str(text)) for role, text in example.get("history", [])]
    user = request_text(str(example["user"]), history=history)  # type: ignore[arg-type]
    return [HumanMessage(user), AIMessage(json.dumps(answer, ensure_ascii=False))]


def plan_messages(
    tools: Sequence[ToolSpec],
    user_text: str,
    *,
    today: date,
    actor: str | None,
    few_shot: bool,
    names_only: bool = False,
    similar_to: str = "",
    similar_k: int = 0,
) -> list[BaseMessage]:
    """Messages for the plan (or, with `names_only`, the tool-choice) step.

    With `few_shot`, the fixed examples come first, then the `similar_k` examples of the
    pool nearest to `similar_to` (the request), the nearest last.
    """
    messages: list[BaseMessage] = [SystemMessage(system_text(tools, today=today, actor=actor))]
    if few_shot:
        chosen = examples_for(tools)
        if similar_k and similar_to:
            chosen += examples_for(tools, similar_examples(similar_to, similar_k))
        for example in chosen:
            plan = dict(example["plan"])
            if names_only and "tool" in plan:
                plan = {"tool": plan["tool"]}
            messages.extend(_example_turn(example, plan))
    messages.append(HumanMessage(user_text))
    return messages


def args_messages(
    spec: ToolSpec, user_text: str, *, today: date, few_shot: bool
) -> list[BaseMessage]:
    """Messages for the second step: that tool's arguments from its schema alone."""
    system = render_prompt(
        "args_step", tool=signature(spec), description=one_line(spec.description)
    )
    messages: list[BaseMessage] = [
        SystemMessage(f"{system}\nToday is {today.isoformat()}.\n\n{load_prompt('safety')}")
    ]
    if few_shot:
        for example in examples_for([spec]):
            if example["plan"].get("tool") == spec.name:
                messages.extend(_example_turn(example, example["plan"].get("args", {})))
    messages.append(HumanMessage(user_text))
    return messages
