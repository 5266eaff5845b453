"""asyncpg itself, under SQLAlchemy: for fixed statements on hot paths, and for LISTEN.

SQLAlchemy's execution context, cursor and result cost more CPU than asyncpg's own fetch of a
fixed statement; its pool is still what hands the connection out and takes it back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import cast

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from events.engine import CONNECT_TIMEOUT_SECONDS
from events.outages import database_unreachable


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


async def connect_outside_pool(engine: AsyncEngine) -> asyncpg.Connection:
    """A connection of its own to `engine`'s database, for session state the pool must not
    share (LISTEN, advisory locks), with the pool's connect timeout: a database host that
    drops packets is an error in seconds, not after asyncpg's default minute."""
    dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    return await asyncpg.connect(dsn, timeout=CONNECT_TIMEOUT_SECONDS)
