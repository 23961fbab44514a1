"""Log normalisation: a document of any known shape -> the backend's log record.

Pure functions of the document and a `FieldMapping`. They never raise on odd
input: a value that cannot be coerced is passed through unchanged, so the
backend refuses that record with a reason and the consumer dead-letters it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import orjson
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

LogSource = Literal["jenkins", "api"]

_MISSING: Any = object()

# OpenTelemetry SeverityNumber ranges (logs data model), upper bound inclusive.
_SEVERITY_NUMBER_LEVELS = ((4, "TRACE"), (8, "DEBUG"), (12, "INFO"), (16, "WARN"), (20, "ERROR"))
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Epoch magnitude from which a number is ns, us or ms -> units per second.
_EPOCH_UNITS = ((10**17, 10**9), (10**14, 10**6), (10**11, 10**3))
_ROUTING_WORD = re.compile(r"[^a-z0-9_-]+")


class _MappingFile(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    class Common(BaseModel):
        model_config = ConfigDict(extra="forbid", populate_by_name=True)
        timestamp: list[str] = Field(alias="@timestamp", min_length=1)
        message: list[str] = Field(min_length=1)
        trace_id: list[str] = []
        details: list[str] = []

    class Jenkins(BaseModel):
        model_config = ConfigDict(extra="forbid")
        level: list[str] = Field(min_length=1)
        severity_number: list[str] = []
        job_name: list[str] = Field(min_length=1)
        build_number: list[str] = Field(min_length=1)

    class Api(BaseModel):
        model_config = ConfigDict(extra="forbid")
        http_method: list[str] = Field(min_length=1)
        http_status: list[str] = Field(min_length=1)
        endpoint: list[str] = Field(min_length=1)

    common: Common
    jenkins: Jenkins
    api: Api
    level_aliases: dict[str, str] = {}


class MappingFileInvalid(ValueError):
    """The mapping YAML is unreadable or does not have the expected fields."""


@dataclass(frozen=True, slots=True)
class FieldMapping:
    """Candidate document paths per record field; the first present wins."""

    timestamp: tuple[str, ...]
    message: tuple[str, ...]
    trace_id: tuple[str, ...]
    details: tuple[str, ...]
    level: tuple[str, ...]
    severity_number: tuple[str, ...]
    job_name: tuple[str, ...]
    build_number: tuple[str, ...]
    http_method: tuple[str, ...]
    http_status: tuple[str, ...]
    endpoint: tuple[str, ...]
    level_aliases: Mapping[str, str]


def load_mapping(path: Path | None = None) -> FieldMapping:
    """Read a mapping YAML (the bundled default when `path` is None)."""
    where = str(path) if path else "ingest/mapping.yaml"
    try:
        text = (
            path.read_text()
            if path
            else resources.files("ingest").joinpath("mapping.yaml").read_text()
        )
        parsed = _MappingFile.model_validate(yaml.safe_load(text))
    except (OSError, yaml.YAMLError) as error:
        raise MappingFileInvalid(f"{where}: {error}") from None
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise MappingFileInvalid(f"{where}: {field}: {first['msg']}") from None
    c, j, a = parsed.common, parsed.jenkins, parsed.api
    return FieldMapping(
        timestamp=tuple(c.timestamp),
        message=tuple(c.message),
        trace_id=tuple(c.trace_id),
        details=tuple(c.details),
        level=tuple(j.level),
        severity_number=tuple(j.severity_number),
        job_name=tuple(j.job_name),
        build_number=tuple(j.build_number),
        http_method=tuple(a.http_method),
        http_status=tuple(a.http_status),
        endpoint=tuple(a.endpoint),
        level_aliases={k.upper(): v.upper() for k, v in parsed.level_aliases.items()},
    )


def lookup(doc: Any, path: str) -> Any:
    """The value at a dotted path, matching nested objects and dotted keys alike; _MISSING if none."""
    return _lookup(doc, _parts(path))


@cache
def _parts(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))


def _lookup(node: Any, parts: Sequence[str]) -> Any:
    if not parts:
        return node
    if not isinstance(node, Mapping):
        return _MISSING
    # Longest key first: {"http.response.status_code": 1} beats {"http": {...}} only when present.
    for cut in range(len(parts), 0, -1):
        key = ".".join(parts[:cut])
        if key in node:
            found = _lookup(node[key], parts[cut:])
            if found is not _MISSING:
                return found
    return _MISSING


def first_present(doc: Mapping[str, Any], paths: Sequence[str]) -> Any:
    """The first non-null value among `paths`, or None."""
    for path in paths:
        value = lookup(doc, path)
        if value is not _MISSING and value is not None and value != "":
            return value
    return None


def normalise_timestamp(value: Any) -> Any:
    """ISO-8601 text as is; epoch numbers (s, ms, us or ns, by magnitude) to ISO-8601 UTC."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    magnitude = abs(value)
    per_second = next((per for bound, per in _EPOCH_UNITS if magnitude >= bound), 1)
    # Integer arithmetic for integers: through a float, whole nanoseconds such as
    # 1717228860000000000 end up at .999999 of the second before.
    micros = (
        value * 1_000_000 // per_second
        if isinstance(value, int)
        else round(value * 1_000_000 / per_second)
    )
    try:
        moment = _EPOCH + timedelta(microseconds=micros)
    except OverflowError:
        return value
    return moment.isoformat().replace("+00:00", "Z")


def normalise_level(text: Any, severity_number: Any, aliases: Mapping[str, str]) -> Any:
    """Upper-cased level with aliases folded; from the OTel severity number when no text."""
    if isinstance(text, str) and text.strip():
        upper = text.strip().upper()
        return aliases.get(upper, upper)
    if text is not None:
        return text
    if isinstance(severity_number, int) and not isinstance(severity_number, bool):
        if severity_number <= 0:
            return None
        for bound, level in _SEVERITY_NUMBER_LEVELS:
            if severity_number <= bound:
                return level
        return "FATAL"
    return None


def as_int(value: Any) -> Any:
    """An int from an int, a whole float or digit text ("#42" too); other values unchanged."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        digits = value.strip().removeprefix("#")
        if digits.isdigit():
            return int(digits)
    return value


def as_text(value: Any) -> Any:
    """Structured bodies become compact JSON text; other values unchanged."""
    if isinstance(value, Mapping | list):
        return orjson.dumps(value, default=str).decode()
    return value


def _details(doc: Mapping[str, Any], mapping: FieldMapping) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in mapping.details:
        value = lookup(doc, path)
        if isinstance(value, Mapping):
            merged.update(value)
    return merged


def _common(
    doc: Mapping[str, Any], index: str, doc_id: str, mapping: FieldMapping
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "@timestamp": normalise_timestamp(first_present(doc, mapping.timestamp)),
        "message": as_text(first_present(doc, mapping.message)),
        "details": _details(doc, mapping),
        "_index": index,
        "_id": doc_id,
    }
    trace_id = first_present(doc, mapping.trace_id)
    record["trace_id"] = trace_id if isinstance(trace_id, str) else None
    return record


def to_jenkins_record(
    doc: Mapping[str, Any], *, index: str, doc_id: str, mapping: FieldMapping
) -> dict[str, Any]:
    """A Jenkins log record for `POST /api/logs/jenkins`."""
    record = _common(doc, index, doc_id, mapping)
    record["level"] = normalise_level(
        first_present(doc, mapping.level),
        first_present(doc, mapping.severity_number),
        mapping.level_aliases,
    )
    record["job_name"] = first_present(doc, mapping.job_name)
    record["build_number"] = as_int(first_present(doc, mapping.build_number))
    return record


def to_api_record(
    doc: Mapping[str, Any], *, index: str, doc_id: str, mapping: FieldMapping
) -> dict[str, Any]:
    """An API access log record for `POST /api/logs/api`."""
    record = _common(doc, index, doc_id, mapping)
    if record["message"] is None:
        record["message"] = ""
    method = first_present(doc, mapping.http_method)
    record["http_method"] = method.upper() if isinstance(method, str) else method
    record["http_status"] = as_int(first_present(doc, mapping.http_status))
    record["endpoint"] = first_present(doc, mapping.endpoint)
    return record


def to_record(
    source: LogSource, doc: Mapping[str, Any], *, index: str, doc_id: str, mapping: FieldMapping
) -> dict[str, Any]:
    """The backend record for a document of `source`."""
    convert = to_jenkins_record if source == "jenkins" else to_api_record
    return convert(doc, index=index, doc_id=doc_id, mapping=mapping)


def routing_key(source: LogSource, record: Mapping[str, Any]) -> str:
    """`logs.jenkins.<level>` or `logs.api.<status class>`, e.g. `logs.api.5xx`."""
    if source == "jenkins":
        level = record.get("level")
        word = _ROUTING_WORD.sub("_", level.lower()).strip("_") if isinstance(level, str) else ""
        return f"logs.jenkins.{word or 'unknown'}"
    status = record.get("http_status")
    if isinstance(status, int) and not isinstance(status, bool) and 100 <= status <= 599:
        return f"logs.api.{status // 100}xx"
    return "logs.api.unknown"
