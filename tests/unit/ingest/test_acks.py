"""Where a stored batch is acked with `multiple=True`."""

from __future__ import annotations

import pytest

from ingest.acks import ack_points


@pytest.mark.parametrize(
    ("tags", "points"),
    [
        ([], []),
        ([7], [0]),
        ([1, 2, 3, 4], [3]),
        ([1, 2, 4, 9], [3]),  # gaps: dead-lettered, acked alone already
        ([998, 999, 1, 2, 3], [1, 4]),  # reconnect: tags restart on the new channel
        ([3, 4, 1, 2, 1], [1, 3, 4]),  # two reconnects
    ],
)
def test_one_ack_point_per_increasing_run_of_tags(tags: list[int], points: list[int]) -> None:
    assert ack_points(tags) == points
