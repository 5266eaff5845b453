"""The rebuilt tables beside the live ones: create, compare row by row, swap in, drop."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy import Table, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.schema import CreateTable

from events.schema import event_log_head
from projections import checkpoints
from projections.base import Projection
from projections.indexing import create_index
from projections.projector import apply_events, wait_for_position
from projections.schema import (
    LIVE,
    REBUILD_SUFFIX,
    STATISTICS,
    ReadModels,
)

MAX_DIFFERENCES = 100


class Difference(msgspec.Struct, frozen=True, kw_only=True):
    """A row that the live read model and the rebuilt one do not share."""

    table: str
    key: str
    issue: str  # "missing_in_rebuild", "missing_in_live", "live_behind"


async def create_beside(engine: AsyncEngine, models: ReadModels) -> None:
    """The tables with their keys only: `indexing` adds the rest once they are full."""
    async with engine.begin() as conn:
        # A rebuild that died left its tables behind; they hold nothing worth keeping.
        await conn.run_sync(models.metadata.drop_all)
        for table in models.tables.values():
            await conn.execute(CreateTable(table))


async def drop_beside(engine: AsyncEngine, models: ReadModels) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(models.metadata.drop_all)


async def catch_up(
    conn: AsyncConnection, projection: Projection, models: ReadModels, after: int, to: int
) -> int:
    """Apply (after, to] to the rebuilt tables with the live path; the events applied."""
    position = after
    while position < to:
        reached = await apply_events(conn, projection, models, position, to_position=to)
        if reached == position:
            break
        position = reached
    return position - after


async def compare(
    engine: AsyncEngine,
    projections: Sequence[Projection],
    models: ReadModels,
    positions: dict[str, int],
    wait_for_live: float,
) -> list[Difference]:
    """Compare each rebuilt read model with the live one at the live one's position."""
    differences: list[Difference] = []
    deadline = time.monotonic() + wait_for_live
    for projection in projections:
        name, remaining = projection.name, max(deadline - time.monotonic(), 0.0)
        if not await wait_for_position(engine, positions[name], remaining, name):
            differences.append(Difference(table=name, key="checkpoint", issue="live_behind"))
    behind = {d.table for d in differences}
    async with engine.begin() as conn:
        for projection in sorted(projections, key=lambda p: p.name):
            if projection.name in behind:
                continue
            # Holding the checkpoint row keeps the live projector still while we compare.
            live = await checkpoints.lock(conn, projection.name)
            await catch_up(conn, projection, models, positions[projection.name], live)
            positions[projection.name] = live
            for name in projection.tables:
                differences += await _table_differences(conn, name, LIVE[name], models[name])
    return differences[:MAX_DIFFERENCES]


async def _table_differences(
    conn: AsyncConnection, name: str, live: Table, rebuilt: Table
) -> list[Difference]:
    found = []
    for issue, ours, theirs in (
        ("missing_in_rebuild", live, rebuilt),
        ("missing_in_live", rebuilt, live),
    ):
        only = select(*ours.c).except_(select(*theirs.c)).subquery()
        keys = [only.c[c.name] for c in ours.primary_key.columns]
        rows = await conn.execute(select(*keys).limit(MAX_DIFFERENCES))
        found += [Difference(table=name, key=_key(row), issue=issue) for row in rows.all()]
    return found


def _key(row: Sequence[Any]) -> str:
    return "/".join(str(value) for value in row)


async def swap_in(
    engine: AsyncEngine,
    projections: Sequence[Projection],
    models: ReadModels,
    positions: dict[str, int],
) -> int:
    """In one transaction: bring the rebuilt tables to the head, put them in place of the live."""
    applied = 0
    async with engine.begin() as conn:
        for projection in sorted(projections, key=lambda p: p.name):
            await checkpoints.lock(conn, projection.name)
        head = int(await conn.scalar(select(event_log_head.c.position)) or 0)
        for projection in projections:
            applied += await catch_up(conn, projection, models, positions[projection.name], head)
            positions[projection.name] = head
            for name in projection.tables:
                await _replace(conn, LIVE[name], models[name])
            await checkpoints.set_position(conn, projection.name, head)
    return applied


async def _replace(conn: AsyncConnection, live: Table, rebuilt: Table) -> None:
    """Drop the live table and give the rebuilt one its name, indexes and key names."""
    await conn.execute(text(f'DROP TABLE "{live.name}"'))
    await conn.execute(text(f'ALTER TABLE "{rebuilt.name}" RENAME TO "{live.name}"'))
    if conn.dialect.name == "postgresql":
        for index in rebuilt.indexes:
            final = str(index.name).removesuffix(REBUILD_SUFFIX)
            await conn.execute(text(f'ALTER INDEX "{index.name}" RENAME TO "{final}"'))
        for name, table, _ in STATISTICS:
            if table == live.name:
                await conn.execute(
                    text(f'ALTER STATISTICS "{name}{REBUILD_SUFFIX}" RENAME TO "{name}"')
                )
        # The next rebuild creates its key under the rebuilt name again.
        old_key, new_key = f"{rebuilt.name}_pkey", f"{live.name}_pkey"
        await conn.execute(
            text(f'ALTER TABLE "{live.name}" RENAME CONSTRAINT "{old_key}" TO "{new_key}"')
        )
        return
    # SQLite cannot rename an index: build the live ones again (its data sets are small).
    for index in rebuilt.indexes:
        await conn.execute(text(f'DROP INDEX "{index.name}"'))
    for index in live.indexes:
        await conn.run_sync(create_index(index))
