"""What the Jenkins client returns: small pydantic models with Jenkins's meaning, not its JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

ParameterValue = str | bool | int | float | None
JobState = Literal[
    "success", "failure", "unstable", "aborted", "not_built", "disabled", "building", "unknown"
]


class JobSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    full_name: str
    name: str
    url: str
    color: str | None
    state: JobState


class ParameterDefinition(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    type: str
    default: ParameterValue = None
    choices: list[str] | None = None


class JobInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    full_name: str
    url: str
    buildable: bool
    state: JobState
    last_build: int | None
    next_build_number: int | None
    in_queue: bool
    parameters: list[ParameterDefinition]


class BuildInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    job: str
    number: int
    url: str
    building: bool
    result: str | None
    started_at: datetime | None
    duration_s: float | None
    parameters: dict[str, ParameterValue]
    queue_id: int | None = None


class QueueRef(BaseModel):
    """A build request Jenkins accepted: its queue item."""

    model_config = ConfigDict(frozen=True)

    queue_id: int
    url: str


class QueueItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    queue_id: int
    why: str | None
    cancelled: bool
    build_number: int | None
    build_url: str | None


class JenkinsHealth(BaseModel):
    model_config = ConfigDict(frozen=True)

    ok: bool
    url: str
    version: str | None = None
    simulator: bool = False
    latency_ms: float | None = None
    error: str | None = None


COLOR_STATES: dict[str, JobState] = {
    "blue": "success",
    "green": "success",
    "red": "failure",
    "yellow": "unstable",
    "aborted": "aborted",
    "notbuilt": "not_built",
    "disabled": "disabled",
    "grey": "not_built",
}


def state_from_color(color: str | None) -> JobState:
    """Jenkins's ball colour as a word; `*_anime` means a build is running."""
    if not color:
        return "unknown"
    if color.endswith("_anime"):
        return "building"
    return COLOR_STATES.get(color, "unknown")


def parameters_of(actions: list[Any]) -> dict[str, ParameterValue]:
    """The parameter values a build ran with, from its `actions[].parameters`."""
    values: dict[str, ParameterValue] = {}
    for action in actions or []:
        if isinstance(action, dict):
            for parameter in action.get("parameters") or []:
                if isinstance(parameter, dict) and "name" in parameter:
                    values[parameter["name"]] = parameter.get("value")
    return values
