"""PostgreSQL's `read_all`: one pooled connection for the whole read, its driver's prepared
statement, and record times as integers.

A page checked out of SQLAlchemy's pool and run through `exec_driver_sql` pays the checkout, the
return and the statement-cache lookup again for every page: about a fifth of what reading costs.
Holding one connection for the read and asking its prepared statement for each page keeps the
round trips and nothing else. The connection is held as long as the caller iterates, as SQLite's
JSON read already does.

Record times come as `records.RECORDED_MICROS`: asyncpg's own datetimes cost more than
decoding the payload.

The page has no upper bound: with one, PostgreSQL's estimate of a range on a freshly loaded
table can pick a bitmap scan that reads and sorts every later row for each page of a thousand.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TypeVar

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from events.codec import Codec
from events.driver import driver_connection
from events.envelope import RecordedEvent
from events.paging import pages, row_extent
from events.records import NATIVE_COLUMNS, RowValues, decode_rows
from events.schema import MAX_POSITION

E = TypeVar("E", bound=msgspec.Struct)

NATIVE_PAGE = f"SELECT {NATIVE_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2"


_NO_END = MAX_POSITION  # `pages` passes an upper bound along; this read has none


async def native_events(
    engine: AsyncEngine,
    codec: Codec[E],
    *,
    after_position: int,
    limit: int | None,
    page_size: int,
) -> AsyncIterator[RecordedEvent[E]]:
    """`read_all` on PostgreSQL; `engine` must run in autocommit (each page is one statement)."""
    async with driver_connection(engine) as driver:
        statement = await driver.prepare(NATIVE_PAGE)

        async def fetch(after: int, _upto: int, size: int) -> Sequence[RowValues]:
            page: Sequence[RowValues] = await statement.fetch(after, size)
            return page

        async for page in pages(fetch, row_extent, after_position, limit, _NO_END, page_size):
            for event in decode_rows(codec, page, native=True):
                yield event
