"""asyncpg's own pool for the hottest reads: opened on first use, renewed after a restart."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from events.driver import DriverPool
from tests.databases import end_every_connection

pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)

OTHER_BACKENDS = (
    "SELECT count(*) FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


async def test_the_pool_opens_on_first_use_and_closes_with_its_owner(engine: AsyncEngine) -> None:
    await end_every_connection(engine)
    pool = DriverPool(engine, size=2)
    async with engine.connect() as conn:
        assert (await conn.exec_driver_sql(OTHER_BACKENDS)).scalar() == 0
    async with pool.connection() as driver:
        assert await driver.fetchval("SELECT 1") == 1
    async with engine.connect() as conn:
        assert (await conn.exec_driver_sql(OTHER_BACKENDS)).scalar() == 1
    await pool.close()
    await pool.close()  # closing twice is harmless
    async with engine.connect() as conn:
        assert (await conn.exec_driver_sql(OTHER_BACKENDS)).scalar() == 0


async def test_reads_go_on_after_every_connection_was_ended(engine: AsyncEngine) -> None:
    pool = DriverPool(engine, size=3)
    try:
        async with pool.connection() as first, pool.connection() as second:
            assert await first.fetchval("SELECT 1") == await second.fetchval("SELECT 1")
        await end_every_connection(engine)
        for _ in range(4):
            async with pool.connection() as driver:
                assert await driver.fetchval("SELECT 2") == 2
    finally:
        await pool.close()
