"""The rule file schema: one pydantic model per rule type, validated at start.

A rule says which logs it is about (`match`, plus `population` for ratios), how
to group them (`group_by`, the fingerprint), and for windowed types how many
in what window. Window edges are bucket-aligned (BUCKET_SECONDS).
"""

from __future__ import annotations

import re
import string
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from backend.detection.model import ActionType, LogSource
from backend.detection.rule_syntax import (
    RuleFieldError,
    normalize_level,
    parse_regex,
    parse_status,
    parse_window,
)
from backend.domain.statuses import Severity

GROUP_FIELDS: dict[str, frozenset[str]] = {
    "jenkins": frozenset({"job_name", "level"}),
    "api": frozenset({"endpoint", "http_method", "http_status"}),
}
TITLE_FIELDS = frozenset(
    {
        "rule",
        "group",
        "job_name",
        "build_number",
        "endpoint",
        "http_method",
        "http_status",
        "level",
        "count",
        "total",
        "ratio",
        "window",
    }
)
RULE_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


Window = Annotated[int, BeforeValidator(parse_window)]
Regex = Annotated[str, BeforeValidator(parse_regex)]
StatusRange = Annotated[tuple[int, int], BeforeValidator(parse_status)]
Globs = tuple[Annotated[str, Field(min_length=1)], ...]


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Conditions(Frozen):
    """Per-log conditions; every one given must hold."""

    levels: tuple[str, ...] | None = None
    message_regex: Regex | None = None
    message_not_regex: Regex | None = None
    http_status: tuple[StatusRange, ...] | None = None
    http_methods: tuple[str, ...] | None = None
    jobs: Globs | None = None
    exclude_jobs: Globs | None = None
    endpoints: Globs | None = None
    exclude_endpoints: Globs | None = None

    @field_validator("levels")
    @classmethod
    def _levels(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return None if value is None else tuple(normalize_level(level) for level in value)

    @field_validator("http_methods")
    @classmethod
    def _methods(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return None if value is None else tuple(method.strip().upper() for method in value)

    @field_validator("http_status", mode="before")
    @classmethod
    def _one_status(cls, value: Any) -> Any:
        return [value] if isinstance(value, int | str) else value

    def is_empty(self) -> bool:
        """True when no condition is given (every log of the source holds)."""
        return all(value is None for value in self.__dict__.values())

    def fields_given(self) -> set[str]:
        return {name for name, value in self.__dict__.items() if value is not None}


JENKINS_ONLY = frozenset({"levels", "jobs", "exclude_jobs"})
API_ONLY = frozenset({"http_status", "http_methods", "endpoints", "exclude_endpoints"})


class RemediationSpec(Frozen):
    """An action the rule proposes; `jobs` limits it to matching jobs (unset: any)."""

    action: ActionType
    parameters: dict[str, Any] = Field(default_factory=dict)
    jobs: Globs | None = None


class SeverityOverride(Frozen):
    """A different severity for some jobs or endpoints; the first override that holds wins."""

    severity: Severity
    jobs: Globs | None = None
    endpoints: Globs | None = None

    @model_validator(mode="after")
    def _needs_target(self) -> SeverityOverride:
        if self.jobs is None and self.endpoints is None:
            raise ValueError("an override needs 'jobs' or 'endpoints'")
        return self


class RuleBase(Frozen):
    """What every rule has, whatever its type."""

    name: str
    description: str = ""
    source: LogSource
    severity: Severity
    enabled: bool = True
    match: Conditions = Field(default_factory=Conditions)
    group_by: tuple[str, ...] = ()
    runbook_url: str | None = None
    title: str = "{rule}: {group}"
    remediation: RemediationSpec | None = None
    severity_overrides: tuple[SeverityOverride, ...] = ()

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not RULE_NAME.match(value):
            raise ValueError("must be lower case letters, digits, '_', '.', '-'")
        return value

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        try:
            parts = list(string.Formatter().parse(value))
        except ValueError as error:
            raise ValueError(f"invalid template: {error}") from None
        for _, field_name, spec, conversion in parts:
            if field_name is None:
                continue
            if field_name not in TITLE_FIELDS:
                known = ", ".join(sorted(TITLE_FIELDS))
                raise ValueError(f"unknown placeholder {{{field_name}}} (known: {known})")
            if spec or conversion:
                raise ValueError(f"placeholder {{{field_name}}} takes no format spec")
        return value

    @model_validator(mode="after")
    def _fits_source(self) -> RuleBase:
        foreign = API_ONLY if self.source == "jenkins" else JENKINS_ONLY
        for label, conditions in self.condition_sets():
            wrong = sorted(conditions.fields_given() & foreign)
            if wrong:
                raise RuleFieldError(f"{label}.{wrong[0]}", f"does not apply to {self.source} logs")
        allowed = GROUP_FIELDS[self.source]
        for field_name in self.group_by:
            if field_name not in allowed:
                raise RuleFieldError(
                    "group_by",
                    f"{field_name!r} is not a {self.source} field "
                    f"(one of {', '.join(sorted(allowed))})",
                )
        if len(set(self.group_by)) != len(self.group_by):
            raise RuleFieldError("group_by", "names a field twice")
        return self

    def condition_sets(self) -> list[tuple[str, Conditions]]:
        return [("match", self.match)]


class MatchRule(RuleBase):
    """Fires on every log that meets the conditions."""

    type: Literal["match"]

    @model_validator(mode="after")
    def _not_everything(self) -> MatchRule:
        if self.match.is_empty():
            raise RuleFieldError("match", "a match rule needs at least one condition")
        return self


class FrequencyRule(RuleBase):
    """Fires when a group has at least `min_count` matching logs within `window`."""

    type: Literal["frequency"]
    window: Window
    min_count: int = Field(ge=1)


class ThresholdRule(RuleBase):
    """Fires when matches are at least `ratio` of the `population` within `window`."""

    type: Literal["threshold"]
    window: Window
    ratio: float = Field(gt=0, le=1)
    min_total: int = Field(default=1, ge=1)
    min_count: int = Field(default=1, ge=1)
    population: Conditions = Field(default_factory=Conditions)

    def condition_sets(self) -> list[tuple[str, Conditions]]:
        return [("match", self.match), ("population", self.population)]


class SpikeRule(RuleBase):
    """Fires when the current window has `ratio` times the previous window's matches."""

    type: Literal["spike"]
    window: Window
    ratio: float = Field(gt=1)
    min_count: int = Field(ge=1)
    min_previous: int = Field(default=0, ge=0)


class FlatlineRule(RuleBase):
    """Fires, on a timer, when fewer than `min_count` matching logs arrived within `window`.

    `groups` names the groups that must keep logging (e.g. `[{job_name: nightly}]`);
    without it the rule watches the source as a whole.
    """

    type: Literal["flatline"]
    window: Window
    min_count: int = Field(ge=1)
    groups: tuple[dict[str, str], ...] | None = None

    @model_validator(mode="after")
    def _groups_fit(self) -> FlatlineRule:
        if self.groups is None:
            if self.group_by:
                raise RuleFieldError("groups", "is required when group_by is set")
            return self
        if not self.groups:
            raise RuleFieldError("groups", "must name at least one group")
        for group in self.groups:
            if set(group) != set(self.group_by):
                raise RuleFieldError(
                    "groups",
                    f"each group must give exactly the group_by fields {list(self.group_by)}",
                )
        return self


Rule = MatchRule | FrequencyRule | ThresholdRule | SpikeRule | FlatlineRule
WindowedRule = FrequencyRule | ThresholdRule | SpikeRule | FlatlineRule
RULE_TYPES: dict[str, type[Rule]] = {
    "match": MatchRule,
    "frequency": FrequencyRule,
    "threshold": ThresholdRule,
    "spike": SpikeRule,
    "flatline": FlatlineRule,
}
