"""Applying a batch: a submission's rows are only inserted, a later change replaces them whole."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from projections import checkpoints
from projections.batches import open_batch
from projections.projector import PROJECTIONS, apply_batch
from projections.queries import get_proposal, review_queue
from projections.stats import KEY_COLUMNS
from registry.event_types import Decision
from registry.proposal.status import Status
from tests.projections.histories import open_store, review, submit
from tests.statements import statements_on

# The tables whose rows a change replaces whole (the statistics only add and subtract counts).
REPLACED = ("proposals", "proposal_regions", "proposal_countries", "proposal_sdgs", "review_queue")


def deletes(statements: list[str]) -> list[str]:
    """The statements that delete from a table whose rows a change replaces."""
    return [s for s in statements if set(re.findall(r"DELETE FROM (\w+)", s)) & set(REPLACED)]


def history_reads(statements: list[str]) -> list[str]:
    """The query for the events before a batch of the streams it continues."""
    return [s for s in statements if "FROM events" in s and "stream_id" in s.partition("WHERE")[2]]


def on_checkpoints(statements: list[str]) -> list[str]:
    return [s for s in statements if "projection_checkpoints" in s]


async def apply_all(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await checkpoints.ensure(conn, [p.name for p in PROJECTIONS])
    await apply_batch(engine, PROJECTIONS)


async def test_a_batch_of_submissions_deletes_nothing(engine: AsyncEngine) -> None:
    store = open_store(engine)
    first, _ = await submit(store)
    second, _ = await submit(store)
    await apply_all(engine)  # the checkpoints exist, and nothing is left to apply
    third, _ = await submit(store)
    with statements_on(engine) as statements:
        await apply_batch(engine, PROJECTIONS)
    assert deletes(statements) == []
    # Their streams begin in the batch: there is no earlier history to read.
    assert history_reads(statements) == []
    # One statement locks every projection's checkpoint, one moves them all.
    assert len(on_checkpoints(statements)) == 2
    # PostgreSQL writes the rows of every table of every projection in one statement.
    written = {table for s in statements for table in re.findall(r"INSERT INTO (\w+)", s)}
    assert written == set(REPLACED) | set(KEY_COLUMNS)
    if engine.dialect.name == "postgresql":
        assert len([s for s in statements if "INSERT INTO" in s]) == 1
    for pid in (first, second, third):
        live = await get_proposal(engine, pid)
        assert live is not None
        assert live.status is Status.SUBMITTED
    assert {item.id for item in (await review_queue(engine)).items} == {first, second, third}


async def test_a_later_change_replaces_the_rows_of_the_earlier_batch(engine: AsyncEngine) -> None:
    store = open_store(engine)
    pid, _ = await submit(store)
    await apply_all(engine)
    await review(store, pid, Decision.APPROVE)
    with statements_on(engine) as statements:
        await apply_all(engine)
    assert deletes(statements)
    assert len(history_reads(statements)) == 1
    live = await get_proposal(engine, pid)
    assert live is not None
    assert live.status is Status.APPROVED
    assert (await review_queue(engine)).items == ()


async def test_checkpoints_move_together_or_not_at_all(engine: AsyncEngine) -> None:
    names = [p.name for p in PROJECTIONS]
    async with engine.begin() as conn:
        await checkpoints.ensure(conn, names)
        await checkpoints.set_position(conn, names[0], 7)

    # The batch's own connection: asyncpg itself on PostgreSQL, SQLAlchemy on SQLite.
    async def lock_then_advance() -> None:
        async with open_batch(engine) as batch:
            assert await batch.lock(names) == {name: 7 if name == names[0] else 0 for name in names}
            await batch.advance(names, 0, 9)

    with pytest.raises(checkpoints.CheckpointMoved):
        await lock_then_advance()
    async with engine.connect() as conn:
        assert await checkpoints.read_all(conn) == {
            name: 7 if name == names[0] else 0 for name in names
        }


async def test_locking_a_checkpoint_that_has_no_row_says_so(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await checkpoints.ensure(conn, ["proposals"])
    with pytest.raises(LookupError, match="stats"):
        async with open_batch(engine) as batch:
            await batch.lock(["proposals", "stats"])
