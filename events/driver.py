"""asyncpg itself, under SQLAlchemy: for fixed statements on hot paths, and for LISTEN.

SQLAlchemy's execution context, cursor and result cost more CPU than asyncpg's own fetch of a
fixed statement; its pool is still what hands the connection out and takes it back.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TypeVar, cast

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from events.engine import CONNECT_TIMEOUT_SECONDS
from events.outages import database_unreachable

T = TypeVar("T")


@asynccontextmanager
async def driver_connection(engine: AsyncEngine) -> AsyncIterator[asyncpg.Connection]:
    """The asyncpg connection of a connection from `engine`'s pool, for as long as it is held.

    SQLAlchemy never sees the driver's errors: a connection the driver found lost would be
    handed out again, with every other connection the same restart killed. So on such an error
    SQLAlchemy runs a statement of its own on it, fails the way it knows, and retires the whole
    pool generation, as after a failure anywhere else.
    """
    async with engine.connect() as conn:
        driver = cast(asyncpg.Connection, (await conn.get_raw_connection()).driver_connection)
        try:
            yield driver
        except Exception as error:
            if database_unreachable(error) or driver.is_closed():
                await conn.exec_driver_sql("SELECT 1")
            raise


@asynccontextmanager
async def transaction(
    engine: AsyncEngine,
    on_driver: Callable[[asyncpg.Connection], T],
    on_sqlalchemy: Callable[[AsyncConnection], T],
) -> AsyncIterator[T]:
    """One transaction on a pooled connection, committed when the block ends and rolled back if
    it raises: on PostgreSQL on asyncpg itself (`on_driver` wraps it), elsewhere through
    SQLAlchemy (`on_sqlalchemy`). For the fixed statements of the hottest writes."""
    if engine.dialect.name == "postgresql":
        async with driver_connection(engine) as driver, driver.transaction():
            yield on_driver(driver)
    else:
        async with engine.begin() as conn:
            yield on_sqlalchemy(conn)


async def connect_outside_pool(engine: AsyncEngine) -> asyncpg.Connection:
    """A connection of its own to `engine`'s database, for session state the pool must not
    share (LISTEN, advisory locks), with the pool's connect timeout: a database host that
    drops packets is an error in seconds, not after asyncpg's default minute."""
    return await asyncpg.connect(_dsn(engine), timeout=CONNECT_TIMEOUT_SECONDS)


HOT_READ_CONNECTIONS = 20
HOT_READS_APPLICATION = "kerjasama-hot-reads"  # how its connections show in pg_stat_activity


class DriverPool:
    """asyncpg's own pool beside an engine's, for the fixed statements of the hottest reads
    (a proposal by id, a page of the list) on PostgreSQL.

    Checking a connection out of SQLAlchemy's pool and back cost more CPU than the read it
    served: 170-185 µs a read that way, 84-97 µs through asyncpg's pool, with 32 concurrent
    readers on uvloop. The pool opens on first use, so a process that serves no such read opens
    nothing, and its owner closes it. A failure that is not the server's answer expires every
    connection of the pool, as SQLAlchemy retires its pool's generation after a lost one: a
    restart killed all of them, not just one.
    """

    def __init__(self, engine: AsyncEngine, size: int = HOT_READ_CONNECTIONS) -> None:
        self._engine = engine
        self._size = size
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        pool = self._pool or await self._open()
        async with pool.acquire() as driver:
            try:
                yield driver
            except Exception as error:
                if isinstance(error, asyncpg.PostgresError):
                    raise  # the server's answer: the connection is fine
                # The connection's own failure (lost, or asyncpg's state for it broken by the
                # loss): renew them all, and say it as the outage it is (503, not a bug).
                await pool.expire_connections()
                if driver.is_closed() and not database_unreachable(error):
                    raise ConnectionError("the connection to the database was lost") from error
                raise

    async def _open(self) -> asyncpg.Pool:
        async with self._opening:
            if self._pool is None:
                self._pool = await asyncpg.create_pool(
                    _dsn(self._engine),
                    min_size=1,
                    max_size=self._size,
                    timeout=CONNECT_TIMEOUT_SECONDS,
                    server_settings={"application_name": HOT_READS_APPLICATION},
                    reset=_keep_session,
                )
            return self._pool

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()


def hot_connection(
    engine: AsyncEngine, pool: DriverPool | None
) -> AbstractAsyncContextManager[asyncpg.Connection]:
    """A driver connection for a hot read: from `pool` when the caller keeps one, else from
    the engine's own pool."""
    return driver_connection(engine) if pool is None else pool.connection()


async def _keep_session(_driver: asyncpg.Connection) -> None:
    """Hot reads change no session state (fixed SELECTs, no LISTEN, locks or settings), so a
    returned connection needs no reset: asyncpg's default is a query (`RESET ALL`, `UNLISTEN`,
    ...) on every return, a round trip as costly as the read it followed. asyncpg still rolls
    back a transaction left open."""


def _dsn(engine: AsyncEngine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
