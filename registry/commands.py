"""Commands: what a caller asks of a proposal, already parsed and validated at the edge."""

from __future__ import annotations

import datetime as dt

import msgspec

from registry.event_types import Decision, Override
from registry.ids import ProposalId
from registry.proposal.category import Authority
from registry.proposal.status import CommandName
from registry.terms import Terms


class Submit(msgspec.Struct, frozen=True, kw_only=True):
    """Submit new terms as the initiating region (the API takes it from the token)."""

    proposal_id: ProposalId
    initiator: str
    terms: Terms


class Revise(msgspec.Struct, frozen=True, kw_only=True):
    """Replace the whole of the terms after a request for revision."""

    proposal_id: ProposalId
    terms: Terms


class Review(msgspec.Struct, frozen=True, kw_only=True):
    """An APEKSI reviewer's decision; who reviews comes from the facts' actor."""

    proposal_id: ProposalId
    decision: Decision
    comment: str | None = None
    overrides: tuple[Override, ...] = ()


class Withdraw(msgspec.Struct, frozen=True, kw_only=True):
    """Withdraw a proposal that is still waiting for a decision."""

    proposal_id: ProposalId
    reason: str


class RecordLegalApproval(msgspec.Struct, frozen=True, kw_only=True):
    """Record the evidence of a DPRD, Kemendagri or Kemenlu approval."""

    proposal_id: ProposalId
    authority: Authority
    reference: str
    date: dt.date


class Sign(msgspec.Struct, frozen=True, kw_only=True):
    """Record the signing of the agreement."""

    proposal_id: ProposalId
    signed_on: dt.date
    document_ref: str
    signatories: tuple[str, ...]


class Terminate(msgspec.Struct, frozen=True, kw_only=True):
    """End an active agreement before its term runs out."""

    proposal_id: ProposalId
    reason: str
    effective_on: dt.date


Command = Submit | Revise | Review | Withdraw | RecordLegalApproval | Sign | Terminate

_NAMES: dict[type, CommandName] = {
    Submit: CommandName.SUBMIT,
    Revise: CommandName.REVISE,
    Withdraw: CommandName.WITHDRAW,
    RecordLegalApproval: CommandName.RECORD_LEGAL_APPROVAL,
    Sign: CommandName.SIGN,
    Terminate: CommandName.TERMINATE,
}


def command_name(command: Command) -> CommandName:
    """The lifecycle's name of a command; a review is named by its decision."""
    if isinstance(command, Review):
        return CommandName(command.decision.value)
    return _NAMES[type(command)]
