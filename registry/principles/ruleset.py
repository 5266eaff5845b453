"""The rule set: versioned parameters of the checks and the legal steps, from package data."""

from __future__ import annotations

import functools
from importlib import resources

import msgspec

from registry.proposal.category import Authority, Category


class Ruleset(msgspec.Struct, frozen=True, kw_only=True):
    """Parameters of the principle checks; `version` is stored with every assessment."""

    version: str
    source: str = ""
    # DOMAIN-SOURCES.md 1.7: no maximum term was found in the law; configuration, default 5.
    max_term_years: int | None = 5
    token_benefit_min_chars: int = 20
    instability_fields: frozenset[str]
    flag_words: frozenset[str]
    environmental_fields: frozenset[str]
    environmental_goals: frozenset[int]
    field_goals: dict[str, frozenset[int]]
    # UU 23/2014 Pasal 367 objects (article number [U]); which urusan fits which object is ours.
    foreign_objects: dict[str, frozenset[str]]
    # PP 28/2018 as mirrored by regional Perda [S]: DPRD and central approval for KSDPL, central
    # approval for KSDLL, Kemenlu for foreign partners. KSDD/KSDPK need a DPRD decision only when
    # they burden the budget, which the proposal states through `dprd_approval`.
    legal_approvals: dict[Category, frozenset[Authority]]

    def goals_of(self, fields: tuple[str, ...]) -> frozenset[int]:
        """The SDG goals the field-to-goals table relates to any of the fields."""
        return frozenset().union(*(self.field_goals.get(f, frozenset()) for f in fields))

    def fits_foreign_objects(self, field: str) -> bool:
        """Whether a field serves one of the objects allowed with foreign partners."""
        return any(field in fields for fields in self.foreign_objects.values())


@functools.cache
def load_ruleset() -> Ruleset:
    """The rule set packaged with this release (registry/data/ruleset.json), read once."""
    raw = resources.files("registry").joinpath("data", "ruleset.json").read_bytes()
    return msgspec.json.decode(raw, type=Ruleset)


def with_max_term_years(ruleset: Ruleset, years: int | None) -> Ruleset:
    """A deployment's maximum term (None: no limit), under a version that says so.

    A changed parameter changes the version (`2026.1+max_term_years=7`), so that a stored
    assessment always names the rules that actually judged it.
    """
    if years == ruleset.max_term_years:
        return ruleset
    return msgspec.structs.replace(
        ruleset, max_term_years=years, version=f"{ruleset.version}+max_term_years={years}"
    )
