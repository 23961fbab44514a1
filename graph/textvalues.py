"""Values a person writes in a request, read without a model: numbers (also in words, English
and Spanish), time windows, counts, HTTP statuses and methods, log levels, severities.

`read_values(text)` returns them all from one pass; the planner uses them to check (and
where the text is plain, to correct) the arguments a small model proposes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

__all__ = ["TextValues", "fold", "read_values", "words_to_digits"]

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
    "cero": 0, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
    "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14,
    "quince": 15, "dieciseis": 16, "diecisiete": 17, "dieciocho": 18, "diecinueve": 19,
    "veinte": 20, "veintiuno": 21, "veintidos": 22, "veintitres": 23, "veinticuatro": 24,
    "veinticinco": 25, "veintiseis": 26, "veintisiete": 27, "veintiocho": 28,
    "veintinueve": 29, "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60,
    "setenta": 70, "ochenta": 80, "noventa": 90,
}  # fmt: skip
_HUNDREDS = {
    "cien": 100, "ciento": 100, "doscientos": 200, "trescientos": 300, "cuatrocientos": 400,
    "quinientos": 500, "seiscientos": 600, "setecientos": 700, "ochocientos": 800,
    "novecientos": 900,
}  # fmt: skip
_JOINERS = frozenset({"and", "y"})
# Words that are numbers only inside a longer number ("the second one", "una acción").
_ALONE_NOT_A_NUMBER = frozenset({"one", "uno"})

_LEVELS = {
    "error": "ERROR", "errors": "ERROR", "errores": "ERROR", "warn": "WARN", "warning": "WARN",
    "warnings": "WARN", "advertencia": "WARN", "advertencias": "WARN", "info": "INFO",
    "debug": "DEBUG", "fatal": "FATAL", "trace": "TRACE",
}  # fmt: skip
_SEVERITIES = {
    "critical": "critical", "critico": "critical", "criticos": "critical", "high": "high",
    "alta": "high", "alto": "high", "medium": "medium", "media": "medium", "medio": "medium",
    "low": "low", "baja": "low", "bajo": "low",
}  # fmt: skip
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")

_UNIT_OF = {
    "minute": "m", "minutes": "m", "min": "m", "mins": "m", "minuto": "m", "minutos": "m",
    "hour": "h", "hours": "h", "hora": "h", "horas": "h",
    "day": "d", "days": "d", "dia": "d", "dias": "d",
    "week": "w", "weeks": "w", "semana": "w", "semanas": "w",
}  # fmt: skip
_HOURS_PER = {"m": 1 / 60, "h": 1, "d": 24, "w": 168}
_DURATION = re.compile(
    r"\b(?:last|past|previous|ultim[oa]s?|pasad[oa]s?)\s+(?:(\d+)\s+)?"
    r"(minutes?|mins?|minutos?|hours?|horas?|days?|dias?|weeks?|semanas?)\b"
)
_COUNT = re.compile(
    r"\b(\d+)\s+(?:[a-z]+\s+){0,3}?"
    r"(lines?|requests?|incidents?|entries|records|lineas|peticiones|solicitudes|incidentes|"
    r"registros|builds?|acciones|actions?)\b"
)
# "top 3", "the last 5", "los 3 primeros", "5 most recent": a count without its noun.
_RANKED = re.compile(
    r"\b(?:top|first|last|latest|primer[oa]s|ultim[oa]s)\s+(\d+)\b"
    r"|\b(\d+)\s+(?:primer[oa]s|ultim[oa]s|mas recientes|most recent|latest)\b"
)
_STATUS_CLASS = re.compile(r"\b([1-5])xx\b")
_STATUS = re.compile(r"\b([1-5]\d\d)s?\b")
_NUMBER = re.compile(r"#?\b(\d+)\b")
_TOKEN = re.compile(r"[a-z]+|\d+|[^a-z\d\s]+")


def fold(text: str) -> str:
    """Lower case without accents: "Cuántos últimos" -> "cuantos ultimos"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _number_run(words: list[str]) -> int | None:
    total = 0
    for word in words:
        if word in _HUNDREDS:
            total += _HUNDREDS[word]
        elif word == "hundred":
            total = max(total, 1) * 100
        elif word in _UNITS:
            total += _UNITS[word]
    return total


def words_to_digits(text: str) -> str:
    """Folded text with numbers written in words replaced by digits ("fifty-eight" -> "58")."""
    tokens = _TOKEN.findall(fold(text).replace("-", " - "))
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        trailing: list[str] = []
        while run and run[-1] in _JOINERS:
            trailing.insert(0, run.pop())
        if len(run) == 1 and run[0] in _ALONE_NOT_A_NUMBER:
            out.append(run[0])
        elif run:
            out.append(str(_number_run(run)))
        out.extend(trailing)
        run.clear()

    for index, token in enumerate(tokens):
        numeric = token in _UNITS or token in _HUNDREDS or token == "hundred"
        if numeric:
            run.append(token)
        elif token in _JOINERS and run:
            run.append(token)
        elif token == "-" and run and index + 1 < len(tokens) and tokens[index + 1] in _UNITS:
            continue  # "fifty-eight"
        else:
            flush()
            out.append(token)
    flush()
    text_out = " ".join(out)
    return re.sub(r"\s*-\s*", "-", text_out)


@dataclass(frozen=True)
class TextValues:
    """What one request states, each list in the order written."""

    numbers: tuple[int, ...] = ()
    hours: int | None = None
    since: str | None = None
    count: int | None = None
    statuses: tuple[int | str, ...] = ()
    methods: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    anchored: dict[str, int] = field(default_factory=dict)


_ANCHORS = {
    "incident": re.compile(r"\b(?:incident\w*|incidnet\w*|inc)\s*#?\s*(\d+)"),
    "action": re.compile(r"\b(?:actions?|accion(?:es)?)\s*#?\s*(\d+)"),
    "build": re.compile(r"(?:\bbuild\s*#?\s*|#\s*)(\d+)"),
    "target": re.compile(r"\b(?:to|al|a)\s+(?:build\s+)?#?\s*(\d+)\b"),
}


def _without_names(text: str) -> str:
    """`text` without job-like names ("release-2.4.x", "team/deploy-prod"), whose digits are
    not numbers the person stated; "fifty-eight" stays."""
    kept: list[str] = []
    for token in text.split():
        bare = token.strip(",;:!?¿¡()'\"")
        parts = [part for part in re.split(r"[-./]", fold(bare)) if part]
        named = bool(re.search(r"[-./]", bare)) and bool(re.search(r"[A-Za-z]", bare))
        if named and not all(part in _UNITS or part in _HUNDREDS for part in parts):
            if not re.fullmatch(r"[1-5]xx", bare.lower()):
                continue
        kept.append(token)
    return " ".join(kept)


def read_values(text: str) -> TextValues:
    """Every value `text` states that a tool argument could take."""
    digits = words_to_digits(_STATUS_CLASS.sub(" ", fold(_without_names(text))))
    hours = since = None
    masked = digits
    if match := _DURATION.search(digits):
        amount = int(match.group(1) or 1)
        unit = _UNIT_OF[match.group(2)]
        hours = max(1, round(amount * _HOURS_PER[unit]))
        since = f"{amount * 7}d" if unit == "w" else f"{amount}{unit}"
        masked = masked.replace(match.group(0), " ")
    count = None
    if match := _COUNT.search(masked):
        count = int(match.group(1))
    elif match := _RANKED.search(masked):
        count = int(match.group(1) or match.group(2))
    statuses: list[int | str] = [f"{m.group(1)}xx" for m in _STATUS_CLASS.finditer(fold(text))]
    statuses += [int(m.group(1)) for m in _STATUS.finditer(digits)]
    words = re.findall(r"[a-z]+", digits)
    anchored = {
        name: int(match.group(1))
        for name, pattern in _ANCHORS.items()
        if (match := pattern.search(masked))
    }
    return TextValues(
        numbers=tuple(int(m.group(1)) for m in _NUMBER.finditer(masked)),
        hours=hours,
        since=since,
        count=count,
        statuses=tuple(dict.fromkeys(statuses)),
        methods=tuple(dict.fromkeys(m for m in re.findall(r"\b[A-Z]+\b", text) if m in _METHODS)),
        levels=tuple(dict.fromkeys(_LEVELS[w] for w in words if w in _LEVELS)),
        severities=tuple(dict.fromkeys(_SEVERITIES[w] for w in words if w in _SEVERITIES)),
        anchored=anchored,
    )
