"""Request bodies of the command routes (API.md), with the limits msgspec enforces at the edge."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from registry.commands import RecordLegalApproval, Review, Revise, Sign, Submit, Terminate, Withdraw
from registry.event_types import Decision, Override
from registry.ids import CountryCode, FieldCode, ProposalId, RegionCode, SdgTargetCode
from registry.principles.model import Principle
from registry.proposal.category import Authority
from registry.terms import PartnerKind, Terms

# `\S`: msgspec searches the pattern, so a value must hold at least one non-space character.
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
Title = Annotated[str, msgspec.Meta(min_length=3, max_length=200, pattern=r"\S")]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=5000, pattern=r"\S")]
Description = Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=r"\S")]
OptionalText = Annotated[str, msgspec.Meta(max_length=5000)] | None


class Body(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of the request bodies: unknown fields are refused, not ignored."""


class PartnerBody(Body, frozen=True):
    name: Name
    kind: PartnerKind
    country: CountryCode
    region_code: RegionCode | None = None


class PartyTextBody(Body, frozen=True):
    party: Name
    description: Description


class DprdApprovalBody(Body, frozen=True):
    reference: Name
    date: dt.date


class ProposalDraft(Body, frozen=True, kw_only=True):
    """The proposal fields of `POST /v1/proposals` and of a revision."""

    title: Title
    summary: Text
    partners: Annotated[tuple[PartnerBody, ...], msgspec.Meta(min_length=1, max_length=20)]
    fields: Annotated[tuple[FieldCode, ...], msgspec.Meta(min_length=1, max_length=32)]
    benefits: Annotated[tuple[PartyTextBody, ...], msgspec.Meta(max_length=50)] = ()
    obligations: Annotated[tuple[PartyTextBody, ...], msgspec.Meta(max_length=50)] = ()
    legal_basis: Annotated[tuple[Name, ...], msgspec.Meta(max_length=20)] = ()
    sdg_targets: Annotated[tuple[SdgTargetCode, ...], msgspec.Meta(max_length=50)] = ()
    start_date: dt.date
    end_date: dt.date
    environmental_safeguards: OptionalText = None
    dprd_approval: DprdApprovalBody | None = None

    def to_terms(self) -> Terms:
        """The terms as the events record them."""
        return msgspec.convert(msgspec.to_builtins(self), Terms)

    def to_submit(self, proposal_id: ProposalId, initiator: str) -> Submit:
        return Submit(proposal_id=proposal_id, initiator=initiator, terms=self.to_terms())

    def to_revise(self, proposal_id: ProposalId) -> Revise:
        return Revise(proposal_id=proposal_id, terms=self.to_terms())


class OverrideBody(Body, frozen=True):
    principle: Principle
    justification: Text


class ReviewBody(Body, frozen=True):
    """`comment` is required to reject or request revision; the decider says so (409)."""

    decision: Decision
    comment: OptionalText = None
    overrides: Annotated[tuple[OverrideBody, ...], msgspec.Meta(max_length=7)] = ()

    def to_command(self, proposal_id: ProposalId) -> Review:
        overrides = tuple(
            Override(principle=o.principle, justification=o.justification) for o in self.overrides
        )
        return Review(
            proposal_id=proposal_id,
            decision=self.decision,
            comment=self.comment,
            overrides=overrides,
        )


class WithdrawalBody(Body, frozen=True):
    reason: Text

    def to_command(self, proposal_id: ProposalId) -> Withdraw:
        return Withdraw(proposal_id=proposal_id, reason=self.reason)


class LegalApprovalBody(Body, frozen=True):
    authority: Authority
    reference: Name
    date: dt.date

    def to_command(self, proposal_id: ProposalId) -> RecordLegalApproval:
        return RecordLegalApproval(
            proposal_id=proposal_id,
            authority=self.authority,
            reference=self.reference,
            date=self.date,
        )


class SigningBody(Body, frozen=True):
    signed_on: dt.date
    document_ref: Name
    signatories: Annotated[tuple[Name, ...], msgspec.Meta(min_length=1, max_length=20)]

    def to_command(self, proposal_id: ProposalId) -> Sign:
        return Sign(
            proposal_id=proposal_id,
            signed_on=self.signed_on,
            document_ref=self.document_ref,
            signatories=self.signatories,
        )


class TerminationBody(Body, frozen=True):
    reason: Text
    effective_on: dt.date

    def to_command(self, proposal_id: ProposalId) -> Terminate:
        return Terminate(
            proposal_id=proposal_id, reason=self.reason, effective_on=self.effective_on
        )


BODY_TYPES: tuple[type[Body], ...] = (
    ProposalDraft,
    ReviewBody,
    WithdrawalBody,
    LegalApprovalBody,
    SigningBody,
    TerminationBody,
)

__all__ = [
    "BODY_TYPES",
    "DprdApprovalBody",
    "LegalApprovalBody",
    "OverrideBody",
    "PartnerBody",
    "PartyTextBody",
    "ProposalDraft",
    "ReviewBody",
    "SigningBody",
    "TerminationBody",
    "WithdrawalBody",
]
