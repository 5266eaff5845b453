"""Memberikan manfaat dan saling menguntungkan: every party states a real benefit."""

from __future__ import annotations

from registry.principles.catalog import finding
from registry.principles.model import Case, Finding, Principle, PrincipleVerdict
from registry.principles.parties import parties
from registry.principles.ruleset import Ruleset
from registry.reference import Reference


def mutual_benefit(case: Case, ref: Reference, rules: Ruleset) -> PrincipleVerdict:
    """Fail when a party states no benefit; needs review when a benefit is only a token.

    UU 23/2014 Pasal 363 and PP 28/2018 Pasal 1(1) ground every kerja sama daerah in mutual
    benefit (saling menguntungkan).
    """
    findings: list[Finding] = []
    for party in parties(case, ref):
        stated = [b for b in case.terms.benefits if party.named_in(b.party)]
        if not stated:
            findings.append(finding("MB001", party=party.key, party_name=party.name))
        findings.extend(
            finding(
                "MB002",
                party=party.key,
                party_name=party.name,
                description=b.description.strip(),
                min_chars=rules.token_benefit_min_chars,
            )
            for b in stated
            if len(b.description.strip()) < rules.token_benefit_min_chars
        )
    return PrincipleVerdict.from_findings(Principle.MUTUAL_BENEFIT, findings)
