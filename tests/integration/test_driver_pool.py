"""asyncpg's own pool for the hottest reads: opened on first use, renewed after a restart."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from events.driver import DriverPool
from registry.services import build_services
from registry.settings import Settings
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
        # A read that meets a connection before asyncpg saw it end fails, and renews them all.
        failed = 0
        for _ in range(4):
            try:
                async with pool.connection() as driver:
                    assert await driver.fetchval("SELECT 2") == 2
            except (asyncpg.InterfaceError, asyncpg.InternalClientError, OSError):
                failed += 1
        assert failed <= 1
        async with pool.connection() as driver:
            assert await driver.fetchval("SELECT 3") == 3
    finally:
        await pool.close()


async def test_an_error_the_server_reports_keeps_the_connections(engine: AsyncEngine) -> None:
    pool = DriverPool(engine, size=1)
    try:
        async with pool.connection() as driver:
            pid = await driver.fetchval("SELECT pg_backend_pid()")
        with pytest.raises(asyncpg.PostgresError):
            async with pool.connection() as driver:
                await driver.fetchval("SELECT 1 / 0")
        async with pool.connection() as driver:
            assert await driver.fetchval("SELECT pg_backend_pid()") == pid
    finally:
        await pool.close()


async def test_a_process_opens_no_more_connections_than_its_settings_allow(
    engine: AsyncEngine, database_url: str
) -> None:
    await end_every_connection(engine)
    services = build_services(Settings(database_url=database_url, database_connections=6))
    try:

        async def hot_read() -> None:
            async with services.hot_reads.connection() as driver:
                await driver.execute("SELECT pg_sleep(0.05)")

        async def pooled_read() -> None:
            async with services.engine.connect() as conn:
                await conn.exec_driver_sql("SELECT pg_sleep(0.05)")

        # Four times as many at once as there are connections: the rest wait for one.
        await asyncio.gather(*(hot_read() for _ in range(8)), *(pooled_read() for _ in range(16)))
        async with engine.connect() as conn:
            assert (await conn.exec_driver_sql(OTHER_BACKENDS)).scalar() == 6  # 4 pooled, 2 hot
    finally:
        await services.close()
