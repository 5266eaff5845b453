"""Migrations build, on an empty database of each dialect, exactly the tables the code declares."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, MetaData, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from events.engine import make_engine
from events.schema import metadata as event_store
from migrations import alembic_config, downgrade_to, upgrade_to_head
from projections.schema import metadata as read_models
from registry.schema import metadata as application


def declared() -> MetaData:
    """Every table the code declares (store, read models, application), as migrations build."""
    combined = MetaData()
    for source in (event_store, read_models, application):
        for table in source.tables.values():
            table.to_metadata(combined)
    return combined


def schema_differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, declared()))


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def upgraded(url: str, revision: str = "head") -> AsyncEngine:
    engine = make_engine(url)
    await upgrade_to_head(engine, revision)
    return engine


async def test_upgrading_an_empty_database_creates_the_declared_schema(
    empty_database_url: str,
) -> None:
    engine = await upgraded(empty_database_url)
    async with engine.connect() as conn:
        assert await conn.run_sync(schema_differences) == []
        assert await conn.run_sync(current_revision) == _head_revision()
    await engine.dispose()


async def test_upgrading_twice_changes_nothing(empty_database_url: str) -> None:
    engine = await upgraded(empty_database_url)
    await upgrade_to_head(engine)
    async with engine.connect() as conn:
        assert {"events", "event_log_head", "proposals", "projection_checkpoints"} <= (
            await conn.run_sync(table_names)
        )
    await engine.dispose()


async def test_downgrade_to_base_and_up_again(empty_database_url: str) -> None:
    engine = await upgraded(empty_database_url)
    await downgrade_to(engine, "base")
    async with engine.connect() as conn:
        assert "events" not in await conn.run_sync(table_names)
    await upgrade_to_head(engine)
    async with engine.connect() as conn:
        assert await conn.run_sync(schema_differences) == []
    await engine.dispose()


def _head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
