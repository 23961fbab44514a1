"""Search arguments: opaque cursors and HTTP status filters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backend.outbox.writer import event_envelope
from backend.services.log_search import (
    InvalidQuery,
    _status_filter,
    decode_cursor,
    encode_cursor,
)


def test_cursor_round_trip_and_refusal() -> None:
    ts = datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
    assert decode_cursor(encode_cursor(ts, 42)) == (ts, 42)
    for bad in ("garbage", "", "bm90|YQ"):
        with pytest.raises(InvalidQuery):
            decode_cursor(bad)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, (None, None)),
        (503, (503, None)),
        ("404", (404, None)),
        ("5xx", (None, 5)),
        ("4XX", (None, 4)),
    ],
)
def test_status_filter(given: int | str | None, expected: tuple[int | None, int | None]) -> None:
    assert _status_filter(given) == expected


@pytest.mark.parametrize("bad", ["5x", "600", 42, "error"])
def test_status_filter_refuses(bad: int | str) -> None:
    with pytest.raises(InvalidQuery):
        _status_filter(bad)


def test_event_envelope_carries_id_type_time_and_entity() -> None:
    import uuid

    event_id = uuid.uuid4()
    at = datetime(2025, 3, 1, tzinfo=UTC)
    envelope = event_envelope(event_id, "incident.detected", at, {"incident": {"id": 1}})
    assert envelope == {
        "event_id": str(event_id),
        "event_type": "incident.detected",
        "occurred_at": "2025-03-01T00:00:00+00:00",
        "incident": {"id": 1},
    }
