"""Jenkins URL paths for jobs in folders: `team/deploy-prod` -> `/job/team/job/deploy-prod`."""

from __future__ import annotations

from urllib.parse import quote


class InvalidJobName(ValueError):
    """A job name with an empty folder or job segment."""


def job_path(job: str) -> str:
    """The URL path of a job, folders included, each segment percent-encoded."""
    parts = job.strip("/").split("/")
    if not job.strip("/") or any(not part.strip() for part in parts):
        raise InvalidJobName(f"invalid Jenkins job name {job!r}: empty folder or job segment")
    return "".join(f"/job/{quote(part, safe='')}" for part in parts)


def build_path(job: str, number: int) -> str:
    return f"{job_path(job)}/{number}"


def queue_id_from_location(location: str) -> int | None:
    """The queue item id of a `Location` such as `http://jenkins/queue/item/25/`."""
    parts = [part for part in location.rstrip("/").split("/") if part]
    if len(parts) >= 3 and parts[-3] == "queue" and parts[-2] == "item" and parts[-1].isdigit():
        return int(parts[-1])
    return None
