"""Read your writes across processes: waiters hear checkpoints move instead of polling them."""

from __future__ import annotations

import asyncio

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from events.engine import make_engine
from projections.progress import CheckpointWatch, announcement, parse_announcement
from projections.projector import Projector
from tests.projections.histories import Store, submit, varied


class CountingWatch(CheckpointWatch):
    """Counts its checkpoint reads: the queries that polling used to make every 10 ms."""

    reads = 0

    async def _read(self, projection: str) -> int:
        self.reads += 1
        return await super()._read(projection)


def test_an_announcement_names_each_moved_checkpoint() -> None:
    payload = announcement([("proposals", 12), ("stats", 12)])
    assert parse_announcement(payload) == {"proposals": 12, "stats": 12}
    assert parse_announcement("") == {}
    assert parse_announcement("proposals=x,=3,stats,review_queue=7") == {"review_queue": 7}


async def test_a_waiter_wakes_when_a_projector_elsewhere_passes_its_position(
    engine: AsyncEngine, database_url: str, store: Store
) -> None:
    await varied(store, 3)
    head = await store.head_position()
    watch = CountingWatch(engine)
    elsewhere = make_engine(database_url)
    projector = Projector(elsewhere, poll_interval=0.05)
    try:
        waiting = asyncio.create_task(watch.wait_for(head, 20, "proposals"))
        await asyncio.sleep(0.1)
        assert not waiting.done()
        await projector.start()
        assert await waiting
        # Later waiters for what is already announced or read need no query at all.
        reads = watch.reads
        assert await watch.wait_for(head, 1, "proposals")
        assert watch.reads == reads
        _, handled = await submit(store)
        assert await watch.wait_for(handled.result.last_position, 20, "stats")
        if engine.dialect.name == "postgresql":
            # The listener has been open since the checkpoint was read: a waiter for a position
            # not reached yet only listens for the announcement.
            reads = watch.reads
            _, later = await submit(store)
            assert await watch.wait_for(later.result.last_position, 20, "proposals")
            assert watch.reads == reads
    finally:
        await projector.stop()
        await watch.close()
        await elsewhere.dispose()
    if engine.dialect.name == "postgresql":
        # Polling every 10 ms would have read the checkpoint dozens of times by now.
        assert watch.reads <= 6


async def test_a_waiter_gives_up_after_its_time_and_says_so(
    engine: AsyncEngine, store: Store
) -> None:
    await varied(store, 1)
    watch = CheckpointWatch(engine)
    try:
        assert not await watch.wait_for(await store.head_position(), 0.3, "proposals")
    finally:
        await watch.close()


async def test_a_lost_listening_connection_is_opened_again(
    engine: AsyncEngine, database_url: str, store: Store
) -> None:
    watch = CountingWatch(engine)
    elsewhere = make_engine(database_url)
    projector = Projector(elsewhere, poll_interval=0.05)
    await projector.start()
    listener = None
    try:
        _, first = await submit(store)
        assert await watch.wait_for(first.result.last_position, 20, "proposals")
        if engine.dialect.name == "postgresql":
            listener = watch._listener
            assert listener is not None
            admin = await asyncpg.connect(database_url.replace("+asyncpg", ""))
            await admin.execute("SELECT pg_terminate_backend($1)", listener.get_server_pid())
            await admin.close()
        _, second = await submit(store)
        assert await watch.wait_for(second.result.last_position, 20, "proposals")
        if engine.dialect.name == "postgresql":
            assert watch._listener is not listener
            assert not watch._listener.is_closed()
    finally:
        await projector.stop()
        await watch.close()
        await elsewhere.dispose()
