"""Typed refusals of the domain; each says what was asked, from where, and what is missing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from registry.proposal.category import Authority, Category
from registry.proposal.status import CommandName, Status


class DomainError(Exception):
    """Base of every refusal the domain makes on purpose."""


class IllegalTransition(DomainError):
    """The lifecycle does not allow the command from the proposal's status (409)."""

    def __init__(self, status: Status, command: CommandName, message: str | None = None) -> None:
        self.status = status
        self.command = command
        super().__init__(message or f"a proposal that is {status} does not allow {command}")


class UnknownProposal(IllegalTransition):
    """A command other than submit for a proposal that has no event yet (404)."""

    def __init__(self, command: CommandName) -> None:
        super().__init__(Status.NEW, command, f"there is no proposal to {command}")


class MissingLegalApprovals(DomainError):
    """Signing before the approvals the category needs are recorded (409)."""

    def __init__(self, category: Category, missing: Iterable[Authority]) -> None:
        self.category = category
        self.missing = tuple(sorted(missing))
        names = ", ".join(self.missing)
        super().__init__(f"a {category} agreement cannot be signed before approval by {names}")


class OverrideRequired(DomainError):
    """Approving a failing proposal without a justified override for each failing principle."""

    def __init__(self, principles: Iterable[str]) -> None:
        self.principles = tuple(principles)
        names = ", ".join(self.principles)
        super().__init__(f"approval needs a justified override of the failing principles: {names}")


class CommentRequired(DomainError):
    """Rejecting or requesting revision without saying why."""

    def __init__(self, decision: str) -> None:
        self.decision = decision
        super().__init__(f"a comment is required to {decision}")


class ReviewerIsParty(DomainError):
    """A reviewer whose own region is a party to the proposal (403)."""

    def __init__(self, region: str) -> None:
        self.region = region
        super().__init__(f"the reviewer's region {region} is a party to this proposal")


class DateOutOfOrder(DomainError):
    """A date of a command contradicts a date already recorded (409)."""

    def __init__(self, field: str, value: dt.date, rule: str) -> None:
        self.field = field
        self.value = value
        self.rule = rule
        super().__init__(f"{field} {value.isoformat()} {rule}")


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem of a request body, at a path such as `partners[0].country`."""

    field: str
    message: str


class ValidationFailed(DomainError):
    """The body is well-formed JSON but not a valid command (422, with every field error)."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(f"{e.field or '$'}: {e.message}" for e in self.errors))


class MalformedBody(DomainError):
    """The body is not JSON at all (400)."""
