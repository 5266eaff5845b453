"""Keyset paging over the log by position, with the next page fetched while this one is used."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar

P = TypeVar("P")

Fetch = Callable[[int, int, int], Awaitable[P]]
"""Fetches the page of (after position, up to position, at most this many events)."""

Extent = Callable[[P], tuple[int, int]]
"""A fetched page's event count and last position (any value when the page is empty)."""


def row_extent(page: Sequence[Sequence[Any]]) -> tuple[int, int]:
    """The extent of a page of rows whose first column is the position."""
    return len(page), page[-1][0] if page else 0


async def pages(
    fetch: Fetch[P],
    extent: Extent[P],
    after_position: int,
    limit: int | None,
    upto: int,
    page_size: int,
) -> AsyncIterator[P]:
    """Non-empty pages in position order; memory stays two pages deep.

    The next page is asked for before this one is handed out, so the database finds and
    sends it while the caller decodes: on two cores the two halves of a read overlap.
    """
    remaining = limit
    if remaining is not None and remaining <= 0:
        return
    size = page_size if remaining is None else min(page_size, remaining)
    pending: asyncio.Future[P] | None = asyncio.ensure_future(fetch(after_position, upto, size))
    try:
        while pending is not None:
            page = await pending
            pending = None
            count, last = extent(page)
            if remaining is not None:
                remaining -= count
            if count == size and (remaining is None or remaining > 0):
                size = page_size if remaining is None else min(page_size, remaining)
                pending = asyncio.ensure_future(fetch(last, upto, size))
                await asyncio.sleep(0)  # let the fetch send its query before we go on
            if count:
                yield page
    finally:
        if pending is not None:  # the caller stopped early: let the fetch end, unread
            with contextlib.suppress(Exception):
                await pending
