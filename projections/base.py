"""What every projection offers: a name, its tables, the writes a batch makes, a bulk loader."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from projections.changes import Change
from projections.writes import Row, Rows, Writes

__all__ = ["BULK_ROWS", "Loader", "Projection", "Row", "RowBuffer", "Rows", "projected_before"]

BULK_ROWS = 5000


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

    def writes(self, changes: Sequence[Change]) -> Writes:
        """What the changes do to this projection's tables: decided here, run by the batch."""
        ...

    def loader(self) -> Loader: ...


def projected_before(changes: Sequence[Change]) -> tuple[Any, ...]:
    """The ids of the proposals a batch changes that have rows from earlier batches.

    A proposal with no event before the batch was never projected, so it has no rows to delete:
    on a submission, the DELETE of every table of the model would find nothing.
    """
    return tuple(change.after.id for change in changes if change.before.version > 0)


class RowBuffer:
    """Rows per table, taken in chunks so a rebuild's memory stays a few thousand rows deep."""

    def __init__(self) -> None:
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
