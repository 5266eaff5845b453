"""What a group commit asks of the database under the log head's lock, and the transaction it
asks in: on PostgreSQL asyncpg itself (`commit_driver`), on SQLite SQLAlchemy (here).

Through SQLAlchemy's async layer each statement of a commit cost about 0.2 ms of CPU in the API
process, which is also where every request is parsed and answered.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

import asyncpg
from sqlalchemy import bindparam, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from events.commit_driver import DriverCommit
from events.driver import driver_connection, transaction
from events.lookups import known_events, stream_versions
from events.planning import BatchPlan, Head, KnownEvent
from events.schema import event_log_head, events

COLLISIONS = (IntegrityError, asyncpg.UniqueViolationError)
"""What a commit raises when an event id it writes is already stored."""


class CommitConnection(Protocol):
    async def lock_head(self, stream_ids: Collection[str]) -> Head:
        """Take the head's write lock, then read it and the streams' versions."""
        ...

    async def known(self, event_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, KnownEvent]: ...

    async def write(self, plan: BatchPlan) -> None:
        """The plan's rows, and the head moved past them."""
        ...


def open_commit(engine: AsyncEngine) -> AbstractAsyncContextManager[CommitConnection]:
    """The commit's transaction, committed when the block ends and rolled back if it raises."""
    return transaction(engine, DriverCommit, SqlCommit)


@asynccontextmanager
async def open_commit_at_head(engine: AsyncEngine) -> AsyncIterator[DriverCommit]:
    """A pooled connection outside any transaction, for `DriverCommit.write_at`: PostgreSQL."""
    async with driver_connection(engine) as driver:
        yield DriverCommit(driver)


# Built once, as every statement of a commit: building one and its cache key anew cost about
# as much CPU as running it. The no-op UPDATE takes the head row's write lock first thing, so
# writers commit strictly in position order and readers never see a later position before an
# earlier one.
_LOCK_HEAD = (
    update(event_log_head)
    .where(event_log_head.c.id == 1)
    .values(position=event_log_head.c.position)
    .returning(event_log_head.c.position, event_log_head.c.hash, event_log_head.c.recorded_at)
)
_MOVE_HEAD = (
    update(event_log_head)
    .where(event_log_head.c.id == 1)
    .values(position=bindparam("head"), hash=bindparam("head_hash"), recorded_at=bindparam("at"))
)


class SqlCommit:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def lock_head(self, stream_ids: Collection[str]) -> Head:
        # Each statement after the lock takes a fresh snapshot, so it sees every earlier commit.
        head = (await self.conn.execute(_LOCK_HEAD)).one()
        versions = await self.conn.execute(*stream_versions(stream_ids))
        return Head(
            head.position,
            bytes(head.hash),
            head.recorded_at,
            {stream_id: version for stream_id, version in versions.all() if version},
        )

    async def known(self, event_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, KnownEvent]:
        rows = await self.conn.execute(*known_events(event_ids))
        return {row.event_id: KnownEvent(*row[1:]) for row in rows.all()}

    async def write(self, plan: BatchPlan) -> None:
        await self.conn.execute(insert(events), [row.as_params() for row in plan.rows])
        await self.conn.execute(
            _MOVE_HEAD,
            {"head": plan.head_position, "head_hash": plan.head_hash, "at": plan.recorded_at},
        )
