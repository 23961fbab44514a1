"""Domain errors mapped to HTTP once, for every route."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from backend.domain.errors import (
    DomainError,
    GuardRefused,
    InvalidTransition,
    NotAllowed,
    NotFound,
)
from backend.services.log_records import InvalidLogBatch
from backend.services.log_search import InvalidQuery


async def _domain_error(_: Request, error: Exception) -> JSONResponse:
    if isinstance(error, InvalidLogBatch):
        return JSONResponse({"detail": error.errors}, status_code=422)
    if isinstance(error, NotFound):
        return JSONResponse({"detail": str(error)}, status_code=404)
    if isinstance(error, InvalidTransition):
        return JSONResponse(
            {"detail": str(error), "current_status": error.current, "target": error.target},
            status_code=409,
        )
    if isinstance(error, InvalidQuery):
        return JSONResponse({"detail": str(error)}, status_code=422)
    if isinstance(error, GuardRefused):
        return JSONResponse({"detail": error.reason}, status_code=403)
    if isinstance(error, NotAllowed):
        return JSONResponse({"detail": str(error)}, status_code=403)
    return JSONResponse({"detail": str(error)}, status_code=400)


def install_error_handlers(app: FastAPI) -> None:
    """Map the domain's typed errors to status codes (404, 409 with the current status, 422)."""
    app.add_exception_handler(DomainError, _domain_error)
