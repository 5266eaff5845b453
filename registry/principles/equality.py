"""Persamaan kedudukan: every party can sign for itself and carries part of the obligations."""

from __future__ import annotations

from registry.principles.catalog import finding
from registry.principles.model import Case, Finding, Principle, PrincipleVerdict
from registry.principles.parties import parties
from registry.principles.ruleset import Ruleset
from registry.reference import Reference


def equality_of_standing(case: Case, ref: Reference, rules: Ruleset) -> PrincipleVerdict:
    """Fail when a party is one of DKI Jakarta's administrative units; review one-sided terms.

    The kota/kabupaten administrasi of DKI Jakarta are not daerah otonom and have no DPRD, so
    they cannot be a party to kerja sama daerah (DOMAIN-SOURCES.md 4.1).
    """
    findings: list[Finding] = []
    for party in parties(case, ref):
        if party.region is not None and party.region.administrative:
            findings.append(
                finding(
                    "EQ001",
                    party=party.key,
                    name=party.region.name,
                    province=party.region.province_code or "31",
                )
            )
        obliged = any(
            party.named_in(o.party) and o.description.strip() for o in case.terms.obligations
        )
        if not obliged:
            findings.append(finding("EQ002", party=party.key, party_name=party.name))
    return PrincipleVerdict.from_findings(Principle.EQUALITY_OF_STANDING, findings)
