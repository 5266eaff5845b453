"""The garbage collector's pace while a rebuild folds: its objects die young and hold no cycles."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

# Allocations between two young-generation collections while a rebuild runs (CPython: 700).
REBUILD_THRESHOLD = 100_000

_depth = 0
_saved: tuple[int, int, int] = gc.get_threshold()


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect the young generation every `REBUILD_THRESHOLD` allocations for the duration.

    A rebuild allocates millions of short-lived, acyclic objects (driver records, states,
    rows); a collection every 700 of them walked each one that was still alive, an eighth of
    the fold's time. Cycles are still collected, only less often. Nested or concurrent uses
    (two replays in one server) share one setting, restored when the last one ends.
    """
    global _depth, _saved
    if _depth == 0:
        _saved = gc.get_threshold()
        gc.set_threshold(REBUILD_THRESHOLD, *_saved[1:])
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            gc.set_threshold(*_saved)
