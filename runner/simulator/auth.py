"""Jenkins's basic auth with an API token, as the simulator checks it, and its error pages."""

from __future__ import annotations

import base64
import binascii
import secrets

from starlette.responses import HTMLResponse, Response


class Credentials:
    """The one user the simulator accepts (anonymous access when no token is configured)."""

    def __init__(self, user: str | None, token: str | None) -> None:
        self.user = user
        self.token = token

    @property
    def required(self) -> bool:
        return self.token is not None

    def check(self, header: str | None) -> Response | None:
        """None when the request may proceed, else Jenkins's 401/403 answer."""
        if not self.required:
            return None
        if not header or not header.lower().startswith("basic "):
            return error_page(
                403,
                "Authentication required",
                {
                    "X-You-Are-Authenticated-As": "anonymous",
                    "X-Required-Permission": "hudson.model.Hudson.Read",
                },
            )
        try:
            user, _, token = base64.b64decode(header[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            user, token = "", ""
        assert self.token is not None
        if user != self.user or not secrets.compare_digest(token.encode(), self.token.encode()):
            return error_page(
                401,
                f"Invalid password/token for user: {user}",
                {"WWW-Authenticate": 'Basic realm="Jenkins"'},
            )
        return None


def error_page(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    body = f"<html><head><title>Error {status} {message}</title></head><body><h2>HTTP ERROR {status} {message}</h2></body></html>"
    return HTMLResponse(body, status_code=status, headers=headers)
