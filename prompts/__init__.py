"""Prompt text as files, loaded by name and versioned with the code."""

from __future__ import annotations

from functools import cache
from importlib import resources

from graph.errors import PromptNotFound

_SUFFIXES = (".md", ".jsonl", ".txt")


@cache
def load_prompt(name: str) -> str:
    """The text of `prompts/<name>.md` (or `.jsonl`/`.txt`); `PromptNotFound` when absent."""
    if not name or "/" in name or name.startswith("."):
        raise PromptNotFound(f"invalid prompt name {name!r}")
    folder = resources.files(__package__)
    for suffix in _SUFFIXES:
        path = folder.joinpath(name + suffix)
        if path.is_file():
            return path.read_text(encoding="utf-8").strip()
    raise PromptNotFound(f"no prompt named {name!r} in prompts/")


def render_prompt(name: str, **values: str) -> str:
    """The prompt with each `{{key}}` replaced by its value (JSON braces stay untouched)."""
    text = load_prompt(name)
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text
