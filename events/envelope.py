"""What the store accepts and returns around a payload: ids, versions, metadata, positions."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

import msgspec

E = TypeVar("E")


class StreamState(enum.Enum):
    """Expected versions that are not a number."""

    ANY = "any"
    NO_STREAM = "no_stream"


ExpectedVersion = int | StreamState


class Metadata(msgspec.Struct, frozen=True, gc=False, kw_only=True, omit_defaults=True):
    """Who and what caused an event; stored beside the payload, outside the hash of nothing."""

    actor: str | None = None
    role: str | None = None
    region: str | None = None
    correlation_id: str | None = None
    causation_id: str | None = None
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class NewEvent(Generic[E]):
    """A payload about to be appended, with the id that makes its append idempotent."""

    payload: E
    event_id: uuid.UUID = field(default_factory=uuid.uuid4)


class RecordedEvent(msgspec.Struct, Generic[E], frozen=True, kw_only=True, gc=False):
    """An event as stored: its place in the log and in its stream, and its chained hash.

    A Struct rather than a dataclass: reads build one per event, and a frozen Struct is built
    several times faster than a frozen dataclass.
    """

    position: int
    stream_id: str
    version: int
    event_id: uuid.UUID
    type: str
    schema_version: int
    payload: E
    metadata: Metadata
    recorded_at: datetime
    hash: bytes


@dataclass(frozen=True, slots=True)
class AppendResult:
    """Where an append landed; an idempotent repeat returns the original result."""

    stream_id: str
    first_version: int
    version: int
    first_position: int
    last_position: int
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of recomputing the hash chain over a range of the log."""

    ok: bool
    events_checked: int
    head_position: int
    head_hash: bytes
    first_bad_position: int | None
