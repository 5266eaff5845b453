"""What the decider may consult besides the state: reference data, rule set, and who is asking."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from registry.principles.ruleset import Ruleset
from registry.reference import Reference


class Role(enum.StrEnum):
    """The roles of API.md; the API enforces them, the decider only reads the actor's region."""

    OFFICIAL = "official"
    REVIEWER = "reviewer"
    AUDITOR = "auditor"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who issues a command: an id (token name), a role, and the region the token is bound to."""

    id: str
    role: Role
    region: str | None = None


@dataclass(frozen=True, slots=True)
class Facts:
    """The decider's inputs besides command and state; all pure values."""

    reference: Reference
    ruleset: Ruleset
    actor: Actor
