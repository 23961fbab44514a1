"""The simulator's jobs, parameters and build history, read from YAML (a default set ships)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

BuildResult = Literal["SUCCESS", "FAILURE", "UNSTABLE", "ABORTED", "NOT_BUILT"]
DEFAULT_CONFIG = Path(__file__).with_name("default_jobs.yaml")


class SimulatorConfigError(Exception):
    """The simulator's YAML file is missing or invalid; the message names the file and field."""


class ParameterSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    type: Literal["string", "choice", "boolean"] = "string"
    default: str | bool = ""
    choices: list[str] = Field(default_factory=list)
    description: str = ""


class HistoryBuild(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    result: BuildResult = "SUCCESS"
    parameters: dict[str, str | bool] = Field(default_factory=dict)
    duration_s: float = Field(default=90.0, ge=0)
    user: str = "admin"


class JobSpec(BaseModel):
    """A job by its full name; `team/deploy-staging` creates the folder `team`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    kind: Literal["pipeline", "freestyle"] = "pipeline"
    description: str = ""
    parameters: list[ParameterSpec] = Field(default_factory=list)
    history: list[HistoryBuild] = Field(default_factory=list)
    result: BuildResult | None = None
    build_seconds: float | None = Field(default=None, ge=0)
    disabled: bool = False

    @field_validator("name")
    @classmethod
    def _segments(cls, value: str) -> str:
        if any(not part.strip() for part in value.split("/")):
            raise ValueError("empty folder or job segment")
        return value


class SimulatorConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = "2.462.3"
    build_seconds: float = Field(default=5.0, ge=0, description="Time a new build runs.")
    queue_seconds: float = Field(default=0.0, ge=0, description="Quiet period before it starts.")
    result: BuildResult = "SUCCESS"
    csrf: bool = Field(default=True, description="POST without a valid crumb gets 403.")
    history_spacing_minutes: float = Field(default=180.0, gt=0)
    jobs: list[JobSpec] = Field(default_factory=list)

    @field_validator("jobs")
    @classmethod
    def _unique(cls, jobs: list[JobSpec]) -> list[JobSpec]:
        names = [job.name for job in jobs]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"duplicate job names: {', '.join(duplicates)}")
        folders = {"/".join(n.split("/")[:i]) for n in names for i in range(1, n.count("/") + 1)}
        clash = sorted(folders & set(names))
        if clash:
            raise ValueError(f"names used both as folder and job: {', '.join(clash)}")
        return jobs


def load_simulator_config(path: Path | None = None) -> SimulatorConfig:
    """Read and validate a simulator YAML file (the shipped default set when `path` is None)."""
    source = path or DEFAULT_CONFIG
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise SimulatorConfigError(f"{source}: cannot read: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise SimulatorConfigError(f"{source}: not valid YAML: {error}") from None
    try:
        return SimulatorConfig.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise SimulatorConfigError(f"{source}: {where}: {first['msg']}") from None
