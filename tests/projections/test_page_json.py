"""The list page spliced from stored documents is the encoded ProposalPage, byte for byte."""

from __future__ import annotations

import datetime as dt

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from projections.page_json import RawPage, proposal_page_json
from projections.projector import Projector
from projections.queries import ProposalFilter, ProposalPage, list_proposals
from registry.commands import Sign
from registry.event_types import Decision
from registry.proposal.status import Status
from tests.projections.histories import SIGNED_ON, Store, official, review, run, submit, varied
from tests.unit.builders import SURABAYA, TANGERANG, terms

TODAY = dt.date(2027, 6, 1)


async def same_bytes(
    engine: AsyncEngine,
    filters: ProposalFilter,
    *,
    limit: int = 50,
    cursor: str | None = None,
    today: dt.date = TODAY,
) -> ProposalPage:
    page = await list_proposals(engine, filters, limit=limit, cursor=cursor, today=today)
    spliced = await proposal_page_json(engine, filters, limit=limit, cursor=cursor, today=today)
    assert spliced == msgspec.json.encode(page)
    return page


def test_the_raw_page_has_the_fields_of_the_page_in_order() -> None:
    assert RawPage.__struct_fields__ == ProposalPage.__struct_fields__


async def test_every_filter_and_every_page_splices_to_the_encoded_page(
    engine: AsyncEngine, store: Store, projector: Projector
) -> None:
    await varied(store, 9)
    assert await projector.wait_for(await store.head_position(), within=10)
    for filters in (
        ProposalFilter(),
        ProposalFilter(status=Status.SUBMITTED),
        ProposalFilter(region=SURABAYA, sdg="8"),
        ProposalFilter(partner_country="JP"),
        ProposalFilter(q="festival"),
        ProposalFilter(status=Status.APPROVED, region=TANGERANG),
    ):
        await same_bytes(engine, filters)
    cursor, pages = None, 0
    while True:
        page = await same_bytes(engine, ProposalFilter(), limit=4, cursor=cursor)
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert pages == 3
    assessment = page.items[0].assessment
    assert assessment is not None
    outcome = assessment.outcome
    await same_bytes(engine, ProposalFilter(outcome=outcome, region=SURABAYA))
    first = await same_bytes(engine, ProposalFilter(region=SURABAYA, q="kota"), limit=2)
    assert first.next_cursor is not None
    await same_bytes(
        engine, ProposalFilter(region=SURABAYA, q="kota"), limit=2, cursor=first.next_cursor
    )
    empty = await same_bytes(engine, ProposalFilter(status=Status.EXPIRED))
    assert empty.items == ()


async def test_an_agreement_past_its_end_date_is_spliced_as_expired(
    engine: AsyncEngine, store: Store, projector: Projector
) -> None:
    pid, _ = await submit(store, terms(initiator=TANGERANG), TANGERANG)
    await review(store, pid, Decision.APPROVE)
    sign = Sign(proposal_id=pid, signed_on=SIGNED_ON, document_ref="PKS/9", signatories=("A",))
    await run(store, sign, official(TANGERANG))
    await submit(store, terms(initiator=TANGERANG), TANGERANG)
    assert await projector.wait_for(await store.head_position(), within=10)
    active = await same_bytes(engine, ProposalFilter())
    end = next(item.end_date for item in active.items if item.id == pid)
    after_end = end + dt.timedelta(days=1)
    later = await same_bytes(engine, ProposalFilter(), today=after_end)
    assert [item.status for item in later.items if item.id == pid] == [Status.EXPIRED]
    expired = await same_bytes(engine, ProposalFilter(status=Status.EXPIRED), today=after_end)
    assert [item.id for item in expired.items] == [pid]
    active_now = await same_bytes(engine, ProposalFilter(status=Status.ACTIVE))
    assert [item.id for item in active_now.items] == [pid]
    assert not (
        await same_bytes(engine, ProposalFilter(status=Status.ACTIVE), today=after_end)
    ).items
