"""The collector settings of service processes."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from backend.gc_tuning import THRESHOLDS, settle_heap


@pytest.fixture
def restored_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_settle_heap_freezes_what_lives_and_raises_the_young_threshold(restored_gc: None) -> None:
    kept = [{"record": n} for n in range(1000)]
    settle_heap()
    assert gc.get_threshold() == THRESHOLDS
    assert gc.get_freeze_count() >= len(kept)
