"""Read your writes when the projector runs in another process: it announces each checkpoint it
moves with a NOTIFY, and one listening connection per API process wakes every waiter.

Polling the checkpoint instead cost a pooled query every 10 ms for every command in flight,
most of them finding nothing new. A waiter now reads the checkpoint once (what happened before
it listened) and then sleeps until an announcement passes its position. Announcements can be
missed (the listening connection drops, the database restarts), so a waiter that hears nothing
for `RECHECK_SECONDS` reads the checkpoint again.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from events.driver import connect_outside_pool
from projections import checkpoints

CHANNEL = "kerjasama_checkpoints"
RECHECK_SECONDS = 0.25
POLL_SECONDS = 0.01


def announcement(moved: Iterable[tuple[str, int]]) -> str:
    """The NOTIFY payload for checkpoints moved by one batch: `name=position,...`."""
    return ",".join(f"{name}={position}" for name, position in moved)


def parse_announcement(payload: str) -> dict[str, int]:
    """The positions a payload announces; anything malformed announces nothing."""
    positions: dict[str, int] = {}
    for part in payload.split(","):
        name, _, position = part.partition("=")
        if name and position.isdigit():
            positions[name] = int(position)
    return positions


class CheckpointWatch:
    """Waits for checkpoints that another process moves; on SQLite, by polling."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine  # its own connection for LISTEN, outside the pool
        self._reader = (
            engine.execution_options(isolation_level="AUTOCOMMIT")
            if engine.dialect.name == "postgresql"
            else engine
        )
        self._listens = engine.dialect.name == "postgresql"
        self._listener: Any = None
        self._connecting = asyncio.Lock()
        self._positions: dict[str, int] = {}
        # The projections whose checkpoint was read after the current listener began listening.
        self._read_while_listening: set[str] = set()
        # Set, and replaced by a fresh one, whenever an announcement arrives.
        self._moved = asyncio.Event()

    async def wait_for(self, position: int, within: float, projection: str) -> bool:
        """True once `projection`'s checkpoint has reached `position`, False after `within`."""
        deadline = time.monotonic() + within
        if self._reached(projection, position):
            return True
        listening = await self._listen()
        pause = RECHECK_SECONDS if listening else POLL_SECONDS
        # Once a checkpoint has been read on the open listener, every later move is announced:
        # a waiter then needs no query of its own unless the announcements fall silent.
        read_now = not (listening and projection in self._read_while_listening)
        while True:
            if read_now and await self._read(projection) >= position:
                return True
            read_now = True
            recheck_at = min(time.monotonic() + pause, deadline)
            while (left := recheck_at - time.monotonic()) > 0:
                moved = self._moved  # taken before the check, so no announcement slips between
                if self._reached(projection, position):
                    return True
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(moved.wait(), left)
            if self._reached(projection, position):
                return True
            if time.monotonic() >= deadline:
                return await self._read(projection) >= position

    async def close(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None and not listener.is_closed():
            await listener.close()

    async def _read(self, projection: str) -> int:
        listener = self._listener
        async with self._reader.connect() as conn:
            stored = await checkpoints.read(conn, projection)
        self._learn({projection: stored})
        if listener is not None and listener is self._listener and not listener.is_closed():
            self._read_while_listening.add(projection)
        return stored

    async def _listen(self) -> bool:
        """Whether a listening connection is open; opened on first use and after a loss."""
        if not self._listens:
            return False
        if self._listener is not None and not self._listener.is_closed():
            return True
        async with self._connecting:
            if self._listener is None or self._listener.is_closed():
                try:
                    listener = await connect_outside_pool(self._engine)
                    await listener.add_listener(CHANNEL, self._heard)
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                    return False  # the database is away: the waiter polls, and fails as before
                self._listener = listener
                self._read_while_listening = set()
        return True

    def _heard(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        self._learn(parse_announcement(payload))
        moved, self._moved = self._moved, asyncio.Event()
        moved.set()

    def _reached(self, projection: str, position: int) -> bool:
        return self._positions.get(projection, 0) >= position

    def _learn(self, positions: dict[str, int]) -> None:
        for name, position in positions.items():
            if position > self._positions.get(name, 0):
                self._positions[name] = position
