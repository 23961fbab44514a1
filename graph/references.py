"""What a request points at without a tool's words: "the second one", "acción 7".

Two deterministic readings the planner applies around the model's choice:

* `ordinal_reference`: "tell me more about the second one" / "cuéntame más del segundo"
  after the assistant listed incidents (or actions) is that item: its id is read from the
  list in the assistant's last turn (`#43 …, #47 …` or our own `- id=43, …` lines);
* `anchored_read`: a message that names exactly one incident or action by its number
  ("¿cómo va la acción 7?", "show incident 42") and asks for no change is a read of it.

Both only ever yield read tools (or a change the person's own words ask for, which the
intent gate, the approval step and the guard still check).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from graph.textvalues import fold, read_values, words_to_digits

__all__ = ["Reference", "anchored_read", "ordinal_reference"]

_ORDINALS: dict[str, int] = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "last": -1,
    "primer": 1,
    "primero": 1,
    "primera": 1,
    "segundo": 2,
    "segunda": 2,
    "tercer": 3,
    "tercero": 3,
    "tercera": 3,
    "cuarto": 4,
    "cuarta": 4,
    "quinto": 5,
    "quinta": 5,
    "ultimo": -1,
    "ultima": -1,
}
_ORDINAL = re.compile(
    r"\b(?:the|el|la|del|de la|al|lo del|lo de la)\s+(" + "|".join(_ORDINALS) + r")\b"
    r"(?!\s+(?:\d|hour|hora|day|dia|week|semana|minute|minuto|build|line|linea))"
)
_NUMERAL_ORDINAL = re.compile(r"\b([1-5])(?:st|nd|rd|th|o|a|er)\b")
_SPELLED = ("first", "second", "third", "fourth", "fifth")
# Items of a list: "2 incidents: #43 …, #47 …" or "- id=43, severity=…" lines.
_LISTED_HASH = re.compile(r"(?:^|[:;,]|\n)\s*#(\d+)\b")
_LISTED_ID = re.compile(r"(?m)^\s*[-•*]\s*id=(\d+)\b")

# The read of each kind of listed or numbered thing, and the words that name the kind in
# an assistant's turn (folded).
_READS = {"incident": ("get_incident", "incident_id"), "action": ("get_action_status", "action_id")}
_KIND_WORDS = (("incident", "incident"), ("accion", "action"), ("action", "action"))


@dataclass(frozen=True)
class Reference:
    """One incident or action a request points at, and the read tool that shows it."""

    tool: str
    arg: str
    value: int


def _listed(text: str) -> list[int]:
    found = _LISTED_ID.findall(text) or _LISTED_HASH.findall(text)
    return [int(value) for value in dict.fromkeys(found)]


def ordinal_reference(message: str, history: Sequence[tuple[str, str]]) -> Reference | None:
    """The listed incident or action that "the second one" means, if the assistant's last
    turn listed some and the message states no number of its own."""
    spelled = _NUMERAL_ORDINAL.sub(lambda m: _SPELLED[int(m.group(1)) - 1], fold(message))
    match = _ORDINAL.search(words_to_digits(spelled))
    if match is None or read_values(spelled).numbers:
        return None
    last = next((text for role, text in reversed(history) if role == "assistant"), None)
    if last is None:
        return None
    folded = fold(last)
    kind = next((kind for word, kind in _KIND_WORDS if word in folded), None)
    items = _listed(last)
    position = _ORDINALS[match.group(1)]
    if kind is None or not items or position > len(items):
        return None
    return Reference(*_READS[kind], items[position - 1 if position > 0 else -1])


def anchored_read(message: str) -> Reference | None:
    """The one incident or action the message names by number ("acción 7"), if exactly one."""
    anchored = read_values(message).anchored
    named = [(kind, value) for kind, value in anchored.items() if kind in _READS]
    if len(named) != 1:
        return None
    kind, value = named[0]
    return Reference(*_READS[kind], value)
