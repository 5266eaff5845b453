"""The Proposal of API.md, rebuilt from events: field names, times, approvals and expiry."""

from __future__ import annotations

import datetime as dt

import msgspec

from events.codec import Codec
from events.memory import InMemoryEventStore
from registry.commands import RecordLegalApproval, Review, Sign
from registry.event_types import EVENT_TYPES, Decision, Event
from registry.handling import handle
from registry.ids import stream_id
from registry.proposal.category import Authority
from registry.proposal.state import fold
from registry.proposal.status import Status
from registry.proposal.view import proposal_view
from tests.unit.builders import (
    PID,
    REFERENCE,
    REVIEWER,
    RULESET,
    SURABAYA,
    facts,
    sister_city_terms,
    submit,
    ticking_clock,
)

API_FIELDS = {
    "id", "version", "status", "category", "title", "summary", "initiator", "partners", "fields",
    "benefits", "obligations", "legal_basis", "sdg_targets", "start_date", "end_date",
    "environmental_safeguards", "dprd_approval", "assessment", "reviews", "legal_approvals",
    "submitted_at", "updated_at",
}  # fmt: skip


async def sister_city_store() -> InMemoryEventStore[Event]:
    store: InMemoryEventStore[Event] = InMemoryEventStore(Codec(EVENT_TYPES), clock=ticking_clock())
    unsafeguarded = sister_city_terms(environmental_safeguards=None)
    await handle(submit(unsafeguarded, SURABAYA)[0], store=store, facts=facts())
    review = Review(proposal_id=PID, decision=Decision.APPROVE, comment="Bagus.")
    await handle(review, store=store, facts=facts(REVIEWER))
    dprd = RecordLegalApproval(
        proposal_id=PID,
        authority=Authority.DPRD,
        reference="DPRD 3/2026",
        date=dt.date(2026, 10, 1),
    )
    await handle(dprd, store=store, facts=facts())
    return store


async def test_the_view_has_every_field_api_md_names() -> None:
    state = fold(await (await sister_city_store()).read_stream(stream_id(PID)))
    shape = msgspec.json.decode(msgspec.json.encode(proposal_view(state, REFERENCE, RULESET)))
    assert set(shape) >= API_FIELDS
    assert shape["initiator"] == {"region_code": SURABAYA, "name": "Kota Surabaya"}
    assert shape["partners"][0] == {
        "name": "Kota Kitakyushu",
        "kind": "foreign_local_government",
        "country": "JP",
        "region_code": None,
    }
    principles = shape["assessment"]["principles"]
    assert [p["principle"] for p in principles][:2] == ["mutual_benefit", "legal_compliance"]
    environment = principles[5]
    assert (environment["principle"], environment["verdict"]) == (
        "environmental_sustainability",
        "needs_review",
    )
    assert {"code", "message_en", "message_id"} <= set(environment["findings"][0])
    assert shape["legal_approvals"] == [
        {"authority": "dprd", "reference": "DPRD 3/2026", "date": "2026-10-01"}
    ]


async def test_times_are_those_the_store_recorded() -> None:
    history = await (await sister_city_store()).read_stream(stream_id(PID))
    view = proposal_view(fold(history), REFERENCE, RULESET)
    assert view.submitted_at == history[0].recorded_at
    assert view.updated_at == history[-1].recorded_at
    assert view.reviews[0].at == history[2].recorded_at
    assert (view.reviews[0].reviewer, view.reviews[0].decision) == (REVIEWER.id, "approve")


async def test_the_view_tells_which_legal_approvals_are_still_missing() -> None:
    state = fold(await (await sister_city_store()).read_stream(stream_id(PID)))
    view = proposal_view(state, REFERENCE, RULESET)
    assert view.required_legal_approvals == ("dprd", "kemendagri", "kemenlu")
    assert view.missing_legal_approvals == ("kemendagri", "kemenlu")


async def test_an_active_agreement_whose_end_date_has_passed_reads_expired() -> None:
    store = await sister_city_store()
    for authority in (Authority.KEMENDAGRI, Authority.KEMENLU):
        command = RecordLegalApproval(
            proposal_id=PID, authority=authority, reference="B-17/2026", date=dt.date(2026, 11, 1)
        )
        await handle(command, store=store, facts=facts())
    sign = Sign(
        proposal_id=PID, signed_on=dt.date(2026, 12, 1), document_ref="MoU", signatories=("Wali",)
    )
    await handle(sign, store=store, facts=facts())
    state = fold(await store.read_stream(stream_id(PID)))
    end = state.terms.end_date if state.terms else dt.date.max
    assert proposal_view(state, REFERENCE, RULESET, today=end).status is Status.ACTIVE
    later = end + dt.timedelta(days=1)
    assert proposal_view(state, REFERENCE, RULESET, today=later).status is Status.EXPIRED
    assert proposal_view(state, REFERENCE, RULESET).status is Status.ACTIVE


async def test_the_view_as_it_stood_at_an_earlier_version() -> None:
    history = await (await sister_city_store()).read_stream(stream_id(PID), to_version=2)
    view = proposal_view(fold(history), REFERENCE, RULESET)
    assert (view.version, view.status, view.reviews) == (2, Status.SUBMITTED, ())
