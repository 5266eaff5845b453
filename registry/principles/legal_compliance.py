"""Sesuai dengan peraturan perundang-undangan: lawful object, coherent term, a cited legal basis."""

from __future__ import annotations

from datetime import date

from registry.principles.catalog import finding, listing
from registry.principles.model import Case, Finding, Principle, PrincipleVerdict
from registry.principles.ruleset import Ruleset
from registry.proposal.category import Category
from registry.reference import AffairKind, Reference
from registry.terms import Terms

_FOREIGN = frozenset({Category.KSDPL, Category.KSDLL})


def legal_compliance(case: Case, ref: Reference, rules: Ruleset) -> PrincipleVerdict:
    """Fail on an absolute affair, an end not after the start, or no legal basis; review a long
    term and, with foreign partners, fields outside the Pasal 367 objects."""
    terms = case.terms
    findings: list[Finding] = [
        finding("LC001", field=field)
        for field in terms.fields
        if field in ref.affairs and ref.affairs[field].kind is AffairKind.ABSOLUTE
    ]
    if terms.end_date <= terms.start_date:
        findings.append(finding("LC002", start_date=terms.start_date, end_date=terms.end_date))
    if not any(basis.strip() for basis in terms.legal_basis):
        findings.append(finding("LC003"))
    if _longer_than_allowed(terms, rules.max_term_years):
        findings.append(
            finding(
                "LC004",
                start_date=terms.start_date,
                end_date=terms.end_date,
                max_years=rules.max_term_years,
            )
        )
    if case.category in _FOREIGN and not any(rules.fits_foreign_objects(f) for f in terms.fields):
        findings.append(finding("LC005", fields=listing(terms.fields), category=case.category))
    return PrincipleVerdict.from_findings(Principle.LEGAL_COMPLIANCE, findings)


def _longer_than_allowed(terms: Terms, max_years: int | None) -> bool:
    """A term of N years runs from the start to the day before the N-th anniversary."""
    if max_years is None or terms.end_date <= terms.start_date:
        return False
    return terms.end_date >= anniversary(terms.start_date, max_years)


def anniversary(start: date, years: int) -> date:
    """The same day `years` later; 29 February falls on 1 March in a common year."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return date(start.year + years, 3, 1)
