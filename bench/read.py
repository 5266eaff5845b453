"""Read throughput: `read_all` decoding into typed Structs beside a raw SELECT of the same rows.

Run: `make bench` or `.venv/bin/python -m bench.read [--backend ...] [--events N]`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite
import asyncpg

from bench.append import CODEC, NOTE, Measured
from bench.common import BenchDatabase, arguments, backends, database, migrated, row
from events.engine import make_engine
from events.envelope import NewEvent
from events.sql import READ_PAGE_SIZE, SqlEventStore

EVENTS_PER_APPEND = 500
COLUMNS = (
    "position, stream_id, version, event_id, type, schema_version, data, metadata,"
    " recorded_at, hash"
)
REPEATS = 3


async def load(db: BenchDatabase, events: int) -> None:
    engine = make_engine(db.sqlalchemy_url)
    store = SqlEventStore(engine, CODEC)

    async def one(n: int) -> None:
        await store.append(
            f"load-{n % 1000}",
            [NewEvent(Measured(amount=i, note=NOTE)) for i in range(EVENTS_PER_APPEND)],
        )

    appends = events // EVENTS_PER_APPEND
    for start in range(0, appends, 8):
        await asyncio.gather(*[one(n) for n in range(start, min(start + 8, appends))])
    await engine.dispose()


async def store_read(store: SqlEventStore[Measured]) -> int:
    count = 0
    async for event in store.read_all():
        assert isinstance(event.payload, Measured)
        count += 1
    return count


async def postgres_raw_read(connection: asyncpg.Connection) -> int:
    query = f"SELECT {COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2"
    count, last = 0, 0
    while page := await connection.fetch(query, last, READ_PAGE_SIZE):
        count += len(page)
        last = page[-1]["position"]
    return count


async def sqlite_raw_read(connection: aiosqlite.Connection) -> int:
    query = f"SELECT {COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?"
    count, last = 0, 0
    while page := list(await connection.execute_fetchall(query, (last, READ_PAGE_SIZE))):
        count += len(page)
        last = page[-1][0]
    return count


@asynccontextmanager
async def raw_connection(db: BenchDatabase) -> AsyncIterator[Any]:
    if db.backend == "postgresql":
        connection = await asyncpg.connect(db.raw_target)
        yield connection
        await connection.close()
        return
    async with aiosqlite.connect(db.raw_target) as connection:
        yield connection


RAW: dict[str, Callable[[Any], Awaitable[int]]] = {
    "postgresql": postgres_raw_read,
    "sqlite": sqlite_raw_read,
}


async def best_rate(read: Callable[[], Awaitable[int]], expected: int) -> float:
    best = 0.0
    for _ in range(REPEATS):
        started = time.perf_counter()
        count = await read()
        assert count == expected, f"read {count} events, expected {expected}"
        best = max(best, count / (time.perf_counter() - started))
    return best


async def measure(backend: str, events: int) -> None:
    async with database(backend) as db:
        await migrated(db)
        await load(db, events)
        expected = events - events % EVENTS_PER_APPEND
        # Both sides connect before the clock starts: this measures reading, not connecting
        # (an engine's first connection also runs the dialect's setup queries).
        engine = make_engine(db.sqlalchemy_url)
        store = SqlEventStore(engine, CODEC)
        async with raw_connection(db) as connection:
            raw = await best_rate(lambda: RAW[backend](connection), expected)
            await store.head_position()
            decoded = await best_rate(lambda: store_read(store), expected)
        await engine.dispose()
        print(f"\n{backend}: reading {expected:,} events in pages of {READ_PAGE_SIZE}, best of 3")
        print(row("raw SELECT, rows not decoded", raw, "ev/s"))
        print(row("kerjasama read_all, decoded into msgspec Structs", decoded, "ev/s", raw))


async def main() -> None:
    options = arguments(__doc__ or "")
    for backend in backends(options.backend):
        await measure(backend, options.events)


if __name__ == "__main__":
    asyncio.run(main())
