"""Bulk-loaded read models made ready to query: secondary indexes built, tables analysed."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable

from sqlalchemy import Connection, Index, Table, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from projections.schema import ReadModels, create_statistics

# Sorting and GIN building in memory instead of in temporary files; per backend, for seconds.
INDEX_BUILD_MEMORY = "256MB"

Statement = Callable[[AsyncConnection], Awaitable[object]]


async def index_and_analyze(engine: AsyncEngine, models: ReadModels) -> None:
    """Build the secondary indexes of bulk-loaded tables, then give the planner statistics.

    One sorted build per index is much cheaper than keeping each up to date row by row. And a
    freshly filled table has no statistics until autovacuum gets to it: queries planned before
    then guess, and a bad guess (or JIT compiling a plan costed from one) is the slow tail of
    the list queries. Both dialects spell ANALYZE alike.

    On PostgreSQL each statement runs in a backend of its own, as many at once as there are
    cores: the tables are not live yet, so nothing needs them to share a transaction (a failed
    rebuild drops the tables, indexes and all).
    """
    if engine.dialect.name != "postgresql":
        async with engine.begin() as conn:
            for table in models.tables.values():
                for index in table.indexes:
                    await conn.run_sync(create_index(index))
            for table in models.tables.values():
                await conn.execute(text(f'ANALYZE "{table.name}"'))
        return
    builders = asyncio.Semaphore(max(1, os.cpu_count() or 1))

    async def run(statement: Statement) -> None:
        async with builders, engine.begin() as conn:
            await conn.execute(text(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'"))
            await statement(conn)

    async def ready(name: str, table: Table) -> None:
        # ANALYZE and CREATE STATISTICS wait for CREATE INDEX's lock on the same table, so a
        # table is analysed once its own indexes are in, while other tables' are being built.
        await asyncio.gather(*(run(_build(index)) for index in longest_first(table.indexes)))
        for statement in create_statistics(models, name):
            await run(_sql(statement))
        await run(_sql(f'ANALYZE "{table.name}"'))

    # Builders take statements in the order asked: the trigram index of `proposals`, as long
    # to build as all the others together, starts first and the others share what is left.
    tables = sorted(models.tables.items(), key=lambda item: _table_rank(item[1]))
    await asyncio.gather(*(ready(name, table) for name, table in tables))


def longest_first(indexes: set[Index]) -> list[Index]:
    """GIN indexes first (each as long to build as many B-trees), then by name for stability."""
    return sorted(indexes, key=lambda index: (_cost_rank(index), str(index.name)))


def _table_rank(table: Table) -> int:
    return min((_cost_rank(index) for index in table.indexes), default=1)


def _cost_rank(index: Index) -> int:
    return 0 if index.dialect_options["postgresql"].get("using") == "gin" else 1


def create_index(index: Index) -> Callable[[Connection], None]:
    return lambda sync: index.create(sync)


def _build(index: Index) -> Statement:
    return lambda conn: conn.run_sync(create_index(index))


def _sql(statement: str) -> Statement:
    return lambda conn: conn.execute(text(statement))
