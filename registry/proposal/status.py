"""The proposal lifecycle of API.md: its statuses and which command each status allows."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping


class Status(enum.StrEnum):
    """Where a proposal stands; `new` is the state before its first event and is never shown."""

    NEW = "new"
    SUBMITTED = "submitted"
    REVISION_REQUESTED = "revision_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    ACTIVE = "active"
    TERMINATED = "terminated"
    EXPIRED = "expired"


class CommandName(enum.StrEnum):
    """The commands as the lifecycle and its errors name them (a review is named by decision)."""

    SUBMIT = "submit"
    REVISE = "revise"
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_REVISION = "request_revision"
    WITHDRAW = "withdraw"
    RECORD_LEGAL_APPROVAL = "record_legal_approval"
    SIGN = "sign"
    TERMINATE = "terminate"


_C = CommandName

# submitted -> (revision_requested -> submitted)* -> approved | rejected;
# submitted/revision_requested -> withdrawn; approved -> active (signed) -> terminated.
# A revision answers a request for one: a submitted proposal waits for its review unchanged.
ALLOWED: Mapping[Status, frozenset[CommandName]] = {
    Status.NEW: frozenset({_C.SUBMIT}),
    Status.SUBMITTED: frozenset({_C.APPROVE, _C.REJECT, _C.REQUEST_REVISION, _C.WITHDRAW}),
    Status.REVISION_REQUESTED: frozenset({_C.REVISE, _C.WITHDRAW}),
    Status.APPROVED: frozenset({_C.RECORD_LEGAL_APPROVAL, _C.SIGN}),
    Status.ACTIVE: frozenset({_C.TERMINATE}),
    Status.REJECTED: frozenset(),
    Status.WITHDRAWN: frozenset(),
    Status.TERMINATED: frozenset(),
    # Expiry is read from end_date, never stored: the decider sees such an agreement as active.
    Status.EXPIRED: frozenset(),
}

TERMINAL = frozenset({Status.REJECTED, Status.WITHDRAWN, Status.TERMINATED})


def allows(status: Status, command: CommandName) -> bool:
    """Whether the lifecycle allows the command from the status."""
    return command in ALLOWED[status]


def effective_status(status: Status, end_date: dt.date | None, today: dt.date) -> Status:
    """The status as read on a day: an active agreement whose end_date has passed is expired."""
    if status is Status.ACTIVE and end_date is not None and end_date < today:
        return Status.EXPIRED
    return status
