"""The parties of a case as the checks see them: the initiator first, then each partner."""

from __future__ import annotations

from dataclasses import dataclass

from registry.principles.model import Case
from registry.reference import Reference, Region


@dataclass(frozen=True, slots=True)
class Party:
    """A party, the names that refer to it in benefits and obligations, and its region if any."""

    key: str
    name: str
    keys: frozenset[str]
    region: Region | None

    def named_in(self, party: str) -> bool:
        """Whether a benefit's or obligation's `party` refers to this party."""
        return party in self.keys


def parties(case: Case, ref: Reference) -> list[Party]:
    """The initiator (keyed by region code) followed by the partners (region code or name)."""
    initiator = ref.regions.get(case.initiator)
    found = [
        Party(
            key=case.initiator,
            name=initiator.name if initiator is not None else case.initiator,
            keys=frozenset({case.initiator}),
            region=initiator,
        )
    ]
    for partner in case.terms.partners:
        code = partner.region_code
        found.append(
            Party(
                key=code or partner.name,
                name=partner.name,
                keys=partner.party_keys,
                region=ref.regions.get(code) if code is not None else None,
            )
        )
    return found
