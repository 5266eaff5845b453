"""The live read models answer the API's reads with the same Proposal that folding gives."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncEngine

from projections.projector import Projector
from projections.queries import ProposalFilter, get_proposal, list_proposals, review_queue
from projections.summaries import region_summary, sdg_stats
from projections.temporal import proposal_at_version
from registry.commands import Sign
from registry.event_types import Decision
from registry.proposal.status import Status
from tests.projections.histories import (
    SIGNED_ON,
    Store,
    lifecycle,
    official,
    review,
    run,
    submit,
    varied,
)
from tests.unit.builders import BANDUNG, SURABAYA, TANGERANG, foreign, region, terms


async def caught_up(projector: Projector, store: Store) -> None:
    assert await projector.wait_for(await store.head_position(), within=10)
    for name in ("review_queue", "stats"):
        assert await projector.wait_for(await store.head_position(), 10, name)


async def test_a_projected_proposal_is_the_folded_one(
    engine: AsyncEngine, store: Store, projector: Projector
) -> None:
    pid, steps = await lifecycle(store)
    await caught_up(projector, store)
    live = await get_proposal(engine, pid, today=dt.date(2027, 6, 1))
    assert live == await proposal_at_version(store, pid, steps[-1].version)
    assert live is not None
    assert live.status is Status.TERMINATED


async def test_filters_match_initiator_or_partner_country_sdg_outcome_and_text(
    engine: AsyncEngine, store: Store, projector: Projector
) -> None:
    sister = terms(
        (foreign("Kota Kitakyushu", "JP"),),
        initiator=SURABAYA,
        title="Kota bersaudara: pengelolaan sampah",
        sdg_targets=("11.6",),
    )
    japan, _ = await submit(store, sister, SURABAYA)
    domestic, _ = await submit(store, terms((region(BANDUNG),)), TANGERANG)
    await caught_up(projector, store)

    async def ids(**filters: object) -> set[object]:
        page = await list_proposals(engine, ProposalFilter(**filters))  # type: ignore[arg-type]
        return {item.id for item in page.items}

    assert await ids(region=BANDUNG) == {domestic}
    assert await ids(region=TANGERANG) == {domestic}
    assert await ids(partner_country="JP") == {japan}
    assert await ids(sdg="11") == await ids(sdg="11.6") == {japan}
    assert await ids(sdg="8") == {domestic}
    assert await ids(q="SAMPAH") == {japan}
    assert await ids(q="%") == set()
    outcome = (await get_proposal(engine, japan)).assessment.outcome  # type: ignore[union-attr]
    assert japan in await ids(outcome=outcome)
    assert await ids(status=Status.SUBMITTED, region=SURABAYA) == {japan}
    assert await ids(status=Status.APPROVED) == set()


async def test_pages_follow_the_cursor_newest_first_without_repeats(
    engine: AsyncEngine, store: Store, projector: Projector
) -> None:
    pids = await varied(store, 7)
    await caught_up(projector, store)
    seen, cursor = [], None
    while True:
        page = await list_proposals(engine, limit=3, cursor=cursor)
        seen += [item.id for item in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == list(reversed(pids))


async def test_an_active_agreement_past_its_end_date_reads_expired(
    engine: AsyncEngine, store: Store, projector: Projector
) -> None:
    pid, steps = await lifecycle(store)
    await caught_up(projector, store)
    signed = await proposal_at_version(store, pid, steps[-2].version)
    assert signed is not None
    assert signed.status is Status.ACTIVE
    # The terminated agreement never expires; only an active one does, on the day it is read.
    after_end = signed.end_date + dt.timedelta(days=1)
    assert (await get_proposal(engine, pid, today=after_end)).status is Status.TERMINATED  # type: ignore[union-attr]
    active, _ = await submit(store)
    await review(store, active, Decision.APPROVE)
    sign = Sign(proposal_id=active, signed_on=SIGNED_ON, document_ref="PKS/2", signatories=("B",))
    await run(store, sign, official(TANGERANG))
    await caught_up(projector, store)
    before_end = signed.end_date
    assert (await get_proposal(engine, active, today=before_end)).status is Status.ACTIVE  # type: ignore[union-attr]
    assert (await get_proposal(engine, active, today=after_end)).status is Status.EXPIRED  # type: ignore[union-attr]
    expired = await list_proposals(engine, ProposalFilter(status=Status.EXPIRED), today=after_end)
    assert [p.id for p in expired.items] == [active]
    assert not (await list_proposals(engine, ProposalFilter(status=Status.EXPIRED))).items
    summary = await region_summary(engine, TANGERANG, today=after_end)
    assert summary.by_status == {"expired": 1, "terminated": 1}


async def test_the_review_queue_leaves_out_the_reviewers_own_region(
    engine: AsyncEngine, store: Store, projector: Projector
) -> None:
    with_bandung, _ = await submit(store, terms((region(BANDUNG),)), TANGERANG)
    with_surabaya, _ = await submit(store, terms((region(SURABAYA),)), TANGERANG)
    decided, _ = await submit(store)
    await review(store, decided, Decision.REJECT)
    await caught_up(projector, store)
    everyone = await review_queue(engine)
    assert [item.id for item in everyone.items] == [with_bandung, with_surabaya]
    bandung = await review_queue(engine, reviewer_region=BANDUNG)
    assert [item.id for item in bandung.items] == [with_surabaya]


async def test_region_summaries_and_sdg_statistics_count_by_status(
    engine: AsyncEngine, store: Store, projector: Projector
) -> None:
    await varied(store, 10)
    await caught_up(projector, store)
    page = await list_proposals(engine, ProposalFilter(region=SURABAYA), limit=500)
    summary = await region_summary(engine, SURABAYA)
    expected: dict[str, int] = {}
    for item in page.items:
        expected[item.status.value] = expected.get(item.status.value, 0) + 1
    assert summary.by_status == dict(sorted(expected.items()))
    assert summary.proposals == len(page.items)
    assert {c.name for c in summary.countries} >= {"ID"}
    stats = {goal.goal: goal for goal in (await sdg_stats(engine)).goals}
    assert len(stats) == 17
    # Every proposal of `varied` names targets of goals 4 and 8 (the builder's terms).
    assert stats[8].proposals == stats[4].proposals == 10
    assert stats[1].proposals == 0
