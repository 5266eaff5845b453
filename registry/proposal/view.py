"""The Proposal of API.md, built from folded state: one shape for live reads and time travel."""

from __future__ import annotations

import datetime as dt

import msgspec

from registry.ids import ProposalId
from registry.principles.model import Assessment
from registry.principles.ruleset import Ruleset
from registry.proposal.category import Authority, Category, missing_approvals, required_approvals
from registry.proposal.state import LegalApproval, Proposal, ReviewRecord, Signing, Termination
from registry.proposal.status import Status, effective_status
from registry.reference import Reference
from registry.terms import DprdApproval, Partner, PartyText


class Initiator(msgspec.Struct, frozen=True, kw_only=True):
    """The initiating region, by Kemendagri code and name."""

    region_code: str
    name: str


class ProposalView(msgspec.Struct, frozen=True, kw_only=True):
    """A proposal as every proposal route returns it (field names fixed by API.md)."""

    id: ProposalId
    version: int
    status: Status
    category: Category
    title: str
    summary: str
    initiator: Initiator
    partners: tuple[Partner, ...]
    fields: tuple[str, ...]
    benefits: tuple[PartyText, ...]
    obligations: tuple[PartyText, ...]
    legal_basis: tuple[str, ...]
    sdg_targets: tuple[str, ...]
    start_date: dt.date
    end_date: dt.date
    environmental_safeguards: str | None
    dprd_approval: DprdApproval | None
    assessment: Assessment | None
    reviews: tuple[ReviewRecord, ...]
    legal_approvals: tuple[LegalApproval, ...]
    required_legal_approvals: tuple[Authority, ...]
    missing_legal_approvals: tuple[Authority, ...]
    signing: Signing | None
    termination: Termination | None
    withdrawal_reason: str | None
    submitted_at: dt.datetime
    updated_at: dt.datetime


def proposal_view(
    state: Proposal, reference: Reference, ruleset: Ruleset, *, today: dt.date | None = None
) -> ProposalView:
    """The API's Proposal; with `today`, an active agreement past its end_date reads `expired`."""
    terms, pid = state.terms, state.id
    if terms is None or pid is None or state.category is None or state.submitted_at is None:
        raise ValueError("a proposal without events has no view")
    table = ruleset.legal_approvals
    recorded = [a.authority for a in state.legal_approvals]
    status = (
        state.status if today is None else effective_status(state.status, terms.end_date, today)
    )
    return ProposalView(
        id=pid,
        version=state.version,
        status=status,
        category=state.category,
        title=terms.title,
        summary=terms.summary,
        initiator=Initiator(
            region_code=state.initiator,
            name=reference.region_name(state.initiator) or state.initiator,
        ),
        partners=terms.partners,
        fields=terms.fields,
        benefits=terms.benefits,
        obligations=terms.obligations,
        legal_basis=terms.legal_basis,
        sdg_targets=terms.sdg_targets,
        start_date=terms.start_date,
        end_date=terms.end_date,
        environmental_safeguards=terms.environmental_safeguards,
        dprd_approval=terms.dprd_approval,
        assessment=state.assessment,
        reviews=state.reviews,
        legal_approvals=state.legal_approvals,
        required_legal_approvals=tuple(sorted(required_approvals(state.category, table))),
        missing_legal_approvals=tuple(
            sorted(missing_approvals(state.category, terms, recorded, table))
        ),
        signing=state.signing,
        termination=state.termination,
        withdrawal_reason=state.withdrawal_reason,
        submitted_at=state.submitted_at,
        updated_at=state.updated_at or state.submitted_at,
    )
