"""Calling a tool the same way on every face: validate, run the handler, map errors once."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import asyncpg
import structlog
from pydantic import ValidationError

from backend.domain.errors import (
    DomainError,
    GuardRefused,
    InvalidTransition,
    NotAllowed,
    NotFound,
)
from tools.catalogue import ToolDefinition
from tools.context import ToolServices
from tools.errors import ToolUnavailable
from tools.results import ErrorData, ErrorKind, ToolResult, error_result

log = structlog.get_logger(__name__)


def describe_validation_error(error: ValidationError) -> tuple[str, str | None]:
    """A one-line message naming the first bad argument, and that argument's name."""
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or None
    message = first["msg"]
    if first["type"] == "missing":
        return f"argument {field!r} is required", field
    if first["type"] == "extra_forbidden":
        return f"unknown argument {field!r}", field
    return f"argument {field!r}: {message}", field


def _domain_error_kind(error: DomainError) -> ErrorKind:
    if isinstance(error, NotFound):
        return "not_found"
    if isinstance(error, InvalidTransition):
        return "invalid_transition"
    if isinstance(error, NotAllowed):
        return "not_allowed"
    return "invalid_argument"


async def invoke_tool(
    tool: ToolDefinition[Any, Any],
    services: ToolServices,
    arguments: Mapping[str, Any] | None,
    actor: str,
) -> ToolResult[Any]:
    """Run one tool call to a result; never raises for anything a caller could cause."""
    started = time.perf_counter()
    model = tool.output_model
    result: ToolResult[Any]
    try:
        args = tool.input_model.model_validate(dict(arguments or {}))
    except ValidationError as error:
        message, field = describe_validation_error(error)
        result = error_result(model, "invalid_argument", message, field=field)
    else:
        try:
            result = await tool.handler(services, args, actor)
        except GuardRefused as error:
            result = model(
                status="refused",
                summary=error.reason,
                data=ErrorData(error="not_allowed", message=error.reason),
            )
        except DomainError as error:
            result = error_result(model, _domain_error_kind(error), str(error))
        except ToolUnavailable as error:
            result = error_result(model, "unavailable", str(error))
        except (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError):
            log.warning("tool.dependency_down", tool=tool.name, exc_info=True)
            result = error_result(model, "unavailable", "the database cannot be reached right now")
        except Exception:
            log.exception("tool.crashed", tool=tool.name, actor=actor)
            result = error_result(model, "internal", f"{tool.name} failed; the server log has why")
    log.info(
        "tool.called",
        tool=tool.name,
        actor=actor,
        status=result.status,
        argument_names=sorted(arguments or {}),
        duration_ms=round((time.perf_counter() - started) * 1000, 1),
    )
    return result
