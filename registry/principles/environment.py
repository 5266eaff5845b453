"""Keberlanjutan lingkungan (registry criterion): safeguards where the environment is touched."""

from __future__ import annotations

from registry.principles.catalog import finding, listing
from registry.principles.model import Case, Principle, PrincipleVerdict
from registry.principles.ruleset import Ruleset
from registry.reference import Reference


def goal_of(target: str) -> int:
    """The goal number of a target code (`11.6` -> 11)."""
    return int(target.split(".", 1)[0])


def environmental_sustainability(case: Case, ref: Reference, rules: Ruleset) -> PrincipleVerdict:
    """Review when an environmental field or SDG goal is named and no safeguard is stated.

    Not a legal principle (DOMAIN-SOURCES.md 1.3), so it never fails: it asks a person to look.
    """
    terms = case.terms
    fields = [f for f in terms.fields if f in rules.environmental_fields]
    goals = sorted({goal_of(t) for t in terms.sdg_targets} & rules.environmental_goals)
    safeguarded = bool(terms.environmental_safeguards and terms.environmental_safeguards.strip())
    findings = []
    if (fields or goals) and not safeguarded:
        findings.append(finding("ENV001", fields=listing(fields), goals=listing(goals)))
    return PrincipleVerdict.from_findings(Principle.ENVIRONMENTAL_SUSTAINABILITY, findings)
