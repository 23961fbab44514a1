"""Explicit commands, parsed without the model so the bot works when the model is down.

`restart deploy-prod 123`, `rollback api-gateway 57`, `stop deploy-prod 124`, `ack 42`,
`resolve 42 [notes]`, `approve 7`, `reject 7 [reason]`, `incidents`, `status [job build]`,
`help`, with English and Spanish keywords and an optional `/devops` prefix. Only the exact
shapes match; anything else is left to the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from graph.language import Language

_PREFIX = re.compile(r"^\s*(?:/devops\s+|/|!)?", re.IGNORECASE)
# Pronouns are not job names: "restart it" is left to the model and the conversation.
_PRONOUNS = r"(?:it|this|that|the|them|lo|la|el|eso|esto|all|todo|todos)"
_JOB = rf"(?!{_PRONOUNS}(?:\s|$))(?P<job>[A-Za-z0-9][\w.\-/]*)"
_BUILD = r"(?:(?:build|#)\s*)?#?(?P<build>\d+)"
_ID = r"#?(?P<id>\d+)"
_TEXT = r"(?:\s+(?P<text>.+))?"


@dataclass(frozen=True)
class ParsedCommand:
    """A recognised command: the tool it maps to (None for help) and its arguments."""

    tool: str | None
    args: dict[str, Any]
    language: Language


def _words(*words: str) -> str:
    return "(?:" + "|".join(re.escape(word) for word in words) + ")"


# (pattern, tool, language, how the groups become arguments)
_SPECS: tuple[tuple[str, str | None, Language, str], ...] = (
    (
        rf"{_words('restart', 'rebuild', 'retry')}\s+{_JOB}(?:\s+{_BUILD})?",
        "request_jenkins_restart",
        "en",
        "job_build",
    ),
    (
        rf"{_words('reinicia', 'reiniciar', 'reinicie')}\s+{_JOB}(?:\s+{_BUILD})?",
        "request_jenkins_restart",
        "es",
        "job_build",
    ),
    (
        rf"{_words('rollback', 'roll-back')}\s+{_JOB}(?:\s+(?:to\s+)?{_BUILD})?",
        "request_jenkins_rollback",
        "en",
        "job_target",
    ),
    (
        rf"{_words('revertir', 'revierte', 'revertir')}\s+{_JOB}(?:\s+(?:a\s+)?{_BUILD})?",
        "request_jenkins_rollback",
        "es",
        "job_target",
    ),
    (
        rf"{_words('stop', 'abort', 'cancel')}\s+{_JOB}(?:\s+{_BUILD})?",
        "request_jenkins_stop",
        "en",
        "job_build",
    ),
    (
        rf"{_words('detener', 'detén', 'deten', 'para', 'parar')}\s+{_JOB}(?:\s+{_BUILD})?",
        "request_jenkins_stop",
        "es",
        "job_build",
    ),
    (rf"{_words('ack', 'acknowledge')}(?:\s+{_ID})?", "acknowledge_incident", "en", "incident"),
    (
        rf"{_words('reconoce', 'reconocer')}(?:\s+{_ID})?",
        "acknowledge_incident",
        "es",
        "incident",
    ),
    (rf"{_words('resolve')}(?:\s+{_ID}{_TEXT})?", "resolve_incident", "en", "incident_notes"),
    (
        rf"{_words('resuelve', 'resolver')}(?:\s+{_ID}{_TEXT})?",
        "resolve_incident",
        "es",
        "incident_notes",
    ),
    (rf"{_words('approve')}(?:\s+{_ID})?", "approve_action", "en", "action"),
    (rf"{_words('aprueba', 'aprobar')}(?:\s+{_ID})?", "approve_action", "es", "action"),
    (rf"{_words('reject')}(?:\s+{_ID}{_TEXT})?", "reject_action", "en", "action_reason"),
    (
        rf"{_words('rechaza', 'rechazar')}(?:\s+{_ID}{_TEXT})?",
        "reject_action",
        "es",
        "action_reason",
    ),
    (_words("incidents"), "get_active_incidents", "en", "none"),
    (_words("incidentes"), "get_active_incidents", "es", "none"),
    (rf"{_words('status')}\s+{_JOB}\s+{_BUILD}", "get_build_status", "en", "job_build"),
    (rf"{_words('estado')}\s+{_JOB}\s+{_BUILD}", "get_build_status", "es", "job_build"),
    (_words("status"), "get_server_status", "en", "none"),
    (_words("estado"), "get_server_status", "es", "none"),
    (_words("help", "?"), None, "en", "none"),
    (_words("ayuda"), None, "es", "none"),
)
_RULES: tuple[tuple[re.Pattern[str], str | None, Language, str], ...] = tuple(
    (re.compile(rf"^{pattern}\s*$", re.IGNORECASE | re.DOTALL), tool, language, shape)
    for pattern, tool, language, shape in _SPECS
)


def _arguments(shape: str, groups: dict[str, str | None]) -> dict[str, Any]:
    args: dict[str, Any] = {}
    if groups.get("job"):
        args["job"] = groups["job"]
    if groups.get("build"):
        args["target_build" if shape == "job_target" else "build"] = int(str(groups["build"]))
    if groups.get("id"):
        key = "incident_id" if shape.startswith("incident") else "action_id"
        args[key] = int(str(groups["id"]))
    if groups.get("text"):
        args["notes" if shape == "incident_notes" else "reason"] = str(groups["text"]).strip()
    return args


def parse_command(text: str) -> ParsedCommand | None:
    """The command `text` spells exactly, or None (then the model plans it)."""
    body = _PREFIX.sub("", text, count=1).strip()
    if not body or "\n" in body:
        return None
    for pattern, tool, language, shape in _RULES:
        match = pattern.match(body)
        if match:
            return ParsedCommand(
                tool=tool, args=_arguments(shape, match.groupdict()), language=language
            )
    return None
