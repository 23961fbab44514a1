"""The result envelope every tool returns on every face: status, one-sentence summary, data."""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

ResultStatus = Literal["ok", "no_data", "error", "approval_required", "refused"]
ErrorKind = Literal[
    "not_found", "invalid_argument", "invalid_transition", "not_allowed", "unavailable", "internal"
]

DataT = TypeVar("DataT", bound=BaseModel)


class ErrorData(BaseModel):
    """What went wrong, for a person or a model to correct the call."""

    model_config = ConfigDict(frozen=True)

    error: ErrorKind
    message: str
    field: str | None = None


class ToolResult(BaseModel, Generic[DataT]):
    """`{"status", "summary", "data"}`: tools report outcomes, they never raise through the caller."""

    model_config = ConfigDict(frozen=True)

    status: ResultStatus
    summary: str
    data: DataT | ErrorData


class Empty(BaseModel):
    """Data of results that carry nothing but their summary."""

    model_config = ConfigDict(frozen=True)


class ErrorResult(ToolResult[Empty]):
    """An error that belongs to no tool (e.g. a name the catalogue does not have)."""


ResultT = TypeVar("ResultT", bound=ToolResult)  # type: ignore[type-arg]


def error_result(
    model: type[ResultT], kind: ErrorKind, message: str, *, field: str | None = None
) -> ResultT:
    """An `error` result of the tool's own output model; the summary is what a person reads."""
    return model(
        status="error", summary=message, data=ErrorData(error=kind, message=message, field=field)
    )
