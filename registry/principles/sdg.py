"""Selaras dengan TPB/SDGs, the registry's own criterion: named targets that fit the fields."""

from __future__ import annotations

from registry.principles.catalog import finding, listing
from registry.principles.environment import goal_of
from registry.principles.model import Case, Finding, Principle, PrincipleVerdict
from registry.principles.ruleset import Ruleset
from registry.reference import Reference


def sdg_alignment(case: Case, ref: Reference, rules: Ruleset) -> PrincipleVerdict:
    """Fail without an SDG target; review when no target's goal relates to any field.

    Perpres 111/2022 makes the TPB targets a planning reference for regions; the field-to-goals
    table is the registry's (ruleset.json).
    """
    terms = case.terms
    findings: list[Finding] = []
    if not terms.sdg_targets:
        findings.append(finding("SDG001"))
    else:
        goals = sorted({goal_of(t) for t in terms.sdg_targets})
        if not set(goals) & rules.goals_of(terms.fields):
            findings.append(finding("SDG002", goals=listing(goals), fields=listing(terms.fields)))
    return PrincipleVerdict.from_findings(Principle.SDG_ALIGNMENT, findings)
