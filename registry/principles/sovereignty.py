"""Menghormati kedaulatan NKRI: no partner from a state without diplomatic relations."""

from __future__ import annotations

from registry.principles.catalog import finding
from registry.principles.model import Case, Finding, Principle, PrincipleVerdict
from registry.principles.ruleset import Ruleset
from registry.reference import Reference
from registry.terms import INDONESIA


def sovereignty(case: Case, ref: Reference, rules: Ruleset) -> PrincipleVerdict:
    """Fail for a partner in IL or TW; review a disputed entity or a code ISO 3166-1 lacks.

    Permendagri 3/2008 Pasal 4 (carried into PP 28/2018, [S]) requires diplomatic relations with
    the partner's state; the lists are versioned configuration (registry/data/countries.json).
    """
    no_relations = {c.code for c in ref.countries.no_diplomatic_relations}
    for_review = {c.code for c in ref.countries.for_review}
    findings: list[Finding] = []
    for partner in case.terms.partners:
        country = partner.country
        if country == INDONESIA:
            continue
        values = {
            "partner": partner.name,
            "country": country,
            "country_name": ref.country_name(country),
        }
        if country in no_relations:
            findings.append(finding("SOV001", **values))
        elif country in for_review or not ref.is_iso_country(country):
            findings.append(finding("SOV002", **values))
    return PrincipleVerdict.from_findings(Principle.SOVEREIGNTY, findings)
