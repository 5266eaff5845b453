"""The Merkle leaves as the database holds them: each event's stored chain hash, by position."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence

from sqlalchemy.ext.asyncio import AsyncEngine

from registry.audit.errors import LogBroken

PAGE = 20_000
_QUERY = "SELECT position, hash FROM events WHERE position > {0} AND position <= {0} + {1}"
_PAGE_TEXT = {
    "postgresql": _QUERY.format("$1", "$2") + " ORDER BY position",
    "sqlite": "SELECT position, hash FROM events WHERE position > ?1 AND position <= ?1 + ?2"
    " ORDER BY position",
}


async def leaf_pages(
    engine: AsyncEngine, size: int, *, page: int = PAGE
) -> AsyncIterator[list[bytes]]:
    """Pages of the leaves of positions 1..size, in order; a missing position is a LogBroken.

    Only the 32-byte hash column is read, never the payloads: that is what keeps a tree over
    a million events to a few seconds. The next page is asked for while this one is hashed.
    """
    reader = engine.execution_options(isolation_level="AUTOCOMMIT")
    statement = _PAGE_TEXT[engine.dialect.name]

    async def fetch(after: int) -> Sequence[tuple[int, bytes]]:
        async with reader.connect() as conn:
            result = await conn.exec_driver_sql(statement, (after, min(page, size - after)))
            rows: Sequence[tuple[int, bytes]] = result.cursor.fetchall()
            result.close()
        return rows

    after = 0
    pending = asyncio.ensure_future(fetch(0)) if size > 0 else None
    try:
        while pending is not None:
            rows = await pending
            pending = None
            last = min(after + page, size)
            if len(rows) != last - after:
                raise LogBroken(_first_missing(rows, after), "the event is missing from the log")
            if last < size:
                pending = asyncio.ensure_future(fetch(last))
            yield [bytes(digest) for _, digest in rows]
            after = last
    finally:
        if pending is not None:  # the caller stopped early: let the fetch end, unread
            with contextlib.suppress(Exception):
                await pending


def _first_missing(rows: Sequence[tuple[int, bytes]], after: int) -> int:
    for offset, (position, _) in enumerate(rows):
        if position != after + 1 + offset:
            return after + 1 + offset
    return after + 1 + len(rows)
