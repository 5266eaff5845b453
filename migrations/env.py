"""Alembic environment: runs on a connection handed in, or on an async engine of the URL."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import Connection

from events.engine import make_engine
from events.schema import metadata as event_store
from projections.schema import metadata as read_models
from registry.schema import metadata as application

DEFAULT_URL = "sqlite+aiosqlite:///./data/kerjasama.db"


def _run(connection: Connection) -> None:
    # SQLite cannot ALTER most things in place; batch mode rebuilds tables when it must.
    context.configure(
        connection=connection,
        target_metadata=[event_store, read_models, application],
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_engine(url: str) -> None:
    engine = make_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or os.environ.get(
        "KERJASAMA_DATABASE_URL", DEFAULT_URL
    )
    asyncio.run(_run_with_engine(url))


if context.is_offline_mode():
    raise SystemExit("kerjasama migrations run online only: the triggers differ by dialect")
run_migrations_online()
