"""Each projection's checkpoint: the last log position applied to its read model."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from projections.schema import checkpoints


class CheckpointMoved(Exception):
    """Another projector moved the checkpoint first; this batch is rolled back, not applied."""


async def ensure(conn: AsyncConnection, names: Iterable[str]) -> None:
    """A checkpoint row at position 0 for every projection that has none yet."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    rows = [{"name": name, "position": 0, "updated_at": datetime.now(UTC)} for name in names]
    await conn.execute(dialect.insert(checkpoints).on_conflict_do_nothing(), rows)


# Built once: every projector batch runs these, and building a statement and its cache key
# afresh each time cost 56-102 µs of CPU per statement.
_LOCK = (
    update(checkpoints)
    .where(checkpoints.c.name == bindparam("checkpoint"))
    .values(position=checkpoints.c.position)
    .returning(checkpoints.c.position)
)
# SQLite's batch (PostgreSQL's runs on the driver, `batch_driver`): one statement for every
# projection. SQLite has no row locks; the no-op UPDATE takes the database's write lock.
_LOCK_ALL = (
    update(checkpoints)
    .where(checkpoints.c.name.in_(bindparam("names", expanding=True)))
    .values(position=checkpoints.c.position)
    .returning(checkpoints.c.name, checkpoints.c.position)
)
_ADVANCE = (
    update(checkpoints)
    .where(
        checkpoints.c.name.in_(bindparam("names", expanding=True)),
        checkpoints.c.position == bindparam("expected"),
    )
    .values(position=bindparam("reached"), updated_at=bindparam("moved_at"))
)


async def lock(conn: AsyncConnection, name: str) -> int:
    """Take the checkpoint row's write lock and read it: batches of one projection serialise.

    The no-op UPDATE locks on both dialects (SQLite takes its write lock), so a second
    projector waits here instead of applying the same events beside the first.
    """
    position = await conn.scalar(_LOCK, {"checkpoint": name})
    if position is None:
        raise LookupError(f"projection {name!r} has no checkpoint row (run the migrations)")
    return int(position)


async def lock_all(conn: AsyncConnection, names: Iterable[str]) -> dict[str, int]:
    """`lock` for several projections in one statement: their positions by name."""
    wanted = sorted(set(names))
    return positions_by_name(wanted, await conn.execute(_LOCK_ALL, {"names": wanted}))


def positions_by_name(wanted: Iterable[str], rows: Iterable[Sequence[Any]]) -> dict[str, int]:
    """The locked rows' positions by name; LookupError for a projection that has no row."""
    locked = {name: int(position) for name, position, *_ in rows}
    missing = [name for name in wanted if name not in locked]
    if missing:
        raise LookupError(f"projections {missing!r} have no checkpoint row (run the migrations)")
    return locked


async def advance(
    conn: AsyncConnection, names: Sequence[str], expected: int, position: int
) -> None:
    """Move the checkpoints by compare-and-set; CheckpointMoved when one was not at `expected`."""
    moved = await conn.execute(
        _ADVANCE,
        {
            "names": list(names),
            "expected": expected,
            "reached": position,
            "moved_at": datetime.now(UTC),
        },
    )
    if moved.rowcount != len(set(names)):
        raise CheckpointMoved(f"{', '.join(names)}: expected the checkpoints at {expected}")


async def read(conn: AsyncConnection, name: str) -> int:
    position = await conn.scalar(select(checkpoints.c.position).where(checkpoints.c.name == name))
    return int(position or 0)


async def read_all(conn: AsyncConnection) -> dict[str, int]:
    rows = await conn.execute(select(checkpoints.c.name, checkpoints.c.position))
    return {name: int(position) for name, position in rows.all()}


async def set_position(conn: AsyncConnection, name: str, position: int) -> None:
    """Put a checkpoint where a swapped-in rebuild left its read model."""
    await ensure(conn, [name])
    await conn.execute(
        update(checkpoints)
        .where(checkpoints.c.name == name)
        .values(position=position, updated_at=datetime.now(UTC))
    )
