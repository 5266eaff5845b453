"""A rebuild's bulk IO: the log read in stream order a page ahead, rows written a batch behind.

Both run beside the Python work of folding and rendering, so the database reads and writes
on one core while this process computes on the other.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from events.records import RECORDED_MICROS, utc_from_micros, utc_from_text
from projections.base import Loader, Rows
from projections.changes import CODEC, Change
from projections.garbage import fewer_collections
from projections.schema import ReadModels
from projections.write_sql import insert_rows
from registry.ids import STREAM_PREFIX
from registry.proposal.state import evolve, initial_state

PAGE_SIZE = 5000

# What folding needs and no more: the metadata, event ids and hashes that `read_all` also
# decodes are the auditor's, and reading them cost the rebuild a third of its time.
FOLD_COLUMNS = ("position", "stream_id", "version", "type", "schema_version", "data", "recorded_at")
FoldRow = tuple[int, str, int, str, int, bytes, Any]

# The record time as microseconds since 1970 on PostgreSQL (see `RECORDED_MICROS`), turned
# into a datetime only when it differs from the row before. SQLite keeps text.
_RECORDED = {"postgresql": RECORDED_MICROS, "sqlite": "recorded_at"}

_STREAM_PAGE = (
    "SELECT {columns} FROM events"
    " WHERE position <= {0} AND (stream_id, version) > ({1}, {2}){bound}"
    " ORDER BY stream_id, version LIMIT {3}"
)
_PLACEHOLDERS = {"postgresql": ("$1", "$2", "$3", "$4", "$5"), "sqlite": ("?",) * 5}
# By dialect, and by whether the range of streams has an upper bound (the last one has none).
_STREAM_PAGES = {
    (dialect, bounded): _STREAM_PAGE.format(
        *marks[:4],
        columns=", ".join((*FOLD_COLUMNS[:-1], _RECORDED[dialect])),
        bound=f" AND stream_id < {marks[4]}" if bounded else "",
    )
    for dialect, marks in _PLACEHOLDERS.items()
    for bounded in (False, True)
}


async def stream_pages(
    engine: AsyncEngine,
    head: int,
    low: str = "",
    high: str | None = None,
    page_size: int | None = None,
) -> AsyncIterator[Sequence[FoldRow]]:
    """The log up to `head` in (stream, version) order as `FOLD_COLUMNS` rows, a page at a
    time, the next one prefetched; only streams from `low` up to (not including) `high`.
    Record times are microseconds since 1970 on PostgreSQL and the stored text on SQLite.

    `head` bounds an append-only log, so the pages need no common snapshot: each is one
    statement, in autocommit on PostgreSQL (see `SqlEventStore`).
    """
    dialect = engine.dialect.name
    native = dialect != "sqlite"
    reader = engine.execution_options(isolation_level="AUTOCOMMIT") if native else engine
    statement = _STREAM_PAGES[dialect, high is not None]
    bound = () if high is None else (high,)
    size = PAGE_SIZE if page_size is None else page_size

    async def fetch(stream_id: str, version: int) -> Sequence[FoldRow]:
        async with reader.connect() as conn:
            parameters = (head, stream_id, version, size, *bound)
            result = await conn.exec_driver_sql(statement, parameters)
            rows: Sequence[FoldRow] = result.cursor.fetchall()
            result.close()
        return rows

    pending: asyncio.Future[Sequence[FoldRow]] | None = asyncio.ensure_future(fetch(low, 0))
    try:
        while pending is not None:
            rows = await pending
            pending = None
            if len(rows) == size:
                pending = asyncio.ensure_future(fetch(rows[-1][1], rows[-1][2]))
                await asyncio.sleep(0)  # let the fetch send its query before we fold
            if rows:
                yield rows
    finally:
        if pending is not None:
            with contextlib.suppress(Exception):
                await pending


async def load_range(
    engine: AsyncEngine,
    loaders: list[Loader],
    writer: BulkWriter,
    head: int,
    low: str = "",
    high: str | None = None,
    page_size: int | None = None,
) -> int:
    """Fold a range of streams into the loaders, writing their rows as they come; the events
    read. The loaders' final rows are left for the caller to take."""
    folding = Folding(loaders, native=engine.dialect.name != "sqlite")
    with fewer_collections():
        async for page in stream_pages(engine, head, low, high, page_size):
            folding.feed(page)
            await writer.write(take_rows(loaders, final=False))
            # A turn of the event loop per page: the batch being written and the page being
            # read move on while the next one is folded, not after it.
            await asyncio.sleep(0)
        folding.finish()
    return folding.replayed


def take_rows(loaders: list[Loader], *, final: bool) -> Rows:
    rows: Rows = {}
    for loader in loaders:
        for table, table_rows in loader.take(final=final).items():
            rows.setdefault(table, []).extend(table_rows)
    return rows


_EMPTY = initial_state()


class Folding:
    """Folds rows stream by stream (the live path's `evolve`), each whole stream once."""

    def __init__(self, loaders: list[Loader], *, native: bool) -> None:
        self.loaders = loaders
        self.native = native
        self.replayed = 0
        self.stream = ""
        self.wanted = False
        self.state = _EMPTY
        self.first = self.last = 0

    def feed(self, rows: Sequence[FoldRow]) -> None:
        # The fold's state lives in locals for the page and goes back to `self` at its end:
        # this loop runs once per event of the log, and attribute stores were a fifth of it.
        self.replayed += len(rows)
        decode, moment = CODEC.decode, utc_from_micros if self.native else utc_from_text
        stream, wanted, state, last = self.stream, self.wanted, self.state, self.last
        recorded, at = None, utc_from_micros(0)  # the first row replaces both
        for position, stream_id, version, type_name, schema_version, data, raw_time in rows:
            if stream_id != stream:
                self.wanted, self.state, self.last = wanted, state, last
                self.finish()
                stream, self.first, state = stream_id, position, _EMPTY
                wanted = stream_id.startswith(STREAM_PREFIX)
            if not wanted:
                continue
            if version != state.version + 1:
                raise ValueError(f"{stream_id} version {version} follows {state.version}")
            if raw_time != recorded:
                recorded, at = raw_time, moment(raw_time)
            state = evolve(state, decode(type_name, schema_version, data), at)
            last = position
        self.stream, self.wanted, self.state, self.last = stream, wanted, state, last

    def finish(self) -> None:
        """Hand the stream folded so far to each loader, and start afresh."""
        if self.wanted and self.state.version:
            change = Change(_EMPTY, self.state, self.first, self.last)
            for loader in self.loaders:
                loader.add(change)
        self.state, self.wanted = _EMPTY, False


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


# A proposal's body is larger than PostgreSQL's TOAST threshold, so every row is compressed,
# with pglz by default: that cost the server a third of its time taking the COPYs. lz4 does
# it several times faster (and reads back faster); servers built without it keep pglz.
_FAST_COMPRESSION = (
    "SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings"
    " WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
)


async def _copy(conn: AsyncConnection, models: ReadModels, rows: Rows) -> None:
    # SQLAlchemy has no COPY; the pool's own asyncpg connection does it, in a transaction of
    # its own (SQLAlchemy has not begun one on this connection, so it has none to track).
    driver: Any = (await conn.get_raw_connection()).driver_connection
    async with driver.transaction():
        await driver.execute(_FAST_COMPRESSION)
        for name, table_rows in rows.items():
            if not table_rows:
                continue
            table = models[name]
            columns = [column.name for column in table.columns]
            await driver.copy_records_to_table(table.name, records=table_rows, columns=columns)
