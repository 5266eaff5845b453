"""The SQL event store on PostgreSQL and SQLite: group commit under one head lock per batch."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Generic, TypeVar

import msgspec
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from events.codec import Codec
from events.commit_driver import DriverCommit
from events.commits import COLLISIONS, CommitConnection, open_commit, open_commit_at_head
from events.database_verify import DatabaseChainCheck
from events.envelope import (
    AppendResult,
    ExpectedVersion,
    Metadata,
    NewEvent,
    RecordedEvent,
    StreamState,
    Verification,
)
from events.errors import CommitOutcomeUnknown, EventStoreError, VersionConflict
from events.hashing import GENESIS_HASH
from events.json_pages import JsonPageDecoder
from events.json_read import json_events
from events.lookups import LOG_PAGE
from events.native_read import native_events
from events.outages import database_unreachable
from events.paging import pages, row_extent
from events.planning import (
    BatchPlan,
    Head,
    KnownEvent,
    PreparedAppend,
    assumed_versions,
    commit_time,
    prepare,
)
from events.records import (
    STORED_COLUMNS,
    ChainVerifier,
    RowValues,
    decode_rows,
    to_recorded,
    typed_row,
)
from events.schema import MAX_POSITION, event_log_head, events

E = TypeVar("E", bound=msgspec.Struct)

READ_PAGE_SIZE = 1000
MAX_APPENDS_PER_BATCH = 500
_NO_END = MAX_POSITION  # an upper bound every position is under


_row_columns = tuple(events.c[name] for name in STORED_COLUMNS)
# Built once: every command reads its stream, and building the statement anew cost about as
# much CPU as running it (SQLAlchemy then only looks the compiled form up in its cache).
_whole_stream = (
    select(*_row_columns)
    .where(events.c.stream_id == bindparam("stream_id"), events.c.version >= bindparam("start"))
    .order_by(events.c.version)
)


@dataclass(slots=True)
class _Pending:
    append: PreparedAppend
    future: asyncio.Future[AppendResult] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


def _streams(batch: list[_Pending]) -> list[str]:
    return [pending.append.stream_id for pending in batch]


def _settle(future: asyncio.Future[AppendResult], outcome: AppendResult | BaseException) -> None:
    """Tell an append how it ended, unless its caller stopped waiting (a cancelled future)."""
    if future.done():
        return
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    elif isinstance(outcome, BaseException):  # the committer was cancelled with its loop
        future.cancel()
    else:
        future.set_result(outcome)


class SqlEventStore(Generic[E]):
    """Concurrent appends in one process are combined into one transaction (group commit)."""

    def __init__(
        self,
        engine: AsyncEngine,
        codec: Codec[E],
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._engine = engine
        self._codec = codec
        self._clock = clock
        self._queue: list[_Pending] = []
        self._committer: asyncio.Task[None] | None = None
        # The head as this process's last commit left it; None until then, and after a
        # failure. Only ever a guess: the statement that starts from it checks it.
        self._last_head: Head | None = None
        self.dialect = engine.dialect.name
        # A page is one statement and needs no transaction of its own. On PostgreSQL autocommit
        # saves the BEGIN and ROLLBACK round trips; sqlite3 never opens one for a SELECT, and
        # switching its isolation level would cost two trips to aiosqlite's thread instead.
        self._reader = (
            engine
            if self.dialect == "sqlite"
            else engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        self._log_page = LOG_PAGE[self.dialect]
        # PostgreSQL's driver already types rows in C; SQLite's hands back text to type in Python.
        self._json_pages = (
            JsonPageDecoder(codec)
            if self.dialect == "sqlite" and JsonPageDecoder.supports(codec)
            else None
        )

    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent[E]],
        *,
        expected_version: ExpectedVersion = StreamState.ANY,
        metadata: Metadata | None = None,
    ) -> AppendResult:
        pending = _Pending(prepare(self._codec, stream_id, events, expected_version, metadata))
        self._queue.append(pending)
        self._ensure_committer()
        # A caller that goes away does not take its append with it: the committer goes on.
        return await pending.future

    def _ensure_committer(self) -> None:
        """One task commits everything queued so far, batch after batch, until the queue is
        empty. Every append of a batch is woken at once when it commits; handing a lock from
        one waiter to the next woke them one turn of the event loop apart, and under load the
        last of a batch waited ten turns, about a millisecond each, to learn it was done."""
        committer = self._committer
        loop = asyncio.get_running_loop()
        if committer is None or committer.done() or committer.get_loop() is not loop:
            self._committer = loop.create_task(self._commit_queued(), name="event-store-commit")

    async def _commit_queued(self) -> None:
        try:
            while self._queue:
                batch, self._queue = (
                    self._queue[:MAX_APPENDS_PER_BATCH],
                    self._queue[MAX_APPENDS_PER_BATCH:],
                )
                await self._commit(batch)
        except BaseException as stopped:  # cancelled with its loop: no append may wait forever
            for pending in self._queue:
                _settle(pending.future, stopped)
            self._queue = []
            raise

    async def _commit(self, batch: list[_Pending]) -> None:
        try:
            outcomes = await self._commit_at_last_head(batch)
            if outcomes is None:
                try:
                    outcomes = await self._commit_once(batch, look_up_known=False)
                except COLLISIONS:
                    # Only a stored event id can collide under the head lock: plan the batch
                    # again, this time knowing where those ids live (an idempotent repeat or a
                    # duplicate).
                    outcomes = await self._commit_once(batch, look_up_known=True)
        except BaseException as failure:
            # The transaction rolled back and nothing of the batch is stored, unless the failure
            # is CommitOutcomeUnknown: then each append learns that it cannot know.
            self._last_head = None
            for pending in batch:
                _settle(pending.future, failure)
            if not isinstance(failure, Exception):
                raise
            return
        for pending, outcome in zip(batch, outcomes, strict=True):
            _settle(pending.future, outcome)

    async def _commit_at_last_head(
        self, batch: list[_Pending]
    ) -> list[AppendResult | BaseException] | None:
        """The batch in one statement and no transaction, planned from the head this process's
        last commit left (PostgreSQL): a round trip where the locked commit takes five (BEGIN,
        the lock, the versions, the write, COMMIT), each waiting its turn of a busy event loop.
        None when that head is not known or not the log's any more, or a stream is not at the
        version the batch expects, or an event id is already stored: nothing was written, and
        the commit under the lock sorts each append out."""
        head, self._last_head = self._last_head, None
        versions = assumed_versions([pending.append for pending in batch])
        if head is None or versions is None:
            return None
        start = replace(head, versions=versions)
        outcomes, plan = self._plan(batch, start, commit_time(self._clock(), head.recorded_at), {})
        if any(isinstance(outcome, VersionConflict) for outcome in outcomes):
            return None  # it may be the repeat of an append that landed: the lock's path looks
        sent = False
        try:
            async with self._writing_at_head() as conn:
                sent = True
                written = await conn.write_at(start, plan)
        except COLLISIONS:
            return None
        except Exception as failure:
            if sent and database_unreachable(failure):
                # The statement is its own transaction: it may have committed before the
                # connection went.
                raise CommitOutcomeUnknown(_streams(batch)) from failure
            raise
        if not written:
            return None
        self._last_head = Head(plan.head_position, plan.head_hash, plan.recorded_at, {})
        return outcomes

    async def _commit_once(
        self, batch: list[_Pending], *, look_up_known: bool
    ) -> list[AppendResult | BaseException]:
        committing = False
        event_ids = [event_id for pending in batch for event_id in pending.append.event_ids]
        try:
            async with self._committing() as conn:
                head = await conn.lock_head({pending.append.stream_id for pending in batch})
                at = commit_time(self._clock(), head.recorded_at)
                known = await conn.known(event_ids) if look_up_known else {}
                outcomes, plan = self._plan(batch, head, at, known)
                if not look_up_known and any(isinstance(o, VersionConflict) for o in outcomes):
                    # A stale version may be the repeat of an append that landed: look first.
                    outcomes, plan = self._plan(batch, head, at, await conn.known(event_ids))
                if plan.rows:
                    await conn.write(plan)
                committing = bool(plan.rows)
        except Exception as failure:
            # A PostgreSQL connection lost during COMMIT may have committed before it went:
            # saying "not stored" could be a lie. SQLite's COMMIT is local: it failed, or not.
            if committing and self.dialect != "sqlite" and database_unreachable(failure):
                raise CommitOutcomeUnknown(_streams(batch)) from failure
            raise
        if self.dialect == "postgresql":
            # Where the next batch may start from without the lock (`_commit_at_last_head`).
            self._last_head = Head(plan.head_position, plan.head_hash, plan.recorded_at, {})
        return outcomes

    def _committing(self) -> AbstractAsyncContextManager[CommitConnection]:
        """The commit's transaction; a method of its own so that a test can wrap it (a
        connection cut off between the write and the COMMIT)."""
        return open_commit(self._engine)

    def _writing_at_head(self) -> AbstractAsyncContextManager[DriverCommit]:
        return open_commit_at_head(self._engine)

    @staticmethod
    def _plan(
        batch: list[_Pending], head: Head, at: datetime, known: dict[uuid.UUID, KnownEvent]
    ) -> tuple[list[AppendResult | BaseException], BatchPlan]:
        """Each append's outcome, and the rows of those that may be written, recorded `at`."""
        plan = BatchPlan(head.position, head.hash, at, dict(head.versions), known)
        outcomes: list[AppendResult | BaseException] = []
        for pending in batch:
            try:
                outcomes.append(plan.plan(pending.append))
            except EventStoreError as refused:  # a refusal belongs to its append alone
                outcomes.append(refused)
        return outcomes, plan

    async def read_stream(
        self,
        stream_id: str,
        *,
        from_version: int = 1,
        to_version: int | None = None,
        until: datetime | None = None,
    ) -> list[RecordedEvent[E]]:
        query = _whole_stream
        if to_version is not None:
            query = query.where(events.c.version <= to_version)
        if until is not None:
            query = query.where(events.c.recorded_at <= until)
        bounds = {"stream_id": stream_id, "start": from_version}
        async with self._reader.connect() as conn:
            rows = (await conn.execute(query, bounds)).all()
        return [to_recorded(self._codec, row) for row in rows]

    def read_all(
        self, *, after_position: int = 0, limit: int | None = None
    ) -> AsyncIterator[RecordedEvent[E]]:
        # The generator itself, not one that delegates: each level costs every event a resume.
        if self.dialect == "postgresql":
            return native_events(
                self._reader,
                self._codec,
                after_position=after_position,
                limit=limit,
                page_size=READ_PAGE_SIZE,
            )
        if self._json_pages is None:
            return self._row_events(after_position, limit)
        return json_events(
            self._reader,
            self._codec,
            self._json_pages,
            self._rows_after,
            after_position=after_position,
            limit=limit,
            page_size=READ_PAGE_SIZE,
        )

    async def _row_events(
        self, after_position: int, limit: int | None
    ) -> AsyncIterator[RecordedEvent[E]]:
        native = self.dialect != "sqlite"
        async for page in self._pages(after_position, limit, None, READ_PAGE_SIZE):
            for event in decode_rows(self._codec, page, native=native):
                yield event

    async def read_rows(
        self,
        *,
        after_position: int = 0,
        limit: int | None = None,
        to_position: int | None = None,
        page_size: int = READ_PAGE_SIZE,
    ) -> AsyncIterator[Sequence[RowValues]]:
        """Rows in pages by position, typed as `to_recorded` and hashing expect them."""
        async for page in self._pages(after_position, limit, to_position, page_size):
            yield page if self.dialect != "sqlite" else [typed_row(row) for row in page]

    def _pages(
        self, after_position: int, limit: int | None, to_position: int | None, page_size: int
    ) -> AsyncIterator[Sequence[RowValues]]:
        """Raw driver rows in pages by position (keyset paging: memory stays two pages deep)."""
        upto = _NO_END if to_position is None else to_position
        return pages(self._page, row_extent, after_position, limit, upto, page_size)

    async def _page(self, after: int, upto: int, size: int) -> Sequence[RowValues]:
        async with self._reader.connect() as conn:
            result = await conn.exec_driver_sql(self._log_page, (after, size))
            # The DBAPI rows as fetched: wrapping each in a SQLAlchemy Row costs about a
            # microsecond an event and adds nothing that `decode_rows` needs.
            page: Sequence[RowValues] = result.cursor.fetchall()
            result.close()
        if page and page[-1][0] > upto:  # the page has no upper bound (see `LOG_PAGE`)
            page = [row for row in page if row[0] <= upto]
        return page

    async def _rows_after(self, after: int, size: int) -> Sequence[RowValues]:
        return await self._page(after, _NO_END, size)

    async def head(self) -> tuple[int, bytes]:
        async with self._reader.connect() as conn:
            row = (
                await conn.execute(
                    select(event_log_head.c.position, event_log_head.c.hash).where(
                        event_log_head.c.id == 1
                    )
                )
            ).one()
        return row.position, bytes(row.hash)

    async def head_position(self) -> int:
        position, _ = await self.head()
        return position

    async def verify(self, from_position: int = 1, to_position: int | None = None) -> Verification:
        start = max(from_position, 1)
        head_position, head_hash = await self.head()
        if self.dialect == "postgresql":
            end = head_position if to_position is None else min(to_position, head_position)
            check = DatabaseChainCheck(self._engine, self._row_at, self._hash_before)
            checked = await check.run(start, end)
            return checked.finish(head_position, head_hash, to_position)
        verifier = ChainVerifier(start, await self._hash_before(start))
        async for page in self.read_rows(after_position=start - 1, to_position=to_position):
            if not verifier.feed(page):
                break
        return verifier.finish(head_position, head_hash, to_position)

    async def _row_at(self, position: int) -> RowValues | None:
        page = await self._page(position - 1, position, 1)
        return page[0] if page else None

    async def _hash_before(self, position: int) -> bytes:
        """The stored hash of the event before `position`: where a check from there starts."""
        if position <= 1:
            return GENESIS_HASH
        async with self._reader.connect() as conn:
            stored = await conn.scalar(
                select(events.c.hash).where(events.c.position == position - 1)
            )
        return GENESIS_HASH if stored is None else bytes(stored)
