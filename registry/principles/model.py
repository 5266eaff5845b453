"""Verdicts, findings and assessments: the values the principle checks produce and events keep."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import msgspec

from registry.proposal.category import Category
from registry.terms import Terms


class Verdict(enum.StrEnum):
    """The judgement on one principle, and the outcome of the whole assessment."""

    PASS = "pass"
    NEEDS_REVIEW = "needs_review"
    FAIL = "fail"


_SEVERITY = {Verdict.PASS: 0, Verdict.NEEDS_REVIEW: 1, Verdict.FAIL: 2}


def worst(verdicts: list[Verdict]) -> Verdict:
    """Fail if any fails, else needs_review if any needs review, else pass."""
    return max(verdicts, key=_SEVERITY.__getitem__, default=Verdict.PASS)


class Principle(enum.StrEnum):
    """The seven principles, in DOMAIN.md's order; the names are part of the API."""

    MUTUAL_BENEFIT = "mutual_benefit"
    LEGAL_COMPLIANCE = "legal_compliance"
    EQUALITY_OF_STANDING = "equality_of_standing"
    POLITICAL_STABILITY_SECURITY = "political_stability_security"
    SOVEREIGNTY = "sovereignty"
    ENVIRONMENTAL_SUSTAINABILITY = "environmental_sustainability"
    SDG_ALIGNMENT = "sdg_alignment"


PRINCIPLE_TITLES: dict[Principle, tuple[str, str]] = {
    Principle.MUTUAL_BENEFIT: ("Mutual benefit", "Memberikan manfaat dan saling menguntungkan"),
    Principle.LEGAL_COMPLIANCE: ("Legal compliance", "Sesuai dengan peraturan perundang-undangan"),
    Principle.EQUALITY_OF_STANDING: ("Equality of standing", "Persamaan kedudukan"),
    Principle.POLITICAL_STABILITY_SECURITY: (
        "No disturbance of political stability and security",
        "Tidak mengganggu stabilitas politik dan keamanan",
    ),
    Principle.SOVEREIGNTY: ("Respect for the sovereignty of NKRI", "Menghormati kedaulatan NKRI"),
    Principle.ENVIRONMENTAL_SUSTAINABILITY: (
        "Environmental sustainability (registry criterion)",
        "Keberlanjutan lingkungan (kriteria registri)",
    ),
    Principle.SDG_ALIGNMENT: (
        "Alignment with the SDGs (registry criterion)",
        "Selaras dengan Tujuan Pembangunan Berkelanjutan (kriteria registri)",
    ),
}


class Finding(msgspec.Struct, frozen=True, gc=False, kw_only=True):
    """One reason for a verdict: a stable code, a message in English and Indonesian, the values."""

    code: str
    severity: Verdict
    message_en: str
    message_id: str
    values: dict[str, str] = msgspec.field(default_factory=dict)


class PrincipleVerdict(msgspec.Struct, frozen=True, gc=False, kw_only=True):
    """The verdict on one principle with the findings behind it (none when it passes)."""

    principle: Principle
    verdict: Verdict
    findings: tuple[Finding, ...] = ()

    @classmethod
    def from_findings(cls, principle: Principle, findings: list[Finding]) -> PrincipleVerdict:
        """The verdict the most severe finding calls for; no finding is a pass."""
        return cls(
            principle=principle,
            verdict=worst([f.severity for f in findings]),
            findings=tuple(findings),
        )


class Assessment(msgspec.Struct, frozen=True, gc=False, kw_only=True):
    """All seven verdicts, their outcome, and the version of the rule set that produced them."""

    ruleset: str
    outcome: Verdict
    principles: tuple[PrincipleVerdict, ...]

    def __getitem__(self, principle: str) -> PrincipleVerdict:
        return next(p for p in self.principles if p.principle == principle)

    def failing(self) -> tuple[Principle, ...]:
        """The principles that fail, in DOMAIN.md's order."""
        return tuple(p.principle for p in self.principles if p.verdict is Verdict.FAIL)


@dataclass(frozen=True, slots=True)
class Case:
    """What the checks judge: the initiating region, the terms and the category they imply."""

    initiator: str
    terms: Terms
    category: Category
