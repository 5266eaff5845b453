"""Leadership per projection: a PostgreSQL advisory lock, and the LISTEN that wakes the projector.

Both live on one dedicated connection outside the pool: the locks are session locks, so they
are released the moment this process or its connection dies, and another projector takes over.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from events.driver import connect_outside_pool

log = structlog.get_logger(__name__)

CHANNEL = "kerjasama_events"


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory lock key per projection name."""
    digest = hashlib.sha256(f"kerjasama/projection/{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class Locks(Protocol):
    async def acquire(self, name: str) -> bool:
        """Whether this process holds (now or already) the right to apply the projection."""
        ...


class _Everyone:
    """SQLite: one writer at a time anyway; the checkpoint row lock keeps batches exact."""

    async def acquire(self, name: str) -> bool:
        return True


class _Advisory:
    def __init__(self, engine: AsyncEngine, wake: asyncio.Event) -> None:
        self.engine = engine
        self.wake = wake
        self.connection: Any = None
        self.held: set[str] = set()

    def _woken(self, *_: object) -> None:
        self.wake.set()

    async def connect(self) -> None:
        # A lost connection took its session locks with it: none is held any more.
        self.held.clear()
        self.connection = await connect_outside_pool(self.engine)
        await self.connection.add_listener(CHANNEL, self._woken)

    async def close(self) -> None:
        if self.connection is not None and not self.connection.is_closed():
            await self.connection.close()

    async def acquire(self, name: str) -> bool:
        if self.connection is None or self.connection.is_closed():
            await self.connect()
        if name in self.held:
            return True
        if await self.connection.fetchval("SELECT pg_try_advisory_lock($1)", lock_key(name)):
            self.held.add(name)
            log.info("projection_lock_acquired", projection=name)
            # Events appended while we waited for the lock sent no NOTIFY we heard.
            self.wake.set()
        return name in self.held


@asynccontextmanager
async def open_locks(engine: AsyncEngine, wake: asyncio.Event) -> AsyncIterator[Locks]:
    if engine.dialect.name != "postgresql":
        yield _Everyone()
        return
    # Connected at the first `acquire`, and again after the connection is lost: the projector
    # retries a failed cycle, so a database that is away at start-up is no reason to stop.
    locks = _Advisory(engine, wake)
    try:
        yield locks
    finally:
        await locks.close()
