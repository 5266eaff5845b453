"""The proposal as its events left it: `initial_state`, `evolve` and `fold`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import msgspec
from msgspec.structs import replace

from events.envelope import RecordedEvent
from registry.event_types import (
    AgreementSigned,
    AgreementTerminated,
    Decision,
    Event,
    LegalApprovalRecorded,
    Override,
    ProposalAssessed,
    ProposalReviewed,
    ProposalRevised,
    ProposalSubmitted,
    ProposalWithdrawn,
)
from registry.ids import ProposalId
from registry.principles.model import Assessment
from registry.proposal.category import Authority, Category, category_of
from registry.proposal.status import Status
from registry.terms import Terms


class ReviewRecord(msgspec.Struct, frozen=True, gc=False, kw_only=True):
    """A review as it happened, with the time the store recorded it."""

    reviewer: str
    reviewer_region: str | None
    decision: Decision
    comment: str | None
    overrides: tuple[Override, ...]
    at: dt.datetime


class LegalApproval(msgspec.Struct, frozen=True, gc=False, kw_only=True):
    """Evidence of one legal approval."""

    authority: Authority
    reference: str
    date: dt.date


class Signing(msgspec.Struct, frozen=True, gc=False, kw_only=True):
    """How the agreement was signed."""

    signed_on: dt.date
    document_ref: str
    signatories: tuple[str, ...]


class Termination(msgspec.Struct, frozen=True, gc=False, kw_only=True):
    """Why and from when the agreement ended early."""

    reason: str
    effective_on: dt.date


class Proposal(msgspec.Struct, frozen=True, gc=False, kw_only=True):
    """Everything the decider and the view need; `version` counts the events folded."""

    id: ProposalId | None = None
    version: int = 0
    status: Status = Status.NEW
    initiator: str = ""
    terms: Terms | None = None
    category: Category | None = None
    assessment: Assessment | None = None
    reviews: tuple[ReviewRecord, ...] = ()
    legal_approvals: tuple[LegalApproval, ...] = ()
    signing: Signing | None = None
    termination: Termination | None = None
    withdrawal_reason: str | None = None
    submitted_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


def initial_state() -> Proposal:
    """The state of a proposal that has no event yet."""
    return Proposal()


_AFTER_REVIEW = {
    Decision.APPROVE: Status.APPROVED,
    Decision.REJECT: Status.REJECTED,
    Decision.REQUEST_REVISION: Status.REVISION_REQUESTED,
}


def evolve(state: Proposal, event: Event, at: dt.datetime) -> Proposal:
    """The state after one more event, recorded by the store at `at`."""
    # A step per event type, found by the type itself, and one `replace` per event: a rebuild
    # folds every event of the log through here, and trying each case of a `match` in turn
    # and copying the state twice were most of the cost.
    step = STEPS.get(type(event))
    if step is None:
        raise TypeError(f"{type(event).__name__} is not a proposal event")
    return step(state, event, state.version + 1, at)


def _submitted(
    state: Proposal, event: ProposalSubmitted, version: int, at: dt.datetime
) -> Proposal:
    return replace(
        state,
        version=version,
        updated_at=at,
        id=event.proposal_id,
        status=Status.SUBMITTED,
        initiator=event.initiator,
        terms=event.terms,
        category=category_of(event.terms.partners),
        submitted_at=at,
    )


def _assessed(state: Proposal, event: ProposalAssessed, version: int, at: dt.datetime) -> Proposal:
    return replace(state, version=version, updated_at=at, assessment=event.assessment)


def _revised(state: Proposal, event: ProposalRevised, version: int, at: dt.datetime) -> Proposal:
    return replace(
        state,
        version=version,
        updated_at=at,
        status=Status.SUBMITTED,
        terms=event.terms,
        category=category_of(event.terms.partners),
    )


def _reviewed(state: Proposal, event: ProposalReviewed, version: int, at: dt.datetime) -> Proposal:
    review = ReviewRecord(
        reviewer=event.reviewer,
        reviewer_region=event.reviewer_region,
        decision=event.decision,
        comment=event.comment,
        overrides=event.overrides,
        at=at,
    )
    return replace(
        state,
        version=version,
        updated_at=at,
        status=_AFTER_REVIEW[event.decision],
        reviews=(*state.reviews, review),
    )


def _withdrawn(
    state: Proposal, event: ProposalWithdrawn, version: int, at: dt.datetime
) -> Proposal:
    return replace(
        state,
        version=version,
        updated_at=at,
        status=Status.WITHDRAWN,
        withdrawal_reason=event.reason,
    )


def _approved(
    state: Proposal, event: LegalApprovalRecorded, version: int, at: dt.datetime
) -> Proposal:
    approval = LegalApproval(authority=event.authority, reference=event.reference, date=event.date)
    approvals = (*state.legal_approvals, approval)
    return replace(state, version=version, updated_at=at, legal_approvals=approvals)


def _signed(state: Proposal, event: AgreementSigned, version: int, at: dt.datetime) -> Proposal:
    signing = Signing(
        signed_on=event.signed_on, document_ref=event.document_ref, signatories=event.signatories
    )
    return replace(state, version=version, updated_at=at, status=Status.ACTIVE, signing=signing)


def _terminated(
    state: Proposal, event: AgreementTerminated, version: int, at: dt.datetime
) -> Proposal:
    termination = Termination(reason=event.reason, effective_on=event.effective_on)
    return replace(
        state, version=version, updated_at=at, status=Status.TERMINATED, termination=termination
    )


# Each step takes its own event type; the table pairs them, so the step's event is `Any` here.
STEPS: dict[type[Event], Callable[[Proposal, Any, int, dt.datetime], Proposal]] = {
    ProposalSubmitted: _submitted,
    ProposalAssessed: _assessed,
    ProposalRevised: _revised,
    ProposalReviewed: _reviewed,
    ProposalWithdrawn: _withdrawn,
    LegalApprovalRecorded: _approved,
    AgreementSigned: _signed,
    AgreementTerminated: _terminated,
}


def fold(history: Iterable[RecordedEvent[Any]]) -> Proposal:
    """The state a stream's events (from version 1, in order) leave behind."""
    state = initial_state()
    for recorded in history:
        if recorded.version != state.version + 1:
            raise ValueError(
                f"{recorded.stream_id} version {recorded.version} follows {state.version}"
            )
        state = evolve(state, recorded.payload, recorded.recorded_at)
    return state
