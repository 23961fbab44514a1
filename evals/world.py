"""The evals' world: the jobs, builds, incidents and actions a deterministic backend knows.

A world is a YAML file (`evals/world.yaml` by default; a dataset may bring its own):

```yaml
jobs:                       # Jenkins jobs by full name (folders as "team/deploy-prod")
  deploy-prod:
    builds:                 # build number -> state
      123: {result: FAILURE}
      124: {building: true, parameters: {BRANCH: main}}
incidents:                  # incident number -> incident
  42: {rule: jenkins_build_failure, severity: high, status: detected, job: deploy-prod,
       build: 123, summary: "Build failed", age_h: 2}
actions:                    # action number -> remediation action
  7: {type: restart, job: deploy-prod, build: 123, status: awaiting_approval,
      requested_by: ana}
```

Loading validates everything and names the bad field; nothing here does I/O but `load_world`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Severity = Literal["low", "medium", "high", "critical"]
IncidentStatus = Literal["detected", "notified", "acknowledged", "investigating", "resolved"]
ActionStatus = Literal[
    "requested", "awaiting_approval", "approved", "running", "succeeded", "failed", "rejected"
]
BuildResult = Literal["SUCCESS", "FAILURE", "ABORTED", "UNSTABLE"]

DEFAULT_WORLD = Path(__file__).with_name("world.yaml")


class WorldError(ValueError):
    """A world file that cannot be used; the message names the file and the field."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Build(_Frozen):
    """One Jenkins build."""

    result: BuildResult | None = None
    building: bool = False
    duration_s: float | None = None
    parameters: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _finished_or_running(self) -> Build:
        if self.building == (self.result is not None):
            raise ValueError("a build is either building or has a result")
        return self


class Job(_Frozen):
    """One Jenkins job and its builds."""

    builds: dict[int, Build] = Field(default_factory=dict)
    log: list[str] = Field(default_factory=list, description="Recent log lines, newest first.")


class Incident(_Frozen):
    """One incident."""

    rule: str
    severity: Severity
    status: IncidentStatus
    summary: str
    job: str | None = None
    build: int | None = None
    endpoint: str | None = None
    age_h: float = 1.0


class Action(_Frozen):
    """One remediation action."""

    type: Literal["restart", "rollback", "stop"]
    job: str
    build: int
    status: ActionStatus
    requested_by: str
    incident: int | None = None


class ApiLog(_Frozen):
    """One API request log record."""

    method: str
    path: str
    status: int
    message: str = ""


class World(_Frozen):
    """Everything the deterministic backend can answer about."""

    jobs: dict[str, Job]
    incidents: dict[int, Incident] = Field(default_factory=dict)
    actions: dict[int, Action] = Field(default_factory=dict)
    api_logs: list[ApiLog] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references_exist(self) -> World:
        for number, incident in self.incidents.items():
            if incident.job is not None and incident.job not in self.jobs:
                raise ValueError(f"incident {number} names unknown job {incident.job!r}")
        for number, action in self.actions.items():
            if action.job not in self.jobs:
                raise ValueError(f"action {number} names unknown job {action.job!r}")
            if action.incident is not None and action.incident not in self.incidents:
                raise ValueError(f"action {number} names unknown incident {action.incident}")
        return self

    def next_action_id(self) -> int:
        """The number a newly requested action would get."""
        return max(self.actions, default=0) + 1


def parse_world(raw: Any, *, source: str = "<world>") -> World:
    """A validated world from parsed YAML; WorldError names the source and the field."""
    try:
        return World.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise WorldError(f"{source}: {where}: {first['msg']}") from None


def load_world(path: Path = DEFAULT_WORLD) -> World:
    """Read and validate a world file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise WorldError(f"{path}: {error}") from None
    return parse_world(raw, source=str(path))
