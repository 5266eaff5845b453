"""The projector: catches each projection up from its checkpoint, then follows the log live."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from typing import NamedTuple

import structlog
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from events.outages import database_unreachable
from projections import checkpoints
from projections.base import Projection
from projections.batch_sql import SqlBatch
from projections.batches import open_batch
from projections.changes import changes_of
from projections.locks import Locks, open_locks
from projections.proposals import ProposalsProjection
from projections.review_queue import ReviewQueueProjection
from projections.schema import LIVE, ReadModels
from projections.stats import StatsProjection
from projections.writes import Writes

log = structlog.get_logger(__name__)

PROJECTIONS: tuple[Projection, ...] = (
    ProposalsProjection(),
    ReviewQueueProjection(),
    StatsProjection(),
)
BATCH_SIZE = 500
# Retries after a failed cycle: quick at first, then no more than one attempt every few seconds.
FIRST_RETRY_SECONDS = 0.1
MAX_RETRY_SECONDS = 2.0
REFRESH_SECONDS = 0.01


def backoff(failures: int) -> float:
    """The pause after the `failures`-th failed cycle in a row: doubling, capped."""
    return float(min(FIRST_RETRY_SECONDS * 2 ** min(failures - 1, 16), MAX_RETRY_SECONDS))


async def apply_events(
    conn: AsyncConnection,
    projection: Projection,
    models: ReadModels,
    after: int,
    *,
    limit: int = BATCH_SIZE,
    to_position: int | None = None,
) -> int:
    """Apply the events after a position to a projection's tables, on the caller's transaction;
    the last position applied."""
    batch = SqlBatch(conn)
    events = await batch.read(after, limit, to_position)
    if not events:
        return after
    await batch.write(models, projection.writes(await changes_of(batch, events)))
    return events[-1].position


class Applied(NamedTuple):
    """What one batch did: each projection's (position before, position after), and whether
    the log may hold more for them (a full batch, or one that stopped at another checkpoint)."""

    positions: list[tuple[int, int]]
    more: bool


async def apply_batch(
    engine: AsyncEngine, projections: Sequence[Projection], batch_size: int = BATCH_SIZE
) -> Applied:
    """One batch and the checkpoints it moves in one transaction.

    The batch is read and folded into changes once for every projection at the lowest
    checkpoint, and ends where the next checkpoint stands, so projections that fell behind
    (one rebuilt, or one whose lock this process only now took) catch up to the others and
    from then on move together. A crash anywhere before the commit leaves every table and
    checkpoint as they were.
    """
    async with open_batch(engine) as batch:
        locked = await batch.lock([projection.name for projection in projections])
        befores = [locked[projection.name] for projection in projections]
        start = min(befores)
        ahead = [before for before in befores if before > start]
        events = await batch.read(start, batch_size, min(ahead) if ahead else None)
        if not events:
            return Applied([(before, before) for before in befores], more=bool(ahead))
        changes = await changes_of(batch, events)
        after = events[-1].position
        moving = [p for p, before in zip(projections, befores, strict=True) if before == start]
        writes = Writes()
        for projection in moving:
            writes.merge(projection.writes(changes))
        await batch.write(LIVE, writes)
        await batch.advance([projection.name for projection in moving], start, after)
    outcomes = [(before, after if before == start else before) for before in befores]
    return Applied(outcomes, more=len(events) == batch_size or bool(ahead))


class Projector:
    """Runs projections in this process; per projection, only the holder of its lock applies."""

    def __init__(
        self,
        engine: AsyncEngine,
        projections: Sequence[Projection] = PROJECTIONS,
        *,
        batch_size: int = BATCH_SIZE,
        poll_interval: float | None = None,
        lock_retry: float = 0.5,
    ) -> None:
        self.engine = engine
        self.projections = tuple(projections)
        self.batch_size = batch_size
        postgres = engine.dialect.name == "postgresql"
        # PostgreSQL wakes us by NOTIFY; its poll is only a safety net. SQLite has only the poll.
        self.poll_interval = poll_interval or (2.0 if postgres else 0.1)
        self.lock_retry = lock_retry
        self.positions: dict[str, int] = {}
        self._wake = asyncio.Event()
        # Set, and replaced by a fresh one, whenever the positions move. An Event rather than a
        # Condition: a Condition's waiters re-take its lock one after another, a turn of the
        # event loop each, so the last command of a batch learned of it many turns late.
        self._progressed = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        # While this process holds a projection's lock, `positions` is the truth and waiters
        # need no query; otherwise they share one checkpoint read every REFRESH_SECONDS.
        self._leading: set[str] = set()
        self._refreshing = asyncio.Lock()
        self._refreshed_at: dict[str, float] = {}

    async def start(self) -> None:
        """Run in the background until `stop`."""
        async with self.engine.begin() as conn:
            await checkpoints.ensure(conn, [p.name for p in self.projections])
        self._task = asyncio.create_task(self.run(), name="projector")

    async def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None

    def nudge(self) -> None:
        """Look at the log now instead of at the next wake-up."""
        self._wake.set()

    async def run(self) -> None:
        failures = 0
        async with open_locks(self.engine, self._wake) as locks:
            while not self._stopping.is_set():
                self._wake.clear()
                try:
                    waiting = await self._cycle(locks)
                except Exception as error:
                    # Nothing may end this task but `stop`: a database that is away comes back,
                    # and the projector must be there to catch up when it does.
                    failures += 1
                    self._leading.clear()  # a lost connection may have taken the locks with it
                    pause = backoff(failures)
                    self._log_failure(error, failures, pause)
                    await self._pause(pause)
                    continue
                if failures:
                    log.info("projection_resumed", after_failures=failures)
                    failures = 0
                # `catch_up` stops only at the head; anything appended since has set the wake,
                # which ends the pause at once.
                pause = min(self.poll_interval, self.lock_retry) if waiting else self.poll_interval
                await self._pause(pause)
        self._announce()

    async def _pause(self, seconds: float) -> None:
        """Sleep until the pause is over or something wakes us (a NOTIFY, a nudge, `stop`)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    @staticmethod
    def _log_failure(error: Exception, failures: int, pause: float) -> None:
        fields = {"error_type": type(error).__name__, "error": str(error), "failures": failures}
        if database_unreachable(error):
            log.warning("projection_database_unavailable", retry_in=pause, **fields)
        else:
            log.error("projection_cycle_failed", retry_in=pause, exc_info=error, **fields)

    async def _cycle(self, locks: Locks) -> bool:
        """Catch up every projection whose lock this process holds; whether some lock missed."""
        waiting = False
        leading: list[Projection] = []
        for projection in self.projections:
            if not await locks.acquire(projection.name):
                self._leading.discard(projection.name)
                waiting = True
                continue
            self._leading.add(projection.name)
            leading.append(projection)
        if leading:
            await self.catch_up(*leading)
        return waiting

    async def _refresh(self, projection: str) -> None:
        """Read a checkpoint that another process advances; one read serves every waiter."""
        async with self._refreshing:
            if time.monotonic() - self._refreshed_at.get(projection, 0.0) < REFRESH_SECONDS:
                return
            async with self.engine.connect() as conn:
                stored = await checkpoints.read(conn, projection)
            self.positions[projection] = max(self.positions.get(projection, 0), stored)
            self._refreshed_at[projection] = time.monotonic()

    async def catch_up(self, *projections: Projection) -> int:
        """Apply batches until the projections reach the head; the events applied to them."""
        applied = 0
        while not self._stopping.is_set():
            try:
                batch = await apply_batch(self.engine, projections, self.batch_size)
            except checkpoints.CheckpointMoved:
                continue
            moved = False
            for projection, (before, after) in zip(projections, batch.positions, strict=True):
                moved = moved or after > self.positions.get(projection.name, 0)
                self.positions[projection.name] = after
                applied += after - before
            if moved:  # by us, or by another process: our waiters may go on
                self._announce()
            # A short batch reached the head: reading again now would find nothing, and an
            # append after it wakes us (NOTIFY, a waiter's nudge, or the poll).
            if not batch.more:
                break
        return applied

    def leads(self, projection: str) -> bool:
        """Whether this process holds the projection's lock, and so applies it itself."""
        return projection in self._leading

    def _announce(self) -> None:
        progressed, self._progressed = self._progressed, asyncio.Event()
        progressed.set()

    async def wait_for(
        self, position: int, within: float = 5.0, projection: str = "proposals"
    ) -> bool:
        """Read your writes: True once `projection` has applied the log up to `position`."""
        deadline = time.monotonic() + within
        while True:
            progressed = self._progressed  # taken before the check: no move slips between
            if self.positions.get(projection, 0) >= position:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if projection not in self._leading:
                # Another process applies this projection: only its checkpoint tells how far.
                await self._refresh(projection)
                if self.positions[projection] >= position:
                    return True
            self.nudge()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(progressed.wait(), min(remaining, 0.05))


async def wait_for_position(
    engine: AsyncEngine, position: int, within: float = 5.0, projection: str = "proposals"
) -> bool:
    """Read your writes when the projector runs elsewhere: poll its checkpoint until it passes."""
    deadline = time.monotonic() + within
    while True:
        async with engine.connect() as conn:
            if await checkpoints.read(conn, projection) >= position:
                return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.01)
