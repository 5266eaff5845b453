"""The bulk path of a rebuild: pages and batches of any size, indexes and statistics after it."""

from __future__ import annotations

import asyncio
import os
import uuid
from typing import Any

import pytest
from sqlalchemy import Connection, func, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from events.engine import make_engine
from events.records import utc_from_micros
from projections import base, bulk, fanout
from projections.projector import PROJECTIONS, Projector
from projections.queries import ProposalFilter, list_proposals
from projections.rebuild import rebuild
from projections.schema import LIVE, beside
from projections.swap import create_beside, drop_beside
from tests.projections.histories import Store, lifecycle, varied
from tests.projections.test_rebuild_and_time import caught_up


def index_names(connection: Connection) -> dict[str, set[str]]:
    inspector = inspect(connection)
    return {
        name: {str(index["name"]) for index in inspector.get_indexes(name)} for name in LIVE.tables
    }


async def test_small_pages_and_batches_rebuild_the_same_models_twice_over(
    engine: AsyncEngine, store: Store, projector: Projector, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pages that split streams and batches written while the next is built: the same models.
    monkeypatch.setattr(bulk, "PAGE_SIZE", 7)
    monkeypatch.setattr(base, "BULK_ROWS", 5)
    await varied(store, 9)
    await lifecycle(store)
    await caught_up(projector, store)
    for _ in range(2):  # a second rebuild finds no index or statistics name left taken
        report = await rebuild(engine, swap=True)
        assert report.ok
        assert report.events_replayed == await store.head_position()
    async with engine.connect() as conn:
        found = await conn.run_sync(index_names)
    for name, table in LIVE.tables.items():
        assert found[name] >= {str(index.name) for index in table.indexes}
    found_by_search = await list_proposals(engine, ProposalFilter(q="festival"), limit=500)
    assert found_by_search.items


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_rebuilt_tables_carry_statistics_and_are_analysed(
    engine: AsyncEngine, store: Store, projector: Projector
) -> None:
    await varied(store, 4)
    await caught_up(projector, store)
    assert (await rebuild(engine, swap=True)).ok
    async with engine.connect() as conn:
        statistics = await conn.scalar(
            text(
                "SELECT count(*) FROM pg_statistic_ext"
                " WHERE stxname = 'proposals_status_end_date'"
                " AND stxrelid = 'proposals'::regclass"
            )
        )
        analysed = await conn.scalar(
            text(
                "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables"
                " WHERE relname = 'proposals'"
            )
        )
    assert statistics == 1
    assert analysed


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
@pytest.mark.parametrize(("processes", "fold_here"), [(2, True), (5, True), (2, False)])
async def test_a_rebuild_folded_in_several_processes_equals_the_live_models(
    engine: AsyncEngine,
    store: Store,
    projector: Projector,
    monkeypatch: pytest.MonkeyPatch,
    processes: int,
    fold_here: bool,
) -> None:
    """This process folds one range itself, or (a server) leaves every range to children."""
    # Small pages in every child as well: ranges of streams split across pages and processes.
    monkeypatch.setattr(bulk, "PAGE_SIZE", 7)
    spawned = record_children(monkeypatch)
    await varied(store, 12)
    await lifecycle(store)
    await caught_up(projector, store)
    report = await rebuild(engine, swap=True, processes=processes, fold_here=fold_here)
    assert report.ok, report.differences
    assert report.events_replayed == await store.head_position()
    assert len(spawned) == (processes - 1 if fold_here else processes)


def record_children(
    monkeypatch: pytest.MonkeyPatch, started: asyncio.Event | None = None, count: int = 1
) -> list[asyncio.subprocess.Process]:
    """The processes `asyncio.create_subprocess_exec` starts from now on, as started;
    `started` is set once `count` of them are."""
    spawned: list[asyncio.subprocess.Process] = []
    spawn = asyncio.create_subprocess_exec

    async def recorded(*args: Any, **kwargs: Any) -> asyncio.subprocess.Process:
        child = await spawn(*args, **kwargs)
        spawned.append(child)
        if started is not None and len(spawned) >= count:
            started.set()
        return child

    monkeypatch.setattr(asyncio, "create_subprocess_exec", recorded)
    return spawned


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_a_range_that_fails_here_ends_the_folding_children_and_keeps_the_live_models(
    engine: AsyncEngine,
    store: Store,
    projector: Projector,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """This process folds the first range itself; when that fails, the children folding the
    others are ended, not left writing into tables that nothing will swap in."""
    await varied(store, 6)
    await caught_up(projector, store)
    both = asyncio.Event()
    spawned = record_children(monkeypatch, both, 2)

    async def failing(task: object) -> None:
        # Fails once both children are running: the case where they would be left behind.
        async with asyncio.timeout(30):
            await both.wait()
        raise RuntimeError("the range folded here failed")

    monkeypatch.setattr(fanout, "_load_range", failing)
    with pytest.raises(RuntimeError, match="folded here"):
        await rebuild(engine, swap=True, processes=3)
    assert len(spawned) == 2
    assert all(child.returncode is not None for child in spawned)
    # The tables beside are left to the next rebuild, which drops them first (`create_beside`).
    async with engine.connect() as conn:
        live = await conn.scalar(select(func.count()).select_from(LIVE["proposals"]))
    assert live == 6


def test_stream_ranges_split_the_proposal_ids_without_gaps_or_overlap() -> None:
    assert fanout.stream_ranges(1) == [("", None)]
    ranges = fanout.stream_ranges(4)
    assert ranges == [
        ("", "proposal-4"),
        ("proposal-4", "proposal-8"),
        ("proposal-8", "proposal-c"),
        ("proposal-c", None),
    ]


def test_final_rows_of_the_ranges_add_their_counts_by_key() -> None:
    first: base.Rows = {
        "proposals": [(1,)],
        "sdg_status_counts": [(8, "active", None, 2)],
    }
    second: base.Rows = {
        "proposals": [(2,)],
        "sdg_status_counts": [(8, "active", None, 3), (4, "active", None, 1)],
    }
    merged = fanout.merge_final_rows([first, second])
    assert merged["proposals"] == [(1,), (2,)]
    assert sorted(merged["sdg_status_counts"]) == [(4, "active", None, 1), (8, "active", None, 5)]


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_record_times_read_as_microseconds_are_the_driver_s_own(
    engine: AsyncEngine, store: Store
) -> None:
    await varied(store, 3)
    expression = bulk._RECORDED["postgresql"]
    async with engine.connect() as conn:
        result = await conn.execute(text(f"SELECT recorded_at, {expression} FROM events"))
        rows = result.all()
    assert rows
    for recorded_at, micros in rows:
        assert utc_from_micros(micros) == recorded_at
        assert utc_from_micros(micros).utcoffset() == recorded_at.utcoffset()


async def test_a_failed_batch_surfaces_once_every_batch_in_flight_has_ended(
    engine: AsyncEngine,
) -> None:
    models = beside()
    await create_beside(engine, models)
    try:
        writer = bulk.BulkWriter(engine, models)
        region = ("proposal_regions", [(uuid.uuid4(), "36.71", 1)])
        await writer.write(dict([region]))
        # The same key again: the second batch fails while the first may still be in flight.
        await writer.write(dict([region]))
        with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
            await writer.wait()
        await writer.wait()  # nothing left in flight, nothing raised twice
        async with engine.connect() as conn:
            kept = await conn.scalar(select(func.count()).select_from(models["proposal_regions"]))
        assert kept == 1
    finally:
        await drop_beside(engine, models)


def test_a_large_log_on_postgresql_is_folded_by_one_process_per_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    postgresql = make_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    sqlite = make_engine("sqlite+aiosqlite:///:memory:")
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert fanout.processes_for(postgresql, PROJECTIONS, fanout.MIN_EVENTS) == 2
    assert fanout.processes_for(postgresql, PROJECTIONS, fanout.MIN_EVENTS - 1) == 1
    assert fanout.processes_for(sqlite, PROJECTIONS, fanout.MIN_EVENTS) == 1
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert fanout.processes_for(postgresql, PROJECTIONS, fanout.MIN_EVENTS) == 16
