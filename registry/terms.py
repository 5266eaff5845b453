"""The text of a proposal as the registry records it: partners, fields, benefits, dates."""

from __future__ import annotations

import datetime as dt
import enum

import msgspec


class PartnerKind(enum.StrEnum):
    """Who the partner is; the category of the cooperation follows from it (PP 28/2018)."""

    CITY = "city"
    REGENCY = "regency"
    PROVINCE = "province"
    THIRD_PARTY = "third_party"
    FOREIGN_LOCAL_GOVERNMENT = "foreign_local_government"
    FOREIGN_INSTITUTION = "foreign_institution"


REGION_KINDS = frozenset({PartnerKind.CITY, PartnerKind.REGENCY, PartnerKind.PROVINCE})
FOREIGN_KINDS = frozenset({PartnerKind.FOREIGN_LOCAL_GOVERNMENT, PartnerKind.FOREIGN_INSTITUTION})
INDONESIA = "ID"


class Partner(msgspec.Struct, frozen=True, gc=False, kw_only=True):
    """A party to the cooperation other than the initiator."""

    name: str
    kind: PartnerKind
    country: str
    region_code: str | None = None

    @property
    def party_keys(self) -> frozenset[str]:
        """The names a benefit or obligation may use for this partner: its name or region code."""
        keys = {self.name}
        if self.region_code is not None:
            keys.add(self.region_code)
        return frozenset(keys)


class PartyText(msgspec.Struct, frozen=True, gc=False, kw_only=True):
    """A benefit or an obligation of one party (`party` is a region code or a partner name)."""

    party: str
    description: str


class DprdApproval(msgspec.Struct, frozen=True, gc=False, kw_only=True):
    """A decision of the regional council (DPRD) approving the cooperation."""

    reference: str
    date: dt.date


class Terms(msgspec.Struct, frozen=True, gc=False, kw_only=True):
    """Everything a proposal says; a revision replaces the whole of it."""

    title: str
    summary: str
    partners: tuple[Partner, ...]
    fields: tuple[str, ...]
    benefits: tuple[PartyText, ...] = ()
    obligations: tuple[PartyText, ...] = ()
    legal_basis: tuple[str, ...] = ()
    sdg_targets: tuple[str, ...] = ()
    start_date: dt.date
    end_date: dt.date
    environmental_safeguards: str | None = None
    dprd_approval: DprdApproval | None = None


def is_party(terms: Terms, initiator: str, party: str) -> bool:
    """Whether `party` names the initiator (by region code) or one of the partners."""
    return party == initiator or any(party in p.party_keys for p in terms.partners)


def party_regions(initiator: str, terms: Terms) -> frozenset[str]:
    """The region codes of every Indonesian region that is a party, the initiator included."""
    codes = {p.region_code for p in terms.partners if p.region_code is not None}
    return frozenset({initiator, *codes})
