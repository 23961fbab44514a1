"""Jenkins read tools: jobs and builds."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from tools.results import ToolResult

_INPUT = ConfigDict(extra="forbid", frozen=True)
_VIEW = ConfigDict(from_attributes=True, frozen=True)


class ListJenkinsJobsInput(BaseModel):
    model_config = _INPUT

    query: str | None = Field(
        default=None,
        max_length=200,
        description='Part of the job name, e.g. "deploy"; omit for all.',
    )


class GetBuildStatusInput(BaseModel):
    model_config = _INPUT

    job: str = Field(
        min_length=1, max_length=200, description='Jenkins job name, e.g. "deploy-prod".'
    )
    build: int = Field(ge=1, description="The build number, e.g. 123.")


class JenkinsJob(BaseModel):
    model_config = _VIEW

    full_name: str
    name: str
    url: str = ""
    color: str | None = None
    state: str


class JenkinsJobList(BaseModel):
    model_config = ConfigDict(frozen=True)

    jobs: list[JenkinsJob]
    count: int


class BuildStatus(BaseModel):
    model_config = _VIEW

    job: str
    number: int
    url: str = ""
    building: bool = False
    result: str | None = None
    started_at: datetime | None = None
    duration_s: float | None = None
    parameters: dict[str, str | bool | int | float | None] = Field(default_factory=dict)


class JenkinsJobsResult(ToolResult[JenkinsJobList]):
    """Result of list_jenkins_jobs."""


class BuildStatusResult(ToolResult[BuildStatus]):
    """Result of get_build_status."""
