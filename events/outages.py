"""Tells a database that is away (refused, restarting, dropped the connection) from a bug.

The first is worth a retry a moment later (HTTP 503, the projector's backoff); the second is not.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import asyncpg
from sqlalchemy import exc

# Raised by asyncpg itself, often before SQLAlchemy wraps anything: a refused or lost connection
# (class 08), a server that is starting up or shutting down (57P0x), or one out of connections.
_ASYNCPG_AWAY: tuple[type[BaseException], ...] = (
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.TooManyConnectionsError,
)

# A locked or busy file (after the busy timeout), or one that cannot be opened or read.
_SQLITE_AWAY = ("locked", "busy", "unable to open", "disk I/O error")


def database_unreachable(error: BaseException) -> bool:
    """Whether `error`, or what caused it, says the database cannot be reached right now."""
    return any(_away(link) for link in _chain(error))


def _away(error: BaseException) -> bool:
    if isinstance(error, exc.DBAPIError):
        # The driver's own error, inside, is looked at next: this says only whether SQLAlchemy
        # found the connection dead.
        return error.connection_invalidated
    if isinstance(error, sqlite3.OperationalError):
        # sqlite3 raises OperationalError for a syntax error too: only these are the file's.
        return any(sign in str(error) for sign in _SQLITE_AWAY)
    if isinstance(error, asyncpg.exceptions.InterfaceError):
        return "connection is closed" in str(error)
    # A refused or reset socket, a timed-out connect, and the pool's own checkout timeout.
    return isinstance(error, (OSError, exc.TimeoutError, *_ASYNCPG_AWAY))


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, the driver's error inside SQLAlchemy's, and what caused them.

    Not `__context__`: an error raised while handling an outage is not itself one.
    """
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        inner = current.orig if isinstance(current, exc.DBAPIError) else None
        pending += [e for e in (inner, current.__cause__) if e is not None]
