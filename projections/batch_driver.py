"""A projector batch on asyncpg itself, in a transaction the caller holds: PostgreSQL.

A batch of submissions is five round trips (lock, read, write, advance, commit) besides the
BEGIN, each a fixed statement that asyncpg prepares once per connection.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import asyncpg

from events.envelope import RecordedEvent
from events.records import NATIVE_COLUMNS, decode_rows
from projections import progress
from projections.changes import CODEC
from projections.checkpoints import CheckpointMoved
from projections.schema import ReadModels
from projections.write_driver import run_writes
from projections.writes import Writes
from registry.event_types import Event

# Rows locked in name order, the order the rebuild's comparison and swap take them in, so the
# two never deadlock. The batch's commit need not wait for the WAL flush: read models are
# derived, and a crash that loses the commit loses its checkpoints with it, so the batch is
# applied again from the log. Setting that here saves the batch a round trip of its own.
_LOCK = """
SELECT name, position, set_config('synchronous_commit', 'off', true)
FROM projection_checkpoints WHERE name = ANY($1::text[]) ORDER BY name FOR UPDATE"""
# Without an upper bound when there is none: PostgreSQL's estimate of a range on a freshly
# loaded log can pick a bitmap scan that reads and sorts every later row (`native_read`).
_READ = f"SELECT {NATIVE_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2"
_READ_UP_TO = f"""
SELECT {NATIVE_COLUMNS} FROM events WHERE position > $1 AND position <= $3
ORDER BY position LIMIT $2"""
_HISTORY = f"""
SELECT {NATIVE_COLUMNS} FROM events WHERE stream_id = ANY($1::text[]) AND position < $2
ORDER BY stream_id, version"""
# The move and its announcement in one statement. NOTIFY is delivered at commit, and a move
# that fails the compare-and-set rolls the batch back, its announcement with it.
_ADVANCE = """
WITH moved AS (
    UPDATE projection_checkpoints SET position = $3, updated_at = $4
    WHERE name = ANY($1::text[]) AND position = $2 RETURNING name
)
SELECT (SELECT count(*) FROM moved), pg_notify($5, $6)"""


class DriverBatch:
    def __init__(self, driver: asyncpg.Connection) -> None:
        self.driver = driver

    async def lock(self, names: Sequence[str]) -> dict[str, int]:
        wanted = sorted(set(names))
        rows = await self.driver.fetch(_LOCK, wanted)
        locked = {name: int(position) for name, position, _ in rows}
        missing = [name for name in wanted if name not in locked]
        if missing:
            raise LookupError(
                f"projections {missing!r} have no checkpoint row (run the migrations)"
            )
        return locked

    async def read(
        self, after: int, limit: int, to_position: int | None
    ) -> list[RecordedEvent[Event]]:
        if to_position is None:
            rows = await self.driver.fetch(_READ, after, limit)
        else:
            rows = await self.driver.fetch(_READ_UP_TO, after, limit, to_position)
        return list(decode_rows(CODEC, rows, native=True))

    async def history(self, streams: Sequence[str], before: int) -> list[RecordedEvent[Event]]:
        rows = await self.driver.fetch(_HISTORY, list(streams), before)
        return list(decode_rows(CODEC, rows, native=True))

    async def write(self, models: ReadModels, writes: Writes) -> None:
        await run_writes(self.driver, models, writes)

    async def advance(self, names: Sequence[str], expected: int, position: int) -> None:
        payload = progress.announcement((name, position) for name in names)
        moved = await self.driver.fetchval(
            _ADVANCE, list(names), expected, position, datetime.now(UTC), progress.CHANNEL, payload
        )
        if moved != len(set(names)):
            raise CheckpointMoved(f"{', '.join(names)}: expected the checkpoints at {expected}")
