"""Counting in fixed event-time buckets: what the engine hands the store and reads back.

Windowed rules count matches per (rule, group key, bucket). A window ending
at bucket `b` covers the buckets `b - window + BUCKET_SECONDS ... b`, so its
edges are bucket-aligned: counts hold across batches, workers and restarts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from backend.detection.rule_syntax import BUCKET_SECONDS

__all__ = [
    "BUCKET_SECONDS",
    "BucketDelta",
    "WindowQuery",
    "WindowSums",
    "bucket_of",
    "epoch_seconds",
    "from_epoch",
]


@dataclass(frozen=True, slots=True)
class BucketDelta:
    """Counts to add to one bucket of one rule's group."""

    rule: str
    group_key: str
    bucket_start: datetime
    matches: int
    total: int


@dataclass(frozen=True, slots=True)
class WindowQuery:
    """Sums wanted for one rule's group: the window `since..until` and the one before it.

    Bounds are bucket starts, inclusive; the previous window is
    `previous_since..since` with `since` excluded (equal to `since` when unused).
    """

    rule: str
    group_key: str
    since: datetime
    until: datetime
    previous_since: datetime


@dataclass(frozen=True, slots=True)
class WindowSums:
    """What a window holds once this batch's counts are added."""

    matches: int = 0
    total: int = 0
    previous_matches: int = 0


def epoch_seconds(moment: datetime) -> float:
    """Seconds since the epoch; a naive time is taken as UTC, as log shippers mean it."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def bucket_of(moment: datetime) -> int:
    """The start (epoch seconds) of the bucket holding `moment`."""
    seconds = int(epoch_seconds(moment) // BUCKET_SECONDS)
    return seconds * BUCKET_SECONDS


@lru_cache(maxsize=4096)
def from_epoch(seconds: int) -> datetime:
    """A bucket start as an aware UTC datetime (memoised: a batch touches few buckets)."""
    return datetime.fromtimestamp(seconds, tz=UTC)
