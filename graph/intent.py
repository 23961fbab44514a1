"""A change needs the person's own words: the intent gate every planned mutating call passes.

The model may pick a mutating tool for text that only quotes a log line, for a follow-up
like "ok, thanks" after a tool result that contained instructions, or for "restart all the
jobs". This gate is deterministic and sits after the model, so no prompt can talk past it:

* the words that count are the person's: the current message and their earlier turns, with
  quoted text (`"..."`, `“...”`, `«...»`, backticks) and tagged text (`<x>...</x>`) removed;
  assistant turns and tool results never count;
* those words must ask for that kind of change (a verb of the tool's family, typos allowed);
* a request for a change aimed at "all"/"every"/"todos" or carrying jailbreak phrasing
  ("ignore previous instructions", "admin mode") is refused outright;
* when the words ask for exactly one kind of change and the model picked a sibling tool
  (stop for a restart), the call is moved to the asked-for tool with its arguments;
* when the words ask for no change at all ("check build 1202 of search-indexer") and the
  person wrote the call's target themselves, the call becomes the read of that target
  (the build's status, the action's, the incident): looking is what they asked for.

The approval step and the server's guard still come after this; the gate only removes
calls nobody asked for.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from graph.language import Language
from graph.phrases import say
from graph.plans import Plan

__all__ = [
    "FAMILIES",
    "asked_changes",
    "imperative_change",
    "person_words",
    "same_target",
    "vet_change",
    "wanted_change",
]


@dataclass(frozen=True)
class Family:
    """The words that ask for one mutating tool: word prefixes, whole words, phrases."""

    tool: str
    prefixes: tuple[str, ...]
    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()


FAMILIES: tuple[Family, ...] = (
    Family(
        "request_jenkins_restart",
        prefixes=(
            "restart",
            "rerun",
            "re-run",
            "rebuild",
            "retry",
            "relaunch",
            "reinici",
            "relanz",
            "reintent",
            "reejecut",
            "re-ejecut",
            "rearranc",
        ),
        words=("restart", "rerun", "rebuild", "retry", "reinicia", "relanza", "reintenta"),
        phrases=(
            "again",
            "otra vez",
            "de nuevo",
            "volver a lanzar",
            "vuelve a lanzar",
            "vuelve a ejecutar",
            "volver a ejecutar",
            "vuelve a correr",
        ),
    ),
    Family(
        "request_jenkins_rollback",
        prefixes=("rollback", "roll-back", "revert", "reviert", "revertir", "downgrade"),
        words=("rollback", "revert", "revierte"),
        phrases=("roll back", "go back", "regresa", "regresar"),
        patterns=(r"\broll\b.{0,40}\bback\b", r"\b(vuelv\w*|volver)\b.{0,40}\b(al|a la)\b"),
    ),
    Family(
        "request_jenkins_stop",
        prefixes=(
            "stop",
            "abort",
            "kill",
            "cancel",
            "halt",
            "terminat",
            "deten",
            "deteng",
            "parar",
            "paral",
            "aborta",
            "mata",
            "matal",
        ),
        words=("stop", "abort", "cancel", "deten", "detener", "para", "cancela"),
    ),
    Family(
        "approve_action",
        prefixes=("approv", "aprueb", "aprob"),
        words=("approve", "aprueba", "apruebo"),
        phrases=("go ahead", "proceed", "adelante", "procede", "lgtm"),
    ),
    Family(
        "reject_action",
        prefixes=("reject", "declin", "deny", "denied", "rechaz", "denieg", "deneg"),
        words=("reject", "decline", "rechaza", "deniega"),
        phrases=("don't run", "do not run", "no ejecutes", "no lo ejecutes"),
    ),
    Family(
        "acknowledge_incident",
        prefixes=("acknowledg", "ack", "reconoc", "reconoz"),
        words=("acknowledge", "reconoce"),
        phrases=(
            "i'll take",
            "i will take",
            "i'm on it",
            "i am on it",
            "me encargo",
            "me lo quedo",
            "lo tomo",
        ),
    ),
    Family(
        "resolve_incident",
        prefixes=(
            "resolv",
            "resuel",
            "resolver",
            "close",
            "cierr",
            "cerrar",
            "fixed",
            "arreglad",
            "resuelt",
        ),
        words=("resolve", "resuelve"),
    ),
)
_BY_TOOL = {family.tool: family for family in FAMILIES}

# Sibling tools act on the same kind of target, some under another argument name.
_SIBLING_ARGS: dict[str, tuple[str, ...]] = {
    "request_jenkins_restart": ("job", "build"),
    "request_jenkins_stop": ("job", "build"),
    "request_jenkins_rollback": ("job", "target_build"),
    "approve_action": ("action_id",),
    "reject_action": ("action_id",),
    "acknowledge_incident": ("incident_id",),
    "resolve_incident": ("incident_id",),
}

# The read of the same target, for a change nobody asked for: (tool, {its arg: change arg}).
_READ_INSTEAD: dict[str, tuple[str, dict[str, str]]] = {
    "request_jenkins_restart": ("get_build_status", {"job": "job", "build": "build"}),
    "request_jenkins_stop": ("get_build_status", {"job": "job", "build": "build"}),
    "request_jenkins_rollback": ("get_build_status", {"job": "job", "build": "target_build"}),
    "approve_action": ("get_action_status", {"action_id": "action_id"}),
    "reject_action": ("get_action_status", {"action_id": "action_id"}),
    "acknowledge_incident": ("get_incident", {"incident_id": "incident_id"}),
    "resolve_incident": ("get_incident", {"incident_id": "incident_id"}),
}

# Words before an order that do not change it: "please", "can you", "@bot", "por favor".
_COURTESY = re.compile(
    r"^(?:\s|[,.:;!¡¿-]|<@\w+>|@\w+|please|pls|plz|kindly|now|ok(?:ay)?|hey|hi|so|then|and|"
    r"can you|could you|would you|will you|go|just|por favor|porfa|puedes|podrias|"
    r"me puedes|ahora|ya|oye|hola|vale|venga|y|entonces)+"
)

_PARA_NOT_STOP = frozenset(
    "que quien quienes cual cuales cuando donde como cuanto ver saber mi ti eso esto nada "
    "mas mañana manana hoy luego despues".split()
)

_QUOTED = re.compile(r"\"[^\"]*\"?|“[^”]*”?|«[^»]*»?|`[^`]*`?|<(\w+)[^>]*>.*?(</\1>|$)", re.DOTALL)
_WORD = re.compile(r"[a-z0-9'’\-]+")
_SWEEPING = re.compile(r"(?<![\w/.-])(all|every|each|everything|todos|todas|todo|cada)(?![\w/.-])")
_JAILBREAK = re.compile(
    r"ignor\w*\s+(all|any|every|the|your|previous|prior|las|los|tus|todas|todos)?\s*"
    r"(\w+\s+)?(instruc\w*|rules?|reglas|guard\w*|policy|pol[ií]tica\w*)"
    r"|admin(istrator)?\s+mode|modo\s+(admin\w*|dios)|developer\s+mode|jailbreak"
    r"|\b(system|assistant|sistema|asistente)\s*:",
)


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in folded if not unicodedata.combining(c)).replace("’", "'")


def person_words(message: str, history: Sequence[tuple[str, str]] = ()) -> list[str]:
    """The person's own words that can ask for a change, newest first.

    The current message; and, when it answers the assistant's question ("122" after "Which
    build?"), the person's turn before that question. Quoted and tagged text is removed and
    accents are folded.
    """
    turns = [message]
    earlier = list(history)
    if (
        len(earlier) >= 2
        and earlier[-1][0] == "assistant"
        and earlier[-1][1].rstrip().endswith("?")
    ):
        turns += [content for role, content in earlier[-2:-1] if role == "user"]
    return [_plain(_QUOTED.sub(" ", turn)) for turn in turns]


def _asks_for(family: Family, text: str) -> bool:
    if any(re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) for phrase in family.phrases):
        return True
    for token in _WORD.findall(text):
        token = token.strip("'-")
        if any(token.startswith(prefix) for prefix in family.prefixes):
            return True
        similar = [word for word in family.words if word[0] == token[:1]]
        if len(token) >= 4 and difflib.get_close_matches(token, similar, n=1, cutoff=0.85):
            return True
    return any(re.search(pattern, text) for pattern in family.patterns)


def asked_changes(text: str) -> set[str]:
    """The mutating tools whose kind of change `text` (already plain) asks for."""
    return {family.tool for family in FAMILIES if _asks_for(family, text)}


def _moved(plan: Plan, tool: str) -> Plan | None:
    source = _SIBLING_ARGS.get(plan.tool or "")
    target = _SIBLING_ARGS.get(tool)
    if source is None or target is None or source[0] != target[0] or len(source) != len(target):
        return None  # only between tools on the same kind of target (job, action, incident)
    args = {key: value for key, value in plan.args.items() if key not in source}
    for old, new in zip(source, target, strict=True):
        if old in plan.args:
            args[new] = plan.args[old]
    return Plan.call(tool, args)


def vet_change(
    plan: Plan,
    *,
    mutating: bool,
    message: str,
    history: Sequence[tuple[str, str]] = (),
    language: Language,
) -> Plan:
    """The plan if the person asked for this change; the asked-for sibling; or a refusal."""
    if plan.kind != "tool" or not mutating or plan.tool is None:
        return plan
    turns = person_words(message, history)
    current = turns[0]
    if _JAILBREAK.search(current) or _SWEEPING.search(current):
        return Plan.reply(say("one_change_at_a_time", language))
    for text in turns:  # the newest turn that asks for any change decides
        asked = asked_changes(text)
        if not asked:
            continue
        if plan.tool in asked:
            return plan
        if len(asked) == 1:
            moved = _moved(plan, next(iter(asked)))
            if moved is not None:
                return moved
        return Plan.clarify(say("which_change", language))
    return _read_instead(plan, current) or Plan.reply(say("no_change_asked", language))


def _read_instead(plan: Plan, words: str) -> Plan | None:
    """The read of the call's target, when the person wrote that target (its last
    argument: the build, the action or the incident id; or the job alone) themselves."""
    read = _READ_INSTEAD.get(plan.tool or "")
    if read is None:
        return None
    tool, names = read
    args = {ours: plan.args[theirs] for ours, theirs in names.items() if theirs in plan.args}
    if not args or len(args) < len(names):
        return None
    anchor = str(list(args.values())[-1])
    if not re.search(rf"(?<![\w.-]){re.escape(_plain(anchor))}(?![\w-]|\.\w)", words):
        return None
    return Plan.call(tool, args)


def wanted_change(message: str, history: Sequence[tuple[str, str]] = ()) -> str | None:
    """The one mutating tool the person's words ask for, if exactly one and plainly asked
    (no "all"/"every", no jailbreak phrasing); None otherwise."""
    turns = person_words(message, history)
    if _JAILBREAK.search(turns[0]) or _SWEEPING.search(turns[0]):
        return None
    for text in turns:
        asked = asked_changes(text)
        if asked:
            return next(iter(asked)) if len(asked) == 1 else None
    return None


def imperative_change(message: str) -> str | None:
    """The one mutating tool the message opens with an order for ("vuelve a ejecutar X 502",
    "please stop Y #12"); None when the change word comes later ("logs of the last restart")."""
    text = _COURTESY.sub("", _plain(_QUOTED.sub(" ", message)))
    if _JAILBREAK.search(text) or _SWEEPING.search(text):
        return None
    words = _WORD.findall(text)
    if words[:1] == ["para"] and (len(words) < 2 or words[1] in _PARA_NOT_STOP):
        return None  # "para que ...", "para ver ...": "for", not "stop"
    opening = " ".join(words[:3])
    asked = asked_changes(opening)
    if len(asked) != 1:
        return None
    tool = next(iter(asked))
    first = words[:1]
    family = _BY_TOOL[tool]
    starts = any(opening.startswith(phrase) for phrase in family.phrases) or (
        bool(first) and bool(asked_changes(first[0]) & {tool})
    )
    return tool if starts else None


def same_target(tool: str, other: str) -> bool:
    """Whether two mutating tools act on the same kind of target (job, action, incident)."""
    first, second = _SIBLING_ARGS.get(tool), _SIBLING_ARGS.get(other)
    return first is not None and second is not None and first[0] == second[0]


def family_of(tool: str) -> Family | None:
    """The words that ask for `tool`, if it is a mutating tool this gate knows."""
    return _BY_TOOL.get(tool)
