"""An in-memory event store with the SQL store's semantics, for unit tests and the domain."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime
from typing import Generic, TypeVar

import msgspec

from events.codec import Codec
from events.envelope import (
    AppendResult,
    ExpectedVersion,
    Metadata,
    NewEvent,
    RecordedEvent,
    StreamState,
    Verification,
)
from events.hashing import GENESIS_HASH
from events.planning import BatchPlan, KnownEvent, StoredRow, commit_time, prepare
from events.records import ChainVerifier, to_recorded

E = TypeVar("E", bound=msgspec.Struct)


class InMemoryEventStore(Generic[E]):
    """Keeps rows in a list; the lock makes every append its own serial transaction."""

    def __init__(
        self, codec: Codec[E], *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._codec = codec
        self._clock = clock
        self._rows: list[StoredRow] = []
        self._versions: dict[str, int] = {}
        self._known: dict[uuid.UUID, KnownEvent] = {}
        self._lock = asyncio.Lock()

    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent[E]],
        *,
        expected_version: ExpectedVersion = StreamState.ANY,
        metadata: Metadata | None = None,
    ) -> AppendResult:
        prepared = prepare(self._codec, stream_id, events, expected_version, metadata)
        async with self._lock:
            last = self._rows[-1] if self._rows else None
            plan = BatchPlan(
                head_position=last.position if last else 0,
                head_hash=last.hash if last else GENESIS_HASH,
                recorded_at=commit_time(self._clock(), last.recorded_at if last else None),
                # plan() refuses before it changes anything, so it may update these in place.
                versions=self._versions,
                known=self._known,
            )
            result = plan.plan(prepared)
            self._rows.extend(plan.rows)
            return result

    async def read_stream(
        self,
        stream_id: str,
        *,
        from_version: int = 1,
        to_version: int | None = None,
        until: datetime | None = None,
    ) -> list[RecordedEvent[E]]:
        return [
            to_recorded(self._codec, row)
            for row in self._rows
            if row.stream_id == stream_id
            and row.version >= from_version
            and (to_version is None or row.version <= to_version)
            and (until is None or row.recorded_at <= until)
        ]

    async def read_all(
        self, *, after_position: int = 0, limit: int | None = None
    ) -> AsyncIterator[RecordedEvent[E]]:
        end = len(self._rows) if limit is None else min(len(self._rows), after_position + limit)
        for row in self._rows[max(after_position, 0) : end]:
            yield to_recorded(self._codec, row)

    async def head_position(self) -> int:
        return len(self._rows)

    async def verify(self, from_position: int = 1, to_position: int | None = None) -> Verification:
        start = max(from_position, 1)
        previous = self._rows[start - 2].hash if start > 1 else GENESIS_HASH
        verifier = ChainVerifier(start, previous)
        end = len(self._rows) if to_position is None else to_position
        verifier.feed(self._rows[start - 1 : end])
        head = self._rows[-1].hash if self._rows else GENESIS_HASH
        return verifier.finish(len(self._rows), head, to_position)
