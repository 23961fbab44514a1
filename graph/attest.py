"""Arguments checked against what the person wrote: a small model's guesses are dropped.

A 0.5B model fills optional arguments it was not given (`level: "INFO"`, `method: "GET"`,
`since: "now"`, a job called "your-job-name") and misreads numbers in words ("cincuenta y
ocho" -> 123). Each argument the catalogue names is checked here against the values the
request states (`graph.textvalues`):

* an optional argument the conversation does not support is dropped, so the tool's own
  default applies;
* where the request states the value plainly (one time window, one status, one known job,
  the number after "incident"), that value wins over the model's;
* a job, build or id neither the request nor the conversation contains is dropped too
  (the model copies them from the worked examples): grounding then takes it from the
  conversation's focus or asks for it.

Known job names come from the Jenkins job list; the person's words are the current message,
and the earlier conversation only supports values, it never replaces them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from graph.textvalues import TextValues, fold, read_values
from graph.tooling import ToolSpec

__all__ = ["attest_args", "jobs_in"]

_ID_ANCHOR = {
    "incident_id": "incident",
    "action_id": "action",
    "build": "build",
    "target_build": "target",
}
_TIME_WORDS = re.compile(
    r"\b(last|past|hours?|minutes?|days?|weeks?|today|yesterday|now|ultim\w*|horas?|minutos?|"
    r"dias?|semanas?|hoy|ayer|ahora|lines?|lineas?)\b"
)


def jobs_in(text: str, jobs: Sequence[str]) -> list[str]:
    """Known job names written in `text` (whole names only: "deploy-prod" is not found in
    "team/deploy-prod"), longest first."""
    found = []
    for job in sorted(jobs, key=len, reverse=True):
        pattern = rf"(?<![\w/.-]){re.escape(job)}(?![\w/-]|\.\w)"
        if re.search(pattern, text, re.IGNORECASE):
            found.append(job)
    return found


def _said(value: Any, text: str) -> bool:
    return isinstance(value, str) and bool(value.strip()) and fold(value.strip()) in fold(text)


def _query(value: Any, message: str, context: str, jobs: Sequence[str]) -> str | None:
    """A search term the person wrote: quoted, or one word of theirs that is not a time,
    level or job."""
    if not isinstance(value, str) or not value.strip():
        return None
    term = value.strip()
    quoted = re.findall(r"[\"“«'`]([^\"”»'`]+)[\"”»'`]", message)
    if term in quoted:
        return term
    if " " in term or _TIME_WORDS.search(fold(term)) or term.upper() in {
        "ERROR", "WARN", "INFO", "DEBUG", "FATAL", "TRACE"
    } or any(fold(term) == fold(job) for job in jobs):  # fmt: skip
        return None
    if not re.search(r"[A-Za-z0-9]", term) or not _said(term, context):
        return None
    return term


def _integer(name: str, value: Any, stated: TextValues, known: TextValues) -> Any:
    """The id or build the message states; else the model's, if the conversation has it."""
    if name in _ID_ANCHOR and _ID_ANCHOR[name] in stated.anchored:
        return stated.anchored[_ID_ANCHOR[name]]
    if value in stated.numbers:
        return value
    if len(stated.numbers) == 1:
        return stated.numbers[0]
    supported = set(known.numbers) | set(known.anchored.values())
    return value if value in supported else None


def _job(value: Any, message: str, everything: str, jobs: Sequence[str]) -> Any:
    """The job the message names; else the model's, if said or earlier in the conversation."""
    written = jobs_in(message, jobs)
    if written:
        return written[0]
    if _said(value, message):
        return value  # unknown names are kept: grounding answers "did you mean ...?"
    earlier = jobs_in(everything, jobs)
    if value in earlier:
        return value
    if len(earlier) == 1:
        return earlier[0]
    return value if not jobs and _said(value, everything) else None


def attest_args(
    spec: ToolSpec,
    args: Mapping[str, Any],
    *,
    message: str,
    context: str = "",
    jobs: Sequence[str] = (),
) -> dict[str, Any]:
    """`args` with unsupported optional values dropped and plainly stated values applied.

    `message` is the person's request; `context` the earlier conversation (and focus),
    which can support a value but never replaces one.
    """
    properties = spec.input_schema.get("properties", {})
    stated = read_values(message)
    everything = f"{message}\n{context}"
    known = read_values(everything)
    out: dict[str, Any] = {}
    for name in properties:
        value = args.get(name)
        if name == "job":
            value = _job(value, message, everything, jobs)
        elif name in ("hours",):
            value = stated.hours or (known.hours if value == known.hours else None)
        elif name == "since":
            value = stated.since or (value if value == known.since else None)
        elif name == "limit":
            value = stated.count if stated.count not in stated.statuses else None
        elif name == "status":
            value = (
                stated.statuses[0]
                if len(stated.statuses) == 1
                else (value if value in known.statuses else None)
            )
        elif name == "method":
            value = stated.methods[0] if stated.methods else None
        elif name == "level":
            value = stated.levels[0] if stated.levels else None
        elif name == "severity":
            value = (
                stated.severities[0]
                if len(stated.severities) == 1
                else (value if value in known.severities else None)
            )
        elif name == "query":
            value = _query(value, message, everything, jobs)
        elif name in _ID_ANCHOR:
            value = _integer(name, value, stated, known)
        if value is not None and value != "":
            out[name] = value
    return out
