"""Response shapes of the routes that are not a Proposal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from events.envelope import Metadata, RecordedEvent


class EventItem(msgspec.Struct, frozen=True, kw_only=True):
    """One event as API.md shows it; `stream_id` is set in the global log."""

    position: int
    version: int
    type: str
    data: Any
    metadata: Metadata
    recorded_at: dt.datetime
    hash: str
    stream_id: str | None = None
    event_id: str | None = None


def event_item(recorded: RecordedEvent[Any], *, with_stream: bool) -> EventItem:
    return EventItem(
        position=recorded.position,
        version=recorded.version,
        type=recorded.type,
        data=recorded.payload,
        metadata=recorded.metadata,
        recorded_at=recorded.recorded_at,
        hash=recorded.hash.hex(),
        stream_id=recorded.stream_id if with_stream else None,
        event_id=str(recorded.event_id),
    )


class EventPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[EventItem]
    next_after: int | None


class Head(msgspec.Struct, frozen=True, kw_only=True):
    position: int
    hash: str


class VerificationReport(msgspec.Struct, frozen=True, kw_only=True):
    ok: bool
    events_checked: int
    head: Head
    first_bad_position: int | None


class VersionOnly(msgspec.Struct):
    """Reads just the version out of a stored Proposal (for its ETag)."""

    version: int
