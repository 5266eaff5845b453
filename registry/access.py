"""Who may do what: the roles table of API.md, enforced in this one place and nowhere else."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from registry.facts import Actor, Role
from registry.proposal.state import Proposal


class Action(enum.StrEnum):
    SUBMIT = "submit"
    REVISE = "revise"
    REVIEW = "review"
    WITHDRAW = "withdraw"
    RECORD_LEGAL_APPROVAL = "record_legal_approval"
    SIGN = "sign"
    TERMINATE = "terminate"
    READ = "read"
    READ_LOG = "read_log"
    AUDIT = "audit"


@dataclass(frozen=True, slots=True)
class Principal:
    """The bearer of a valid token: never the token itself, only what it stands for."""

    token_id: str
    name: str
    role: Role
    region: str | None = None

    def actor(self) -> Actor:
        return Actor(id=self.token_id, role=self.role, region=self.region)


@dataclass(frozen=True, slots=True)
class Parties:
    """The regions a proposal binds: its initiator and its domestic partners."""

    initiator: str
    regions: frozenset[str]


def parties_of(state: Proposal) -> Parties | None:
    """The regions bound by a proposal; None before it exists."""
    if state.terms is None:
        return None
    partners = {p.region_code for p in state.terms.partners if p.region_code is not None}
    return Parties(initiator=state.initiator, regions=frozenset({state.initiator, *partners}))


class Forbidden(Exception):
    """A valid token whose role or region does not allow the action (403)."""

    def __init__(self, action: Action, reason: str) -> None:
        self.action = action
        self.reason = reason
        super().__init__(f"{action}: {reason}")


Rule = Callable[[Principal, Parties | None], str | None]
"""Returns why the principal may not act, or None when it may."""


def _roles(*roles: Role) -> Rule:
    names = " or ".join(role.value for role in roles)

    def rule(principal: Principal, _parties: Parties | None) -> str | None:
        return None if principal.role in roles else f"only {names} may do this"

    return rule


def _initiating_official(principal: Principal, parties: Parties | None) -> str | None:
    if principal.role is not Role.OFFICIAL:
        return "only an official of the initiating region may do this"
    if parties is None or principal.region != parties.initiator:
        return f"the token's region {principal.region} is not this proposal's initiator"
    return None


def _submitting_official(principal: Principal, _parties: Parties | None) -> str | None:
    if principal.role is not Role.OFFICIAL or principal.region is None:
        return "only an official bound to a region may submit proposals"
    return None


def _official_or_admin(principal: Principal, parties: Parties | None) -> str | None:
    return None if principal.role is Role.ADMIN else _initiating_official(principal, parties)


def _independent_reviewer(principal: Principal, parties: Parties | None) -> str | None:
    if principal.role is not Role.REVIEWER:
        return "only a reviewer may review proposals"
    # APEKSI practice: a reviewer never judges a proposal its own region is party to.
    if parties is not None and principal.region in parties.regions:
        return f"the reviewer's region {principal.region} is a party to this proposal"
    return None


RULES: dict[Action, Rule] = {
    Action.SUBMIT: _submitting_official,
    Action.REVISE: _initiating_official,
    Action.WITHDRAW: _initiating_official,
    Action.RECORD_LEGAL_APPROVAL: _initiating_official,
    Action.SIGN: _initiating_official,
    Action.TERMINATE: _official_or_admin,
    Action.REVIEW: _independent_reviewer,
    Action.READ: _roles(*Role),
    Action.READ_LOG: _roles(Role.AUDITOR, Role.ADMIN),
    Action.AUDIT: _roles(Role.AUDITOR, Role.ADMIN),
}


def authorize(principal: Principal, action: Action, parties: Parties | None = None) -> None:
    """Raise Forbidden unless the roles table lets the principal take the action."""
    reason = RULES[action](principal, parties)
    if reason is not None:
        raise Forbidden(action, reason)
