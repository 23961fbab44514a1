"""HTTP to Jenkins: auth, CSRF crumbs fetched on demand and cached, timeouts, retries.

Retries (tenacity, exponential backoff with jitter) cover connection errors
and 5xx answers. A POST is retried only when it cannot have reached Jenkins
(connect errors) or when Jenkins answered 5xx; a read timeout on a POST is not
retried, since the build may have been queued. Jenkins itself merges an
identical waiting queue item, which bounds the harm of a retried 5xx POST.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

import httpx
import structlog
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from runner.jenkins.errors import JenkinsAuthError, JenkinsRequestError, JenkinsUnavailable

log = structlog.get_logger(__name__)

CRUMB_PATH = "/crumbIssuer/api/json"
NO_CRUMB_TEXT = "No valid crumb"
UNSENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class ServerError(Exception):
    """A 5xx answer, raised inside the retry loop so that tenacity retries it."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


class JenkinsTransport:
    """One httpx client to one Jenkins, with the crumb cached for the session."""

    def __init__(
        self,
        base_url: str,
        *,
        user: str | None,
        token: str | None,
        timeout_s: float,
        retries: int,
        backoff_s: float,
        backoff_max_s: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.user = user
        self.retries = retries
        self.backoff_s = backoff_s
        self.backoff_max_s = backoff_max_s
        auth = httpx.BasicAuth(user, token) if user and token else None
        # Cookies are kept: Jenkins ties crumbs to the web session.
        self.http = httpx.AsyncClient(
            base_url=self.base_url,
            auth=auth,
            timeout=httpx.Timeout(timeout_s),
            follow_redirects=False,
            transport=transport,
            headers={"Accept": "application/json"},
        )
        self._crumb: dict[str, str] | None = None
        self._crumb_known = False
        self._crumb_lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self.http.aclose()

    async def get(self, path: str, *, params: Mapping[str, str] | None = None) -> httpx.Response:
        """GET with retries; returns any non-5xx answer for the caller to interpret."""
        return await self._send("GET", path, params=params, data=None)

    async def post(self, path: str, *, data: Mapping[str, str] | None = None) -> httpx.Response:
        """POST with the crumb when Jenkins wants one; refetches it once if Jenkins rejects it."""
        response = await self._send(
            "POST", path, params=None, data=data, headers=await self._crumb_header()
        )
        if response.status_code == 403 and NO_CRUMB_TEXT in response.text:
            log.info("jenkins.crumb_refused", path=path)
            self._crumb_known = False
            response = await self._send(
                "POST", path, params=None, data=data, headers=await self._crumb_header()
            )
        return response

    async def _crumb_header(self) -> dict[str, str]:
        async with self._crumb_lock:
            if not self._crumb_known:
                response = await self._send("GET", CRUMB_PATH, params=None, data=None)
                if response.status_code == 404:
                    self._crumb = None  # CSRF protection is off
                else:
                    self.raise_for_auth(response, "read a CSRF crumb")
                    body = response.json()
                    self._crumb = {body["crumbRequestField"]: body["crumb"]}
                self._crumb_known = True
            return dict(self._crumb or {})

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None,
        data: Mapping[str, str] | None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        def retryable(error: BaseException) -> bool:
            if isinstance(error, ServerError):
                return True
            if method == "POST":
                return isinstance(error, UNSENT_ERRORS)
            return isinstance(error, httpx.TransportError)

        def before_sleep(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            log.warning(
                "jenkins.retry",
                method=method,
                path=path,
                attempt=state.attempt_number,
                error=str(error),
            )

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.retries + 1),
            wait=wait_exponential_jitter(
                initial=self.backoff_s, max=self.backoff_max_s, jitter=self.backoff_s
            ),
            retry=retry_if_exception(retryable),
            before_sleep=before_sleep,
            reraise=True,
        )
        started = time.monotonic()
        try:
            async for attempt in retrying:
                with attempt:
                    response = await self.http.request(
                        method, path, params=params, data=data, headers=headers
                    )
                    if response.status_code >= 500:
                        raise ServerError(response)
        except ServerError as error:
            raise JenkinsUnavailable(
                f"Jenkins answered {error.response.status_code} to {method} {path} "
                f"after {self.retries + 1} attempts"
            ) from None
        except httpx.TimeoutException as error:
            raise JenkinsUnavailable(
                f"Jenkins at {self.base_url} did not answer {method} {path} in time ({type(error).__name__})"
            ) from None
        except httpx.TransportError as error:
            raise JenkinsUnavailable(f"cannot reach Jenkins at {self.base_url}: {error}") from None
        log.debug(
            "jenkins.call",
            method=method,
            path=path,
            status=response.status_code,
            ms=round((time.monotonic() - started) * 1000, 1),
        )
        return response

    def raise_for_auth(self, response: httpx.Response, doing: str) -> None:
        """Turn 401/403 into `JenkinsAuthError`, naming the user and what was attempted."""
        if response.status_code == 401:
            raise JenkinsAuthError(
                f"Jenkins at {self.base_url} refused the credentials of user {self.user!r} (401); "
                "check JENKINS_USER and JENKINS_API_TOKEN",
                status=401,
            )
        if response.status_code == 403:
            who = (
                f"user {self.user!r}"
                if self.user
                else "anonymous access (JENKINS_USER/JENKINS_API_TOKEN not set)"
            )
            raise JenkinsAuthError(f"Jenkins does not allow {who} to {doing} (403)", status=403)

    def raise_for_status(self, response: httpx.Response, doing: str) -> None:
        """Any remaining 4xx as `JenkinsRequestError` with Jenkins's own words, shortened."""
        self.raise_for_auth(response, doing)
        if response.status_code >= 400:
            raise JenkinsRequestError(
                f"Jenkins refused to {doing}: HTTP {response.status_code} {short_reason(response)}".rstrip(),
                status=response.status_code,
            )

    @staticmethod
    def json(response: httpx.Response, doing: str) -> Any:
        try:
            return response.json()
        except ValueError:
            raise JenkinsRequestError(f"Jenkins's answer to {doing} is not JSON") from None


def short_reason(response: httpx.Response) -> str:
    """Jenkins's error text without the HTML around it, at most one line."""
    text = response.text
    for marker in ("<title>", "<h2>"):
        if marker in text:
            text = text.split(marker, 1)[1].split("<", 1)[0]
            break
    return " ".join(text.split())[:200]
