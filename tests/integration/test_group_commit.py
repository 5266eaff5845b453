"""Group commit: the appends of one batch learn together that they are stored, and an append
whose caller stops waiting is stored all the same, without holding up the others."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine

from events.envelope import NewEvent, StreamState
from events.sql import SqlEventStore
from tests.contract.toy_events import Deposited, ToyEvent, toy_codec
from tests.loop_turns import counting_turns

APPENDS = 10


def deposit(amount: int) -> list[NewEvent[ToyEvent]]:
    return [NewEvent(Deposited(amount=amount))]


async def test_the_appends_of_one_batch_are_answered_in_the_same_turn_of_the_loop(
    engine: AsyncEngine,
) -> None:
    store = SqlEventStore(engine, toy_codec())
    await store.append("warm-up", deposit(0))  # the pool's first connection, outside the count
    answered_at: list[int] = []
    with counting_turns() as turn:

        async def append(n: int) -> None:
            await store.append(f"acct-{n}", deposit(n), expected_version=StreamState.NO_STREAM)
            answered_at.append(turn())

        await asyncio.gather(*(append(n) for n in range(APPENDS)))
    positions = [e.position async for e in store.read_all()]
    assert positions == list(range(1, APPENDS + 2))
    # All ten were queued before the commit began, so they are one batch. Handing a lock from
    # one waiter to the next answered them a turn apart each: ten turns from first to last.
    assert max(answered_at) - min(answered_at) <= 1


async def test_an_append_whose_caller_stops_waiting_is_stored_and_the_others_go_on(
    engine: AsyncEngine,
) -> None:
    store = SqlEventStore(engine, toy_codec())
    abandoned = asyncio.create_task(store.append("acct-gone", deposit(1)))
    others = [asyncio.create_task(store.append(f"acct-{n}", deposit(n))) for n in range(3)]
    await asyncio.sleep(0)  # every append is queued
    abandoned.cancel()
    results = await asyncio.gather(*others)
    assert [r.version for r in results] == [1, 1, 1]
    assert abandoned.cancelled()
    assert [e.version for e in await store.read_stream("acct-gone")] == [1]
    later = await store.append("acct-later", deposit(9))
    assert later.first_position == 5
    assert (await store.verify()).ok
