from __future__ import annotations

import pytest

from backend.supervisor import RestartPolicy


@pytest.mark.parametrize(
    ("previous", "ran_for", "expected"),
    [
        (0.0, 0.1, 0.5),  # first crash
        (0.5, 0.1, 1.0),  # crash loop doubles
        (8.0, 0.1, 15.0),  # capped
        (15.0, 0.1, 15.0),
        (8.0, 31.0, 0.5),  # a long healthy run resets the backoff
    ],
)
def test_backoff(previous: float, ran_for: float, expected: float) -> None:
    assert RestartPolicy().next_delay(previous, ran_for) == expected
