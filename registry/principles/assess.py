"""The assessment: every principle check, in DOMAIN.md's order, and their combined outcome."""

from __future__ import annotations

from collections.abc import Callable

from registry.principles.environment import environmental_sustainability
from registry.principles.equality import equality_of_standing
from registry.principles.legal_compliance import legal_compliance
from registry.principles.model import Assessment, Case, Principle, PrincipleVerdict, worst
from registry.principles.mutual_benefit import mutual_benefit
from registry.principles.ruleset import Ruleset
from registry.principles.sdg import sdg_alignment
from registry.principles.sovereignty import sovereignty
from registry.principles.stability import political_stability_security
from registry.proposal.category import category_of
from registry.reference import Reference
from registry.terms import Terms

Check = Callable[[Case, Reference, Ruleset], PrincipleVerdict]

CHECKS: dict[Principle, Check] = {
    Principle.MUTUAL_BENEFIT: mutual_benefit,
    Principle.LEGAL_COMPLIANCE: legal_compliance,
    Principle.EQUALITY_OF_STANDING: equality_of_standing,
    Principle.POLITICAL_STABILITY_SECURITY: political_stability_security,
    Principle.SOVEREIGNTY: sovereignty,
    Principle.ENVIRONMENTAL_SUSTAINABILITY: environmental_sustainability,
    Principle.SDG_ALIGNMENT: sdg_alignment,
}


def assess(initiator: str, terms: Terms, reference: Reference, ruleset: Ruleset) -> Assessment:
    """Judge a proposal against all seven principles under one rule set; pure and total."""
    case = Case(initiator=initiator, terms=terms, category=category_of(terms.partners))
    verdicts = tuple(CHECKS[principle](case, reference, ruleset) for principle in Principle)
    return Assessment(
        ruleset=ruleset.version,
        outcome=worst([v.verdict for v in verdicts]),
        principles=verdicts,
    )
