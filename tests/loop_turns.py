"""Counting the event loop's turns: how many went by between two things happening."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def counting_turns() -> Iterator[Callable[[], int]]:
    """Yields a function giving the turns of the running loop since the count began."""
    loop = asyncio.get_running_loop()
    turns = 0
    counting = True

    def count_a_turn() -> None:
        nonlocal turns
        turns += 1
        if counting:
            loop.call_soon(count_a_turn)

    loop.call_soon(count_a_turn)
    try:
        yield lambda: turns
    finally:
        counting = False
