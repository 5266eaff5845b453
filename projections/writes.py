"""What applying a batch does to read-model tables, as data: projections decide it without IO,
and the batch's connection runs it (SQLAlchemy, or asyncpg itself on PostgreSQL's hot path).

Tables are named as in `projections.schema`; the caller's ReadModels say whether that is the
live table or the copy a rebuild fills beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Row = tuple[Any, ...]
"""A row to insert, its values in the order of its table's columns: what COPY takes as it is."""

Rows = dict[str, list[Row]]
"""Rows to insert, by read-model table name."""


@dataclass(frozen=True, slots=True)
class Removal:
    """Delete the rows whose `column` is one of `keys`."""

    column: str
    keys: tuple[Any, ...]


@dataclass(slots=True)
class Writes:
    """A batch's writes, run in this order: removals, inserts, additions, then zero sweeps.

    Removals come first so that a proposal's rows can be replaced whole by inserts; `additions`
    are count rows (key values, then the difference) added to the stored counts, and `sweeps`
    names the count tables where some count went down, whose zeros are dropped afterwards.
    """

    removals: dict[str, Removal] = field(default_factory=dict)
    inserts: Rows = field(default_factory=dict)
    additions: Rows = field(default_factory=dict)
    sweeps: set[str] = field(default_factory=set)

    def remove(self, tables: tuple[str, ...], column: str, keys: tuple[Any, ...]) -> None:
        if keys:
            for table in tables:
                self.removals[table] = Removal(column, keys)

    def insert(self, table: str, rows: list[Row]) -> None:
        if rows:
            self.inserts.setdefault(table, []).extend(rows)

    def merge(self, other: Writes) -> None:
        """Take another projection's writes into this batch (projections own disjoint tables)."""
        self.removals.update(other.removals)
        for table, rows in other.inserts.items():
            self.insert(table, rows)
        for table, rows in other.additions.items():
            self.additions.setdefault(table, []).extend(rows)
        self.sweeps |= other.sweeps
