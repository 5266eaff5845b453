"""A rebuild's bulk IO: the log read in stream order a page ahead, rows written a batch behind.

Both run beside the Python work of folding and rendering, so the database reads and writes
on one core while this process computes on the other.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from projections.base import Rows, insert_rows
from projections.schema import ReadModels

PAGE_SIZE = 5000

# What folding needs and no more: the metadata, event ids and hashes that `read_all` also
# decodes are the auditor's, and reading them cost the rebuild a third of its time.
FOLD_COLUMNS = ("position", "stream_id", "version", "type", "schema_version", "data", "recorded_at")
FoldRow = tuple[int, str, int, str, int, bytes, Any]

_STREAM_PAGE = (
    f"SELECT {', '.join(FOLD_COLUMNS)} FROM events"
    " WHERE position <= {0} AND (stream_id, version) > ({1}, {2})"
    " ORDER BY stream_id, version LIMIT {3}"
)
_STREAM_PAGES = {
    "postgresql": _STREAM_PAGE.format("$1", "$2", "$3", "$4"),
    "sqlite": _STREAM_PAGE.format("?", "?", "?", "?"),
}


async def stream_pages(engine: AsyncEngine, head: int) -> AsyncIterator[Sequence[FoldRow]]:
    """The log up to `head` in (stream, version) order as `FOLD_COLUMNS` rows, a page at a
    time, the next one prefetched. Record times are native datetimes on PostgreSQL and the
    stored text on SQLite (`utc_from_text` reads it).

    `head` bounds an append-only log, so the pages need no common snapshot: each is one
    statement, in autocommit on PostgreSQL (see `SqlEventStore`).
    """
    dialect = engine.dialect.name
    native = dialect != "sqlite"
    reader = engine.execution_options(isolation_level="AUTOCOMMIT") if native else engine
    statement = _STREAM_PAGES[dialect]

    async def fetch(stream_id: str, version: int) -> Sequence[FoldRow]:
        async with reader.connect() as conn:
            result = await conn.exec_driver_sql(statement, (head, stream_id, version, PAGE_SIZE))
            rows: Sequence[FoldRow] = result.cursor.fetchall()
            result.close()
        return rows

    pending: asyncio.Future[Sequence[FoldRow]] | None = asyncio.ensure_future(fetch("", 0))
    try:
        while pending is not None:
            rows = await pending
            pending = None
            if len(rows) == PAGE_SIZE:
                pending = asyncio.ensure_future(fetch(rows[-1][1], rows[-1][2]))
                await asyncio.sleep(0)  # let the fetch send its query before we fold
            if rows:
                yield rows
    finally:
        if pending is not None:
            with contextlib.suppress(Exception):
                await pending


class BulkWriter:
    """Writes batches of rows with at most one in flight: the next batch is built meanwhile.

    Each batch is one short transaction, so SQLite appenders wait for a batch, never for the
    whole rebuild. A failed write surfaces at the next `write` or at `wait`.
    """

    def __init__(self, engine: AsyncEngine, models: ReadModels) -> None:
        self.engine = engine
        self.models = models
        self._pending: asyncio.Future[None] | None = None

    async def write(self, rows: Rows) -> None:
        if not any(rows.values()):
            return
        await self.wait()
        self._pending = asyncio.ensure_future(write_rows(self.engine, self.models, rows))
        await asyncio.sleep(0)  # let it start sending before we go back to computing

    async def wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            await pending

    async def abandon(self) -> None:
        """After a failure elsewhere: let the write in flight end, its outcome unneeded."""
        with contextlib.suppress(Exception):
            await self.wait()


async def write_rows(engine: AsyncEngine, models: ReadModels, rows: Rows) -> None:
    """One transaction: COPY on PostgreSQL (no per-row statement work), INSERTs on SQLite."""
    async with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            await _copy(conn, models, rows)
            return
        async with conn.begin():
            for name, table_rows in rows.items():
                await insert_rows(conn, models[name], table_rows)


async def _copy(conn: AsyncConnection, models: ReadModels, rows: Rows) -> None:
    # SQLAlchemy has no COPY; the pool's own asyncpg connection does it, in a transaction of
    # its own (SQLAlchemy has not begun one on this connection, so it has none to track).
    driver: Any = (await conn.get_raw_connection()).driver_connection
    async with driver.transaction():
        for name, table_rows in rows.items():
            if not table_rows:
                continue
            table = models[name]
            columns = [column.name for column in table.columns]
            pick = itemgetter(*columns)
            records = [pick(row) for row in table_rows]
            await driver.copy_records_to_table(table.name, records=records, columns=columns)
