"""SQLite's `read_all`: JSON pages on one connection, each asked for two pages ahead of its use.

aiosqlite runs queries in a thread of its own, which needs the GIL to start one. While the event
loop decodes a page that thread would wait for it (up to the 5 ms switch interval, longer than a
page takes), so a page asked for only then is built after the decoding, not beside it. Asking
for the page after next as well keeps a query queued on the connection's thread: it starts the
moment the one before ends, and SQLite builds it while Python decodes. The page after next is
asked for by OFFSET from the last position known, so paging stays exact with no assumption about
gaps; it is kept only if the page before it came back full.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from events.codec import Codec
from events.envelope import RecordedEvent
from events.json_pages import JSON_PAGE, JsonPage, JsonPageDecoder
from events.records import RowValues, decode_rows

E = TypeVar("E", bound=msgspec.Struct)

RowsAfter = Callable[[int, int], Awaitable[Sequence[RowValues]]]
"""The row path: at most this many raw rows after a position, as `SqlEventStore` reads them."""

_Asked = tuple[int, "asyncio.Future[Any]"]  # a page's size as asked for, and its query


class _Budget:
    """What is left of a read's limit, handed out in page sizes as pages are asked for."""

    def __init__(self, limit: int | None, page_size: int) -> None:
        self.left, self.page_size = limit, page_size

    def take(self) -> int:
        if self.left is None:
            return self.page_size
        size = min(self.page_size, self.left)
        self.left -= size
        return size

    def more(self) -> bool:
        return self.left is None or self.left > 0


async def json_events(
    engine: AsyncEngine,
    codec: Codec[E],
    decoder: JsonPageDecoder[E],
    rows_after: RowsAfter,
    *,
    after_position: int,
    limit: int | None,
    page_size: int,
) -> AsyncIterator[RecordedEvent[E]]:
    """`read_all` on SQLite, for a codec `JsonPageDecoder` supports."""
    budget = _Budget(limit, page_size)
    first = budget.take()
    if first <= 0:
        return
    async with engine.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None

        def ask(after: int, skip: int, size: int) -> _Asked:
            query = driver.execute_fetchall(JSON_PAGE, (after, size, skip))
            return size, asyncio.ensure_future(query)

        after = after_position
        current: _Asked | None = ask(after, 0, first)
        ahead = ask(after, first, budget.take()) if first == page_size and budget.more() else None
        try:
            while current is not None:
                size, query = current
                events, count, last = await _decoded(codec, decoder, rows_after, after, size, query)
                current = None
                if count == size and ahead is not None:
                    current, ahead = ahead, None
                    if current[0] == page_size and budget.more():
                        ahead = ask(last, current[0], budget.take())
                after = last
                for event in events:
                    yield event
        finally:
            # Let queries still queued end before the connection goes back to the pool.
            for asked in (current, ahead):
                if asked is not None:
                    with contextlib.suppress(Exception):
                        await asked[1]


async def _decoded(
    codec: Codec[E],
    decoder: JsonPageDecoder[E],
    rows_after: RowsAfter,
    after: int,
    size: int,
    query: asyncio.Future[Any],
) -> tuple[Iterable[RecordedEvent[E]], int, int]:
    """A page's events, its count and its last position; by rows if the JSON path declines
    (one at a time, as the row path does, so the events before a bad row are still read)."""
    try:
        [row] = await query
        page = JsonPage.of(row)
    except sqlite3.Error:
        # json() refuses a payload that is not JSON; read as rows, the codec then fails on that
        # row as it always has (and any other error recurs there, raised as it always was).
        page = None
    if page is not None:
        events = decoder.decode(after, page)
        if events is not None:
            return events, len(events), events[-1].position if events else after
    rows = await rows_after(after, size)
    last = rows[-1][0] if rows else after
    return decode_rows(codec, rows, native=False), len(rows), last
