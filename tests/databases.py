"""Throwaway databases for tests: a migrated template per run, a fresh copy per test."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from events.engine import make_engine
from migrations import upgrade_to_head

T = TypeVar("T")

POSTGRES_ADMIN_DSN = os.environ.get(
    "KERJASAMA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def in_fresh_loop(make: Callable[[], Awaitable[T]]) -> T:
    """Run set-up IO on a loop of its own, away from the loop pytest-asyncio is driving."""

    async def run() -> T:
        return await make()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


def asyncpg_url(database: str) -> str:
    base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0]
    return f"{base}/{database}"


def sqlalchemy_url(database: str) -> str:
    return asyncpg_url(database).replace("postgresql://", "postgresql+asyncpg://", 1)


async def migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()


async def postgres_available() -> bool:
    try:
        connection = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=5)
    except (OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


class PostgresDatabases:
    """One migrated template per test run; each test gets a FILE_COPY clone of it."""

    def __init__(self) -> None:
        self.prefix = f"kerjasama_test_{secrets.token_hex(4)}"
        self.template = f"{self.prefix}_template"
        self._count = 0

    async def _admin(self, *statements: str) -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN_DSN)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    async def create_template(self) -> None:
        await self._admin(f'CREATE DATABASE "{self.template}"')
        await migrate(sqlalchemy_url(self.template))

    async def clone(self) -> str:
        self._count += 1
        name = f"{self.prefix}_{self._count}"
        await self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}" STRATEGY FILE_COPY')
        return name

    async def empty(self) -> str:
        self._count += 1
        name = f"{self.prefix}_{self._count}"
        await self._admin(f'CREATE DATABASE "{name}"')
        return name

    async def drop(self, name: str) -> None:
        await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class SqliteDatabases:
    """One migrated template file per test run; each test gets a copy of the file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.template = directory / "template.db"
        self._count = 0

    async def create_template(self) -> None:
        await migrate(f"sqlite+aiosqlite:///{self.template}")

    def clone(self) -> str:
        self._count += 1
        path = self.directory / f"test_{self._count}.db"
        shutil.copyfile(self.template, path)
        return f"sqlite+aiosqlite:///{path}"

    def empty(self) -> str:
        self._count += 1
        return f"sqlite+aiosqlite:///{self.directory / f'empty_{self._count}.db'}"


async def end_every_connection(engine: AsyncEngine) -> None:
    """PostgreSQL ends every other connection to `engine`'s database, as in a restart."""
    dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute(f"SELECT pg_terminate_backend(pid) {others}")
        for _ in range(1000):  # gone, and their sockets closed, as after a restart
            if not await admin.fetchval(f"SELECT count(*) {others}"):
                break
            await asyncio.sleep(0.01)
    finally:
        await admin.close()
