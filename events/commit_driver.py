"""A group commit on asyncpg itself, in a transaction the caller holds: PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

import asyncpg

from events.lookups import KNOWN_EVENTS_NATIVE, STREAM_VERSIONS_NATIVE
from events.planning import BatchPlan, Head, KnownEvent, StoredRow
from events.schema import events
from events.unnest import by_column, unnest

_LOCK_HEAD = (
    "UPDATE event_log_head SET position = position WHERE id = 1"
    " RETURNING position, hash, recorded_at"
)


def _append_and_move_head() -> str:
    """The batch's rows and the head's move in one statement: one round trip under the head
    lock, and the rows passed as one array per column, so the statement's text is the same
    whatever the batch's size. A trigger on the head's row NOTIFYs listeners at commit."""
    names = StoredRow._fields
    arrays = unnest(events.c[name] for name in names)
    head = len(names)
    return (
        f"WITH appended AS (INSERT INTO events ({', '.join(names)}) SELECT * FROM {arrays})"
        f" UPDATE event_log_head SET position = ${head + 1}, hash = ${head + 2},"
        f" recorded_at = ${head + 3} WHERE id = 1"
    )


_APPEND_AND_MOVE_HEAD = _append_and_move_head()


def _append_at_head() -> str:
    """The batch's rows and the head's move as one statement outside any transaction, only if
    the head is still where the batch was planned from and every stream is at the version the
    batch assumed. If the head has moved, the UPDATE finds nothing (PostgreSQL rechecks its
    WHERE against a row another commit changed meanwhile), so nothing is inserted either; and
    while the head is where it was, no commit has happened since the statement's snapshot, so
    the versions it reads are the streams' last."""
    names = StoredRow._fields
    arrays = unnest(events.c[name] for name in names)
    head = len(names)
    versions = unnest((events.c.stream_id, events.c.version), head + 6)
    return (
        f"WITH moved AS (UPDATE event_log_head SET position = ${head + 1}, hash = ${head + 2},"
        f" recorded_at = ${head + 3} WHERE id = 1 AND position = ${head + 4}"
        f" AND hash = ${head + 5} AND NOT EXISTS (SELECT FROM {versions} AS s(stream_id, version)"
        " WHERE coalesce((SELECT max(e.version) FROM events e WHERE e.stream_id = s.stream_id),"
        " 0) <> s.version) RETURNING 1)"
        f" INSERT INTO events ({', '.join(names)}) SELECT * FROM {arrays}"
        " WHERE EXISTS (SELECT FROM moved)"
    )


_APPEND_AT_HEAD = _append_at_head()


class DriverCommit:
    def __init__(self, driver: asyncpg.Connection) -> None:
        self.driver = driver

    async def lock_head(self, stream_ids: Collection[str]) -> Head:
        # Each statement after the lock takes a fresh snapshot, so it sees every earlier commit.
        position, head_hash, recorded_at = await self.driver.fetchrow(_LOCK_HEAD)
        versions = await self.driver.fetch(STREAM_VERSIONS_NATIVE, list(stream_ids))
        return Head(
            position,
            bytes(head_hash),
            recorded_at,
            {stream_id: version for stream_id, version in versions if version},
        )

    async def known(self, event_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, KnownEvent]:
        rows = await self.driver.fetch(KNOWN_EVENTS_NATIVE, list(event_ids))
        return {row[0]: KnownEvent(*row[1:]) for row in rows}

    async def write(self, plan: BatchPlan) -> None:
        head = (plan.head_position, plan.head_hash, plan.recorded_at)
        await self.driver.execute(_APPEND_AND_MOVE_HEAD, *by_column(plan.rows), *head)

    async def write_at(self, head: Head, plan: BatchPlan) -> bool:
        """The plan's rows, and the head moved past them, in one statement of its own: only if
        the log's head is still `head` and each stream still at `head.versions`. Whether they
        were written; if not, nothing was."""
        moved = (plan.head_position, plan.head_hash, plan.recorded_at, head.position, head.hash)
        streams = [list(head.versions), list(head.versions.values())]
        status: str = await self.driver.execute(
            _APPEND_AT_HEAD, *by_column(plan.rows), *moved, *streams
        )
        return status != "INSERT 0 0"
