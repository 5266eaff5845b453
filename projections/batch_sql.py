"""A projector batch through SQLAlchemy, on the caller's transaction: SQLite's batches, and a
rebuild's catch-up inside its own transaction (which reads and writes, but locks nothing)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from events.envelope import RecordedEvent
from events.records import STORED_COLUMNS, to_recorded
from events.schema import events
from projections import checkpoints
from projections.changes import CODEC
from projections.schema import ReadModels
from projections.write_sql import run_writes
from projections.writes import Writes
from registry.event_types import Event

_ROW_COLUMNS = tuple(events.c[name] for name in STORED_COLUMNS)


class SqlBatch:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def lock(self, names: Sequence[str]) -> dict[str, int]:
        return await checkpoints.lock_all(self.conn, names)

    async def read(
        self, after: int, limit: int, to_position: int | None
    ) -> list[RecordedEvent[Event]]:
        query = select(*_ROW_COLUMNS).where(events.c.position > after)
        if to_position is not None:
            query = query.where(events.c.position <= to_position)
        rows = (await self.conn.execute(query.order_by(events.c.position).limit(limit))).all()
        return [to_recorded(CODEC, row) for row in rows]

    async def history(self, streams: Sequence[str], before: int) -> list[RecordedEvent[Event]]:
        query = (
            select(*_ROW_COLUMNS)
            .where(events.c.stream_id.in_(streams), events.c.position < before)
            .order_by(events.c.stream_id, events.c.version)
        )
        return [to_recorded(CODEC, row) for row in (await self.conn.execute(query)).all()]

    async def write(self, models: ReadModels, writes: Writes) -> None:
        await run_writes(self.conn, models, writes)

    async def advance(self, names: Sequence[str], expected: int, position: int) -> None:
        # Nothing to announce: only PostgreSQL has NOTIFY, and its batches run on the driver.
        await checkpoints.advance(self.conn, names, expected, position)
