"""Typed errors of the Jenkins client; each message names what failed, for a person."""

from __future__ import annotations

from backend.domain.errors import DomainError, NotFound


class JenkinsError(DomainError):
    """Jenkins could not do what was asked."""


class JenkinsAuthError(JenkinsError):
    """Jenkins refused the credentials (401) or the permission (403)."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class JenkinsUnavailable(JenkinsError):
    """Jenkins could not be reached, or kept answering 5xx, after the retries."""


class JenkinsRequestError(JenkinsError):
    """Jenkins refused the request itself (4xx other than 401/403/404), or answered nonsense."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class JenkinsTimeout(JenkinsError):
    """Waiting for a queue item or a build took longer than allowed."""


class JobNotFound(NotFound, JenkinsError):
    def __init__(self, job: str) -> None:
        super().__init__(f"Jenkins job {job!r} does not exist")
        self.job = job


class BuildNotFound(NotFound, JenkinsError):
    def __init__(self, job: str, build: int) -> None:
        super().__init__(f"build #{build} of Jenkins job {job!r} does not exist")
        self.job = job
        self.build = build


class QueueItemNotFound(NotFound, JenkinsError):
    def __init__(self, queue_id: int) -> None:
        super().__init__(
            f"Jenkins queue item {queue_id} does not exist (Jenkins forgets items minutes after they start)"
        )
        self.queue_id = queue_id
