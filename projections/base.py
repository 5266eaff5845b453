"""What every projection offers: a name, its tables, a live apply and a bulk loader."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import Table, delete, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from projections.changes import Change
from projections.schema import ReadModels

BULK_ROWS = 5000


Row = tuple[Any, ...]
"""A row to insert, its values in the order of its table's columns: what COPY takes as it is."""

Rows = dict[str, list[Row]]
"""Rows to insert, by read-model table name."""


class Loader(Protocol):
    """Fills fresh tables from changes that each start at an empty proposal (rebuilds)."""

    def add(self, change: Change) -> None: ...

    def take(self, *, final: bool) -> Rows:
        """The rows ready to be written (all of them when final); the loader forgets them."""
        ...


class Projection(Protocol):
    """A read model kept by applying changes and moving its checkpoint in one transaction."""

    name: str
    tables: tuple[str, ...]

    async def apply(
        self, conn: AsyncConnection, models: ReadModels, changes: Sequence[Change]
    ) -> None: ...

    def loader(self, models: ReadModels) -> Loader: ...


async def insert_rows(conn: AsyncConnection, table: Table, rows: Sequence[Row]) -> None:
    """A multi-row INSERT, skipped when there is nothing to insert."""
    if rows:
        names = [column.name for column in table.columns]
        await conn.execute(insert(table), [dict(zip(names, row, strict=True)) for row in rows])


def projected_before(changes: Sequence[Change]) -> list[Any]:
    """The ids of the proposals a batch changes that have rows from earlier batches.

    A proposal with no event before the batch was never projected, so it has no rows to delete:
    on a submission, the DELETE of every table of the model would find nothing.
    """
    return [change.after.id for change in changes if change.before.version > 0]


async def delete_keys(
    conn: AsyncConnection, table: Table, column: str, keys: Sequence[Any]
) -> None:
    if keys:
        await conn.execute(delete(table).where(table.c[column].in_(keys)))


class RowBuffer:
    """Rows per table, written in chunks so a rebuild's memory stays a few thousand rows deep."""

    def __init__(self, models: ReadModels) -> None:
        self.models = models
        self.rows: Rows = {}
        self.count = 0

    def extend(self, table: str, rows: Sequence[Row]) -> None:
        self.rows.setdefault(table, []).extend(rows)
        self.count += len(rows)

    def take(self, *, final: bool) -> Rows:
        """The buffered rows once there are enough of them (or at the end), else nothing."""
        if self.count < BULK_ROWS and not final:
            return {}
        rows, self.rows, self.count = self.rows, {}, 0
        return rows

    async def flush(self, conn: AsyncConnection, *, final: bool) -> None:
        for name, rows in self.take(final=final).items():
            await insert_rows(conn, self.models[name], rows)
