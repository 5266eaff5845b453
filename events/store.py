"""The event store's contract, shared by the SQL store and the in-memory one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from events.envelope import (
    AppendResult,
    ExpectedVersion,
    Metadata,
    NewEvent,
    RecordedEvent,
    StreamState,
    Verification,
)

E = TypeVar("E")


class EventStore(Protocol[E]):
    """Append-only streams of events in one global, gap-free, hash-chained order."""

    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent[E]],
        *,
        expected_version: ExpectedVersion = StreamState.ANY,
        metadata: Metadata | None = None,
    ) -> AppendResult:
        """Append atomically after checking the stream's version; raise VersionConflict if stale."""
        ...

    async def read_stream(
        self,
        stream_id: str,
        *,
        from_version: int = 1,
        to_version: int | None = None,
        until: datetime | None = None,
    ) -> list[RecordedEvent[E]]:
        """The stream's events in version order, optionally bounded by version and record time."""
        ...

    def read_all(
        self, *, after_position: int = 0, limit: int | None = None
    ) -> AsyncIterator[RecordedEvent[E]]:
        """Every event after a position in global order, fetched in pages as it is consumed."""
        ...

    async def head_position(self) -> int:
        """The position of the newest event (0 for an empty log)."""
        ...

    async def verify(self, from_position: int = 1, to_position: int | None = None) -> Verification:
        """Recompute the hash chain and report the first position that does not match."""
        ...
