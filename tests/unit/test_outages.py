"""Which failures mean "the database is away, retry shortly"; how the API and projector say so."""

from __future__ import annotations

import sqlite3

import asyncpg
import pytest
from sqlalchemy import exc

from events.errors import CommitOutcomeUnknown
from events.outages import database_unreachable
from projections.projector import MAX_RETRY_SECONDS, backoff
from registry.api.problems import PROBLEMS, database_unavailable


def wrapped(error: BaseException, kind: type[exc.DBAPIError] = exc.DBAPIError) -> exc.DBAPIError:
    """As SQLAlchemy raises a driver's error: the driver's as `orig` and as the cause."""
    try:
        try:
            raise error
        except BaseException as inner:
            raise kind("SELECT 1", None, inner) from inner
    except exc.DBAPIError as outer:
        return outer


def invalidated() -> exc.DBAPIError:
    error = wrapped(ValueError("connection is closed"), exc.InterfaceError)
    error.connection_invalidated = True
    return error


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connect call failed"),
        OSError("Multiple exceptions: [Errno 111] Connect call failed"),
        TimeoutError(),
        exc.TimeoutError("QueuePool limit reached, connection timed out"),
        wrapped(asyncpg.exceptions.CannotConnectNowError("the database system is starting up")),
        wrapped(asyncpg.exceptions.AdminShutdownError("terminating connection")),
        wrapped(asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed")),
        asyncpg.exceptions.InterfaceError(
            "cannot call Connection.fetchval(): connection is closed"
        ),
        invalidated(),
        wrapped(sqlite3.OperationalError("database is locked"), exc.OperationalError),
        wrapped(sqlite3.OperationalError("unable to open database file"), exc.OperationalError),
    ],
    ids=lambda error: type(error).__name__,
)
def test_a_database_that_is_away(error: BaseException) -> None:
    assert database_unreachable(error)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("a bug"),
        KeyError("a bug"),
        wrapped(ValueError("syntax error at or near"), exc.ProgrammingError),
        wrapped(asyncpg.exceptions.UniqueViolationError("duplicate key"), exc.IntegrityError),
        asyncpg.exceptions.InterfaceError("another operation is in progress"),
        wrapped(sqlite3.OperationalError('near "SELEC": syntax error'), exc.OperationalError),
    ],
    ids=lambda error: type(error).__name__,
)
def test_a_bug_is_not_an_outage(error: BaseException) -> None:
    assert not database_unreachable(error)


def handler_bug() -> None:
    try:
        raise ConnectionRefusedError(111, "refused")
    except OSError:
        raise RuntimeError("a bug in the handler")  # noqa: B904 (the context is the point)


def test_an_error_raised_while_handling_an_outage_is_not_one() -> None:
    with pytest.raises(RuntimeError) as raised:
        handler_bug()
    assert raised.value.__context__ is not None
    assert not database_unreachable(raised.value)


def test_the_outage_problems_ask_for_a_retry_later() -> None:
    away = database_unavailable()
    unknown = PROBLEMS[CommitOutcomeUnknown](CommitOutcomeUnknown(["proposal-1"]))
    assert (away.status_code, away.type_) == (503, "/problems/database-unavailable")
    assert (unknown.status_code, unknown.type_) == (503, "/problems/commit-outcome-unknown")
    for problem in (away, unknown):
        assert int((problem.headers or {})["Retry-After"]) > 0


def test_the_projector_backs_off_doubling_up_to_a_cap() -> None:
    pauses = [backoff(failures) for failures in range(1, 10)]
    assert pauses[:4] == [0.1, 0.2, 0.4, 0.8]
    assert pauses == sorted(pauses)
    assert pauses[-1] == MAX_RETRY_SECONDS
    assert backoff(10_000) == MAX_RETRY_SECONDS
