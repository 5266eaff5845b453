"""The proposal as its events left it: `initial_state`, `evolve` and `fold`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
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
    # One `replace` per event, not a second for the version and time: a rebuild folds every
    # event of the log through here, and each copy of the state is a large share of its cost.
    version = state.version + 1
    match event:
        case ProposalSubmitted(proposal_id=pid, initiator=initiator, terms=terms):
            return replace(
                state,
                version=version,
                updated_at=at,
                id=pid,
                status=Status.SUBMITTED,
                initiator=initiator,
                terms=terms,
                category=category_of(terms.partners),
                submitted_at=at,
            )
        case ProposalAssessed():
            return replace(state, version=version, updated_at=at, assessment=event.assessment)
        case ProposalRevised(terms=terms):
            return replace(
                state,
                version=version,
                updated_at=at,
                status=Status.SUBMITTED,
                terms=terms,
                category=category_of(terms.partners),
            )
        case ProposalReviewed():
            return _reviewed(state, event, version, at)
        case ProposalWithdrawn(reason=reason):
            return replace(
                state,
                version=version,
                updated_at=at,
                status=Status.WITHDRAWN,
                withdrawal_reason=reason,
            )
        case LegalApprovalRecorded(authority=authority, reference=reference, date=date):
            approval = LegalApproval(authority=authority, reference=reference, date=date)
            approvals = (*state.legal_approvals, approval)
            return replace(state, version=version, updated_at=at, legal_approvals=approvals)
        case AgreementSigned(signed_on=signed_on, document_ref=ref, signatories=signatories):
            signing = Signing(signed_on=signed_on, document_ref=ref, signatories=signatories)
            return replace(
                state, version=version, updated_at=at, status=Status.ACTIVE, signing=signing
            )
        case AgreementTerminated(reason=reason, effective_on=effective_on):
            termination = Termination(reason=reason, effective_on=effective_on)
            return replace(
                state,
                version=version,
                updated_at=at,
                status=Status.TERMINATED,
                termination=termination,
            )
    raise TypeError(f"{type(event).__name__} is not a proposal event")


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
