"""The decider: the only place a command on a proposal is accepted or refused."""

from __future__ import annotations

from registry.commands import (
    Command,
    RecordLegalApproval,
    Review,
    Revise,
    Sign,
    Submit,
    Terminate,
    Withdraw,
    command_name,
)
from registry.errors import (
    CommentRequired,
    DateOutOfOrder,
    IllegalTransition,
    MissingLegalApprovals,
    OverrideRequired,
    ReviewerIsParty,
    UnknownProposal,
)
from registry.event_types import (
    AgreementSigned,
    AgreementTerminated,
    Decision,
    Event,
    LegalApprovalRecorded,
    ProposalAssessed,
    ProposalReviewed,
    ProposalRevised,
    ProposalSubmitted,
    ProposalWithdrawn,
)
from registry.facts import Facts
from registry.ids import ProposalId
from registry.principles import assess
from registry.proposal.category import Category, category_of, missing_approvals
from registry.proposal.state import Proposal
from registry.proposal.status import Status, allows
from registry.terms import Terms, party_regions


def decide(command: Command, state: Proposal, facts: Facts) -> list[Event]:
    """The events a command produces from a state, or a typed refusal; pure."""
    name = command_name(command)
    if not allows(state.status, name):
        if state.status is Status.NEW:
            raise UnknownProposal(name)
        raise IllegalTransition(state.status, name)
    match command:
        case Submit(proposal_id=pid, initiator=initiator, terms=terms):
            return [
                ProposalSubmitted(proposal_id=pid, initiator=initiator, terms=terms),
                _assessed(pid, initiator, terms, facts),
            ]
        case Revise(proposal_id=pid, terms=terms):
            return [
                ProposalRevised(proposal_id=pid, terms=terms),
                _assessed(pid, state.initiator, terms, facts),
            ]
        case Review():
            return [_reviewed(command, state, facts)]
        case Withdraw(proposal_id=pid, reason=reason):
            return [ProposalWithdrawn(proposal_id=pid, reason=reason)]
        case RecordLegalApproval(proposal_id=pid, authority=authority, reference=ref, date=day):
            return [
                LegalApprovalRecorded(proposal_id=pid, authority=authority, reference=ref, date=day)
            ]
        case Sign():
            return [_signed(command, state, facts)]
        case Terminate():
            return [_terminated(command, state)]


def _assessed(pid: ProposalId, initiator: str, terms: Terms, facts: Facts) -> ProposalAssessed:
    """Each submission and revision is judged at once (API.md), under the facts' rule set."""
    assessment = assess(initiator, terms, facts.reference, facts.ruleset)
    return ProposalAssessed(
        proposal_id=pid,
        ruleset=assessment.ruleset,
        outcome=assessment.outcome,
        principles=assessment.principles,
    )


def _reviewed(command: Review, state: Proposal, facts: Facts) -> ProposalReviewed:
    """DOMAIN.md: a reviewer never reviews a proposal in which the reviewer's region is a party."""
    region = facts.actor.region
    if region is not None and region in party_regions(state.initiator, _terms(state)):
        raise ReviewerIsParty(region)
    comment = (command.comment or "").strip()
    if command.decision is not Decision.APPROVE and not comment:
        raise CommentRequired(command.decision)
    if command.decision is Decision.APPROVE and state.assessment is not None:
        justified = {o.principle for o in command.overrides if o.justification.strip()}
        unjustified = [p for p in state.assessment.failing() if p not in justified]
        if unjustified:
            raise OverrideRequired(unjustified)
    return ProposalReviewed(
        proposal_id=command.proposal_id,
        decision=command.decision,
        reviewer=facts.actor.id,
        reviewer_region=region,
        comment=command.comment,
        overrides=command.overrides,
    )


def _signed(command: Sign, state: Proposal, facts: Facts) -> AgreementSigned:
    """Signing waits for the approvals the category needs (PP 28/2018; table in the rule set)."""
    terms = _terms(state)
    category = state.category or category_of(terms.partners)
    recorded = [a.authority for a in state.legal_approvals]
    missing = missing_approvals(category, terms, recorded, facts.ruleset.legal_approvals)
    if missing:
        raise MissingLegalApprovals(Category(category), missing)
    if command.signed_on > terms.end_date:
        raise DateOutOfOrder(
            "signed_on", command.signed_on, f"is after the end of the term, {terms.end_date}"
        )
    return AgreementSigned(
        proposal_id=command.proposal_id,
        signed_on=command.signed_on,
        document_ref=command.document_ref,
        signatories=command.signatories,
    )


def _terminated(command: Terminate, state: Proposal) -> AgreementTerminated:
    if state.signing is not None and command.effective_on < state.signing.signed_on:
        raise DateOutOfOrder(
            "effective_on",
            command.effective_on,
            f"is before the agreement was signed, {state.signing.signed_on}",
        )
    return AgreementTerminated(
        proposal_id=command.proposal_id, reason=command.reason, effective_on=command.effective_on
    )


def _terms(state: Proposal) -> Terms:
    """The terms of a proposal past `new`; a state without them is a broken history."""
    if state.terms is None:
        raise ValueError(f"proposal {state.id} at version {state.version} has no terms")
    return state.terms
