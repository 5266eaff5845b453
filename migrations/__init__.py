"""Alembic migrations of every table (event store and read models) and the way to apply them."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("migrations")))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url)
    return config


async def upgrade_to_head(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply migrations on an existing engine, from inside a running event loop."""
    await _run_command(engine, command.upgrade, revision)


async def downgrade_to(engine: AsyncEngine, revision: str) -> None:
    await _run_command(engine, command.downgrade, revision)


async def _run_command(
    engine: AsyncEngine, alembic_command: Callable[[Config, str], None], revision: str
) -> None:
    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        alembic_command(config, revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)
