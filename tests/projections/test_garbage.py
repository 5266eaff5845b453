"""The collector's pace during a rebuild: slower while folding, as it was afterwards."""

from __future__ import annotations

import gc

import pytest

from projections.garbage import REBUILD_THRESHOLD, fewer_collections


def test_the_threshold_is_raised_while_folding_and_restored_after_nested_uses() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold()[0] == REBUILD_THRESHOLD
        with fewer_collections():
            assert gc.get_threshold()[0] == REBUILD_THRESHOLD
        assert gc.get_threshold()[0] == REBUILD_THRESHOLD  # the outer rebuild still runs
        assert gc.get_threshold()[1:] == before[1:]
    assert gc.get_threshold() == before


def test_the_threshold_is_restored_when_the_rebuild_fails() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("the database went away")
    assert gc.get_threshold() == before
