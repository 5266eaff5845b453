"""Tidak mengganggu stabilitas politik dan keamanan: no defence, security or foreign policy."""

from __future__ import annotations

import re

from registry.principles.catalog import finding
from registry.principles.model import Case, Finding, Principle, PrincipleVerdict
from registry.principles.ruleset import Ruleset
from registry.reference import Reference

_WORD = re.compile(r"[^\W\d_]+")


def political_stability_security(case: Case, ref: Reference, rules: Ruleset) -> PrincipleVerdict:
    """Fail on a foreign-policy, defence or security field; review a flag word in title or summary.

    The flag words only send a proposal to a person: "keamanan pangan" (food safety) is
    harmless, so `keamanan` and `security` are deliberately not flag words.
    """
    findings: list[Finding] = [
        finding("PS001", field=field)
        for field in case.terms.fields
        if field in rules.instability_fields
    ]
    seen: set[str] = set()
    for where, text in (("title", case.terms.title), ("summary", case.terms.summary)):
        for word in _WORD.findall(text.casefold()):
            if word in rules.flag_words and word not in seen:
                seen.add(word)
                findings.append(finding("PS002", word=word, where=where))
    return PrincipleVerdict.from_findings(Principle.POLITICAL_STABILITY_SECURITY, findings)
