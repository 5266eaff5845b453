"""A projector batch's transaction: what `apply_batch` asks of the database.

PostgreSQL's projector runs it on asyncpg itself (`batch_driver`): there its cost is most of
what the projector spends on each command. SQLite, and PostgreSQL where a batch runs inside a
caller's SQLAlchemy transaction (a rebuild's catch-up), run it through SQLAlchemy (`batch_sql`).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from events.driver import transaction
from events.envelope import RecordedEvent
from projections.batch_driver import DriverBatch
from projections.batch_sql import SqlBatch
from projections.changes import History
from projections.schema import ReadModels
from projections.writes import Writes
from registry.event_types import Event


class BatchConnection(History, Protocol):
    async def lock(self, names: Sequence[str]) -> dict[str, int]:
        """Lock the projections' checkpoints for the transaction; their positions by name."""
        ...

    async def read(
        self, after: int, limit: int, to_position: int | None
    ) -> list[RecordedEvent[Event]]:
        """Events after a position (and up to `to_position`), in log order."""
        ...

    async def write(self, models: ReadModels, writes: Writes) -> None: ...

    async def advance(self, names: Sequence[str], expected: int, position: int) -> None:
        """Move the checkpoints from `expected` by compare-and-set, and announce the move;
        CheckpointMoved when one of them was not at `expected`."""
        ...


def open_batch(engine: AsyncEngine) -> AbstractAsyncContextManager[BatchConnection]:
    """The batch's transaction, committed when the block ends and rolled back if it raises."""
    return transaction(engine, DriverBatch, SqlBatch)
