"""Rebuild equals live, a tampered read model is caught and swapped out; time travel; RYW."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from projections.projector import Projector
from projections.queries import get_proposal, list_proposals
from projections.rebuild import rebuild
from projections.schema import LIVE
from projections.summaries import region_summary
from projections.temporal import proposal_as_of, proposal_at_version
from registry.event_types import Decision
from registry.proposal.status import Status
from tests.projections.histories import Store, lifecycle, review, submit, varied
from tests.unit.builders import TANGERANG

LIFECYCLE = [
    Status.SUBMITTED,
    Status.REVISION_REQUESTED,
    Status.SUBMITTED,
    Status.APPROVED,
    Status.ACTIVE,
    Status.TERMINATED,
]


async def caught_up(projector: Projector, store: Store) -> None:
    head = await store.head_position()
    for name in ("proposals", "review_queue", "stats"):
        assert await projector.wait_for(head, 10, name)


async def test_a_rebuild_equals_the_live_models_and_swaps_in_without_a_gap(
    engine: AsyncEngine, store: Store, projector: Projector
) -> None:
    await varied(store, 9)
    await lifecycle(store)
    await caught_up(projector, store)
    before = await list_proposals(engine, limit=500)
    report = await rebuild(engine, swap=True)
    assert report.ok
    assert report.swapped
    assert report.differences == ()
    assert report.events_replayed == await store.head_position()
    assert await list_proposals(engine, limit=500) == before
    # The projector goes on applying new events to the swapped-in tables.
    late, handled = await submit(store)
    assert await projector.wait_for(handled.result.last_position, 10)
    assert await get_proposal(engine, late) is not None
    assert (await rebuild(engine, swap=False)).ok


async def test_a_tampered_read_model_is_reported_and_a_rebuild_repairs_it(
    engine: AsyncEngine, store: Store, projector: Projector
) -> None:
    pid, _ = await lifecycle(store)
    await caught_up(projector, store)
    await projector.stop()
    async with engine.begin() as conn:
        await conn.execute(update(LIVE["proposals"]).values(status="approved"))
        await conn.execute(update(LIVE["region_status_counts"]).values(count=7))
    report = await rebuild(engine, swap=False)
    assert not report.ok
    tables = {(d.table, d.issue) for d in report.differences}
    assert ("proposals", "missing_in_rebuild") in tables
    assert ("region_status_counts", "missing_in_live") in tables
    assert any(d.key == str(pid) for d in report.differences)
    assert (await rebuild(engine, swap=True)).swapped
    assert (await rebuild(engine, swap=False)).ok
    summary = await region_summary(engine, TANGERANG)
    assert summary.by_status == {"terminated": 1}


async def test_time_travel_before_and_after_each_lifecycle_step(
    engine: AsyncEngine, store: Store, projector: Projector
) -> None:
    pid, steps = await lifecycle(store)
    first = steps[0].result.recorded_at
    assert await proposal_as_of(store, pid, first - dt.timedelta(microseconds=1)) is None
    assert await proposal_at_version(store, pid, 0) is None
    for step, status in zip(steps, LIFECYCLE, strict=True):
        at = await proposal_as_of(store, pid, step.result.recorded_at)
        by_version = await proposal_at_version(store, pid, step.version)
        assert at is not None
        assert by_version is not None
        assert (at.version, at.status) == (step.version, status)
        assert by_version == at
        earlier = await proposal_at_version(store, pid, step.result.first_version - 1)
        if earlier is not None:
            assert earlier.version < step.version
    assert await proposal_at_version(store, pid, steps[-1].version + 1) is None
    await caught_up(projector, store)
    assert await get_proposal(engine, pid) == await proposal_at_version(
        store, pid, steps[-1].version
    )


async def test_read_your_writes_with_the_projector_running(
    engine: AsyncEngine, store: Store, projector: Projector
) -> None:
    for _ in range(3):
        pid, handled = await submit(store)
        assert await projector.wait_for(handled.result.last_position, 5)
        shown = await get_proposal(engine, pid)
        assert shown is not None
        assert shown.version >= handled.version
        reviewed = await review(store, pid, Decision.APPROVE)
        assert await projector.wait_for(reviewed.result.last_position, 5)
        shown = await get_proposal(engine, pid)
        assert shown is not None
        assert shown.version >= reviewed.version


async def test_read_your_writes_waits_for_a_projector_that_is_behind(
    engine: AsyncEngine, store: Store
) -> None:
    pid, handled = await submit(store)
    behind = Projector(engine, poll_interval=0.05)
    assert not await behind.wait_for(handled.result.last_position, 0.1)
    assert await get_proposal(engine, pid) is None
    await behind.start()
    try:
        assert await behind.wait_for(handled.result.last_position, 10)
        shown = await get_proposal(engine, pid)
        assert shown is not None
        assert shown.version >= handled.version
    finally:
        await behind.stop()
