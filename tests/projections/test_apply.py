"""Applying a batch: a submission's rows are only inserted, a later change replaces them whole."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from projections import checkpoints
from projections.projector import PROJECTIONS, apply_batch
from projections.queries import get_proposal, review_queue
from registry.event_types import Decision
from registry.proposal.status import Status
from tests.projections.histories import open_store, review, submit

# The tables whose rows a change replaces whole (the statistics only add and subtract counts).
REPLACED = ("proposals", "proposal_regions", "proposal_countries", "proposal_sdgs", "review_queue")


@contextmanager
def deletes_on(engine: AsyncEngine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        words = statement.split()
        if words[:2] == ["DELETE", "FROM"] and words[2] in REPLACED:
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def apply_all(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await checkpoints.ensure(conn, [p.name for p in PROJECTIONS])
    await apply_batch(engine, PROJECTIONS)


async def test_a_batch_of_submissions_deletes_nothing(engine: AsyncEngine) -> None:
    store = open_store(engine)
    first, _ = await submit(store)
    second, _ = await submit(store)
    with deletes_on(engine) as deletes:
        await apply_all(engine)
    assert deletes == []
    for pid in (first, second):
        live = await get_proposal(engine, pid)
        assert live is not None
        assert live.status is Status.SUBMITTED
    assert {item.id for item in (await review_queue(engine)).items} == {first, second}


async def test_a_later_change_replaces_the_rows_of_the_earlier_batch(engine: AsyncEngine) -> None:
    store = open_store(engine)
    pid, _ = await submit(store)
    await apply_all(engine)
    await review(store, pid, Decision.APPROVE)
    with deletes_on(engine) as deletes:
        await apply_all(engine)
    assert deletes
    live = await get_proposal(engine, pid)
    assert live is not None
    assert live.status is Status.APPROVED
    assert (await review_queue(engine)).items == ()
