"""The category of a cooperation (PP 28/2018) and the legal approvals it needs before signing."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

from registry.terms import Partner, PartnerKind, Terms


class Category(enum.StrEnum):
    """PP 28/2018 Pasal 1: with a region, a third party, a foreign government, a foreign body."""

    KSDD = "KSDD"
    KSDPK = "KSDPK"
    KSDPL = "KSDPL"
    KSDLL = "KSDLL"


class Authority(enum.StrEnum):
    """Who grants the legal approvals the registry records as evidence (APEKSI grants none)."""

    DPRD = "dprd"
    KEMENDAGRI = "kemendagri"
    KEMENLU = "kemenlu"


_CATEGORY_OF_KIND: Mapping[PartnerKind, Category] = {
    PartnerKind.CITY: Category.KSDD,
    PartnerKind.REGENCY: Category.KSDD,
    PartnerKind.PROVINCE: Category.KSDD,
    PartnerKind.THIRD_PARTY: Category.KSDPK,
    PartnerKind.FOREIGN_LOCAL_GOVERNMENT: Category.KSDPL,
    PartnerKind.FOREIGN_INSTITUTION: Category.KSDLL,
}

# DOMAIN.md: a proposal with partners of several kinds takes the most demanding category.
_PRECEDENCE = (Category.KSDPL, Category.KSDLL, Category.KSDPK, Category.KSDD)


def category_of(partners: Iterable[Partner]) -> Category:
    """The most demanding category among the partners (KSDPL > KSDLL > KSDPK > KSDD)."""
    # Plain loops: every submission and revision of a rebuild passes here, and a generator
    # with `next` cost several times the lookups themselves.
    present = {_CATEGORY_OF_KIND[p.kind] for p in partners}
    for category in _PRECEDENCE:
        if category in present:
            return category
    return Category.KSDD


def required_approvals(
    category: Category, table: Mapping[Category, frozenset[Authority]]
) -> frozenset[Authority]:
    """The approvals the rule set's table asks of a category before signing."""
    return table.get(category, frozenset())


def missing_approvals(
    category: Category,
    terms: Terms,
    recorded: Iterable[Authority],
    table: Mapping[Category, frozenset[Authority]],
) -> frozenset[Authority]:
    """Required approvals not yet evidenced; a DPRD decision in the terms counts as the DPRD's."""
    evidenced = set(recorded)
    if terms.dprd_approval is not None:
        evidenced.add(Authority.DPRD)
    return required_approvals(category, table) - evidenced
