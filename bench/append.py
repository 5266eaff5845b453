"""Append throughput: the store with 1 and 32 appenders beside raw single-row INSERT transactions.

Run: `make bench` or `.venv/bin/python -m bench.append [--backend postgresql|sqlite|both]`.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import aiosqlite
import asyncpg
import msgspec

from bench.common import BenchDatabase, arguments, backends, database, migrated, row, run_for
from events.codec import Codec
from events.engine import make_engine
from events.envelope import NewEvent
from events.sql import SqlEventStore

CONCURRENCY = (1, 32)
NOTE = "Pelatihan city branding untuk aparatur Kota Tangerang Selatan, 2027 " * 2


class Measured(msgspec.Struct, frozen=True, gc=False, kw_only=True, tag_field="type", tag=True):
    """Configured like the registry's own events (frozen, gc=False)."""

    amount: int
    note: str


CODEC: Codec[Measured] = Codec([Measured])
PAYLOAD = msgspec.json.encode(Measured(amount=1, note=NOTE))
METADATA = b'{"actor":"bench","role":"official","region":"36.74"}'

RAW_TABLE = """
CREATE TABLE raw_events (
    position {serial} PRIMARY KEY, stream_id VARCHAR(200) NOT NULL, version INTEGER NOT NULL,
    event_id {uuid} NOT NULL UNIQUE, type VARCHAR(200) NOT NULL, schema_version SMALLINT NOT NULL,
    data {blob} NOT NULL, metadata {blob} NOT NULL, recorded_at {time} NOT NULL,
    hash {blob} NOT NULL, UNIQUE (stream_id, version))
"""
RAW_INSERT = (
    "INSERT INTO raw_events (stream_id, version, event_id, type, schema_version, data, metadata,"
    " recorded_at, hash) VALUES ({})"
)


def raw_values(worker_op: int) -> tuple[object, ...]:
    return (
        f"raw-{worker_op // 10_000_000}",
        worker_op % 10_000_000 + 1,
        uuid.uuid4(),
        "Measured",
        1,
        PAYLOAD,
        METADATA,
        datetime.now(UTC),
        hashlib.sha256(PAYLOAD).digest(),
    )


async def store_rate(db: BenchDatabase, workers: int, seconds: float) -> float:
    engine = make_engine(db.sqlalchemy_url, pool_size=workers + 2)
    store = SqlEventStore(engine, CODEC)
    stream = uuid.uuid4().hex

    async def append(worker_op: int) -> int:
        worker, n = divmod(worker_op, 10_000_000)
        await store.append(
            f"{stream}-{worker}", [NewEvent(Measured(amount=n, note=NOTE))], expected_version=n
        )
        return 1

    rate = await run_for(seconds, workers, append)
    await engine.dispose()
    return rate


async def postgres_raw_rate(db: BenchDatabase, workers: int, seconds: float) -> float:
    pool = await asyncpg.create_pool(db.raw_target, min_size=workers, max_size=workers)
    await pool.execute("DROP TABLE IF EXISTS raw_events")
    await pool.execute(
        RAW_TABLE.format(serial="BIGSERIAL", uuid="UUID", blob="BYTEA", time="TIMESTAMPTZ")
    )
    insert = RAW_INSERT.format(", ".join(f"${n}" for n in range(1, 10)))
    connections = [await pool.acquire() for _ in range(workers)]

    async def one(worker_op: int) -> int:
        connection = connections[worker_op // 10_000_000]
        async with connection.transaction():
            await connection.execute(insert, *raw_values(worker_op))
        return 1

    rate = await run_for(seconds, workers, one)
    for connection in connections:
        await pool.release(connection)
    await pool.close()
    return rate


async def sqlite_raw_rate(db: BenchDatabase, workers: int, seconds: float) -> float:
    connections = [await aiosqlite.connect(db.raw_target, timeout=30) for _ in range(workers)]
    for connection in connections:
        await connection.execute("PRAGMA journal_mode=WAL")
        await connection.execute("PRAGMA synchronous=FULL")
    await connections[0].execute("DROP TABLE IF EXISTS raw_events")
    await connections[0].execute(
        RAW_TABLE.format(serial="INTEGER", uuid="CHAR(32)", blob="BLOB", time="DATETIME")
    )
    await connections[0].commit()
    insert = RAW_INSERT.format(", ".join("?" for _ in range(9)))

    async def one(worker_op: int) -> int:
        connection = connections[worker_op // 10_000_000]
        stream_id, version, event_id, *rest, recorded_at, digest = raw_values(worker_op)
        assert isinstance(event_id, uuid.UUID)
        values = (stream_id, version, event_id.hex, *rest, str(recorded_at), digest)
        await connection.execute(insert, values)
        await connection.commit()
        return 1

    rate = await run_for(seconds, workers, one)
    for connection in connections:
        await connection.close()
    return rate


RAW: dict[str, Callable[[BenchDatabase, int, float], Awaitable[float]]] = {
    "postgresql": postgres_raw_rate,
    "sqlite": sqlite_raw_rate,
}


async def measure(backend: str, seconds: float) -> None:
    async with database(backend) as db:
        await migrated(db)
        print(f"\n{backend}: one event per append, {seconds:.0f} s each, events/s")
        for workers in CONCURRENCY:
            raw = await RAW[backend](db, workers, seconds)
            store = await store_rate(db, workers, seconds)
            print(row(f"raw single-row INSERT transactions, {workers} conn.", raw, "ev/s"))
            print(row(f"kerjasama store, {workers} concurrent appenders", store, "ev/s", raw))


async def main() -> None:
    options = arguments(__doc__ or "")
    for backend in backends(options.backend):
        await measure(backend, options.seconds)


if __name__ == "__main__":
    asyncio.run(main())
