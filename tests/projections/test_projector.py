"""The projector applies every event exactly once: through crashes, writers and a rival."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import asyncpg
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from events.engine import make_engine
from projections import checkpoints
from projections.base import Loader, Projection
from projections.changes import Change
from projections.lag import projection_lag
from projections.projector import PROJECTIONS, Projector, apply_batch
from projections.queries import get_proposal
from projections.rebuild import rebuild
from projections.schema import LIVE
from projections.writes import Writes
from tests.loop_turns import counting_turns
from tests.projections.histories import Store, lifecycle, open_store, submit, varied

# What the database answers a write it rejects, through SQLAlchemy or asyncpg itself.
REJECTED = (IntegrityError, asyncpg.IntegrityConstraintViolationError)


class Crashing:
    """A projection whose writes end with a row the database rejects, so the batch fails
    after the rows before it were written and before it commits."""

    def __init__(self, inner: Projection) -> None:
        self.inner = inner
        self.name = inner.name
        self.tables = inner.tables

    def writes(self, changes: Sequence[Change]) -> Writes:
        writes = self.inner.writes(changes)
        table = self.tables[-1]
        writes.insert(table, [(None,) * len(LIVE[table].columns)])  # NOT NULL everywhere
        return writes

    def loader(self) -> Loader:
        return self.inner.loader()


async def row_counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        return {
            name: int(await conn.scalar(select(func.count()).select_from(table)) or 0)
            for name, table in LIVE.tables.items()
        }


async def assert_equal_to_rebuild(engine: AsyncEngine) -> None:
    report = await rebuild(engine, swap=False)
    assert report.ok, report.differences
    assert report.events_replayed >= 1


async def test_a_crash_mid_batch_applies_nothing_and_a_restart_applies_everything_once(
    engine: AsyncEngine, store: Store
) -> None:
    await varied(store, 6)
    async with engine.begin() as conn:
        await checkpoints.ensure(conn, [p.name for p in PROJECTIONS])
    for projection in PROJECTIONS:
        with pytest.raises(REJECTED):
            await apply_batch(engine, [Crashing(projection)], batch_size=5)
    assert set((await row_counts(engine)).values()) == {0}
    async with engine.connect() as conn:
        assert set((await checkpoints.read_all(conn)).values()) == {0}
    restarted = Projector(engine, batch_size=5)
    for projection in PROJECTIONS:
        await restarted.catch_up(projection)
    await assert_equal_to_rebuild(engine)


async def test_one_crashing_projection_rolls_back_the_batch_of_all(
    engine: AsyncEngine, store: Store
) -> None:
    await varied(store, 4)
    async with engine.begin() as conn:
        await checkpoints.ensure(conn, [p.name for p in PROJECTIONS])
    proposals, review_queue, stats = PROJECTIONS
    with pytest.raises(REJECTED):
        await apply_batch(engine, [proposals, review_queue, Crashing(stats)])
    assert set((await row_counts(engine)).values()) == {0}
    async with engine.connect() as conn:
        assert set((await checkpoints.read_all(conn)).values()) == {0}


async def test_projections_behind_the_others_catch_up_to_them_then_move_together(
    engine: AsyncEngine, store: Store
) -> None:
    await varied(store, 6)
    head = await store.head_position()
    async with engine.begin() as conn:
        await checkpoints.ensure(conn, [p.name for p in PROJECTIONS])
    assert await apply_batch(engine, [PROJECTIONS[0]], batch_size=5) == ([(0, 5)], True)
    # The batch stops where the leader stands, so the two behind reach it exactly.
    assert await apply_batch(engine, PROJECTIONS, batch_size=500) == (
        [(5, 5), (0, 5), (0, 5)],
        True,
    )
    assert await apply_batch(engine, PROJECTIONS, batch_size=3) == ([(5, 8)] * 3, True)
    await Projector(engine, batch_size=4).catch_up(*PROJECTIONS)
    async with engine.connect() as conn:
        assert set((await checkpoints.read_all(conn)).values()) == {head}
    assert await apply_batch(engine, PROJECTIONS) == ([(head, head)] * 3, False)
    await assert_equal_to_rebuild(engine)


async def test_concurrent_writers_while_projecting(
    engine: AsyncEngine, database_url: str, projector: Projector
) -> None:
    writers = [make_engine(database_url) for _ in range(3)]
    try:
        await asyncio.gather(
            *(varied(open_store(w), 8, seed) for seed, w in enumerate(writers)),
            *(lifecycle(open_store(w)) for w in writers),
        )
        head = await open_store(engine).head_position()
        for name in ("proposals", "review_queue", "stats"):
            assert await projector.wait_for(head, 20, name)
    finally:
        for writer in writers:
            await writer.dispose()
    await assert_equal_to_rebuild(engine)


async def test_two_projectors_never_apply_the_same_events_and_one_takes_over(
    engine: AsyncEngine, database_url: str, store: Store
) -> None:
    engines = [make_engine(database_url) for _ in range(2)]
    first, second = (Projector(e, poll_interval=0.05, lock_retry=0.05) for e in engines)
    try:
        await first.start()
        await second.start()
        await asyncio.gather(varied(store, 10), lifecycle(store))
        head = await store.head_position()
        for name in ("proposals", "review_queue", "stats"):
            assert await first.wait_for(head, 20, name)
        await assert_equal_to_rebuild(engine)
        await first.stop()
        pid, handled = await submit(store)
        for name in ("proposals", "review_queue", "stats"):
            assert await second.wait_for(handled.result.last_position, 20, name)
        assert await get_proposal(engine, pid) is not None
    finally:
        await first.stop()
        await second.stop()
        for e in engines:
            await e.dispose()
    await assert_equal_to_rebuild(engine)


async def test_lag_counts_events_and_seconds_behind_the_head(
    engine: AsyncEngine, store: Store
) -> None:
    _, steps = await lifecycle(store)
    idle = Projector(engine)
    async with engine.begin() as conn:
        await checkpoints.ensure(conn, [p.name for p in PROJECTIONS])
    behind = {lag.name: lag for lag in await projection_lag(engine)}
    assert behind["proposals"].events == steps[-1].result.last_position
    assert behind["proposals"].seconds > 0
    for projection in PROJECTIONS:
        await idle.catch_up(projection)
    assert {(lag.events, lag.seconds) for lag in await projection_lag(engine)} == {(0, 0.0)}


async def test_commands_waiting_for_one_batch_are_answered_in_the_same_turn_of_the_loop(
    engine: AsyncEngine, store: Store
) -> None:
    """A Condition's waiters re-took its lock one after another, a turn of the loop each."""
    projector = Projector(engine, poll_interval=0.05)
    await projector.start()
    try:
        # Leading, the projector answers its waiters when it moves, and they read nothing
        # themselves: a waiter's own read of the checkpoint could answer it a turn early.
        for _ in range(2000):
            if all(projector.leads(p.name) for p in PROJECTIONS):
                break
            await asyncio.sleep(0.01)
        assert all(projector.leads(p.name) for p in PROJECTIONS)
        start = await store.head_position()
        assert await projector.wait_for(start, 20)
        answered_at: list[int] = []
        with counting_turns() as turn:

            async def wait() -> None:
                assert await projector.wait_for(start + 1, 20)
                answered_at.append(turn())

            waiters = asyncio.gather(*(wait() for _ in range(10)))
            await asyncio.sleep(0.01)  # every waiter is waiting before anything is appended
            for _ in range(3):
                await submit(store)
            await waiters
    finally:
        await projector.stop()
    assert max(answered_at) - min(answered_at) <= 1
