"""Bearer-token authentication for every route but /health and /metrics."""

from __future__ import annotations

import hmac
from typing import Annotated

import structlog
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

log = structlog.get_logger(__name__)

_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <API_TOKEN>`")


async def require_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """401 unless the bearer token matches API_TOKEN (constant-time); the token is never logged."""
    expected: bytes = request.app.state.services.token
    given = credentials.credentials.encode() if credentials is not None else b""
    if not hmac.compare_digest(given, expected):
        log.warning(
            "api.unauthorized",
            path=request.url.path,
            client=request.client.host if request.client else None,
            token_present=credentials is not None,
        )
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="missing or invalid bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
