"""Every event of a proposal's stream: past tense, payload only, tagged by class name, evolvable.

Rules for change: a tag (the class name) is never renamed; a new field gets a default; anything
else is a new event type or an upcaster in the codec with a higher `schema_version`.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import ClassVar

import msgspec

from registry.ids import ProposalId
from registry.principles.model import Assessment, Principle, PrincipleVerdict, Verdict
from registry.proposal.category import Authority
from registry.terms import Terms


class Decision(enum.StrEnum):
    """What an APEKSI reviewer decides: an association endorsement, not a legal approval."""

    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_REVISION = "request_revision"


class Override(msgspec.Struct, frozen=True, gc=False, kw_only=True):
    """A reviewer's justified decision to approve despite a failing principle."""

    principle: Principle
    justification: str


class Event(msgspec.Struct, frozen=True, gc=False, kw_only=True, tag_field="type", tag=True):
    """Base of every registry event; storage fields live in the envelope, not here."""

    schema_version: ClassVar[int] = 1


class ProposalSubmitted(Event, frozen=True):
    """A region's cooperation desk submitted a proposal; its terms as submitted."""

    proposal_id: ProposalId
    initiator: str
    terms: Terms


class ProposalAssessed(Event, frozen=True):
    """The principle checks judged the terms just submitted or revised, under a named rule set."""

    proposal_id: ProposalId
    ruleset: str
    outcome: Verdict
    principles: tuple[PrincipleVerdict, ...]

    @property
    def assessment(self) -> Assessment:
        """The assessment this event records."""
        return Assessment(ruleset=self.ruleset, outcome=self.outcome, principles=self.principles)


class ProposalRevised(Event, frozen=True):
    """The initiator replaced the whole of the terms after a request for revision."""

    proposal_id: ProposalId
    terms: Terms


class ProposalReviewed(Event, frozen=True):
    """An APEKSI reviewer approved, rejected, or asked for a revision."""

    proposal_id: ProposalId
    decision: Decision
    reviewer: str
    reviewer_region: str | None = None
    comment: str | None = None
    overrides: tuple[Override, ...] = ()


class ProposalWithdrawn(Event, frozen=True):
    """The initiator withdrew the proposal before a decision."""

    proposal_id: ProposalId
    reason: str


class LegalApprovalRecorded(Event, frozen=True):
    """Evidence of a legal approval (DPRD decision, Kemendagri letter, Kemenlu full power)."""

    proposal_id: ProposalId
    authority: Authority
    reference: str
    date: dt.date


class AgreementSigned(Event, frozen=True):
    """The parties signed; the agreement is in force from now on."""

    proposal_id: ProposalId
    signed_on: dt.date
    document_ref: str
    signatories: tuple[str, ...]


class AgreementTerminated(Event, frozen=True):
    """The agreement was ended before its term ran out."""

    proposal_id: ProposalId
    reason: str
    effective_on: dt.date


ProposalEvent = (
    ProposalSubmitted
    | ProposalAssessed
    | ProposalRevised
    | ProposalReviewed
    | ProposalWithdrawn
    | LegalApprovalRecorded
    | AgreementSigned
    | AgreementTerminated
)

EVENT_TYPES: tuple[type[Event], ...] = (
    ProposalSubmitted,
    ProposalAssessed,
    ProposalRevised,
    ProposalReviewed,
    ProposalWithdrawn,
    LegalApprovalRecorded,
    AgreementSigned,
    AgreementTerminated,
)
