"""Reading the backend's 422 to find which records of a batch it refused, and why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def refused_records(errors: Sequence[Mapping[str, Any]], batch_size: int) -> dict[int, str] | None:
    """Position -> reason for each record named by `loc = ["body", position, field...]`.

    None when some error names no position in the batch (e.g. the body as a
    whole): the caller cannot tell which record is at fault.
    """
    refused: dict[int, list[str]] = {}
    for error in errors:
        loc = error.get("loc")
        if not isinstance(loc, Sequence) or isinstance(loc, str) or len(loc) < 2:
            return None
        position = loc[1]
        if isinstance(position, bool) or not isinstance(position, int):
            return None
        if not 0 <= position < batch_size:
            return None
        field = ".".join(str(part) for part in loc[2:]) or "record"
        refused.setdefault(position, []).append(f"{field}: {error.get('msg', 'invalid')}")
    if not refused:
        return None
    return {position: "; ".join(reasons) for position, reasons in refused.items()}
