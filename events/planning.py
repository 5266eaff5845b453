"""Pure append logic shared by every backend: validation, version checks, idempotency, hashing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from events.codec import Codec, EncodedPayload
from events.envelope import AppendResult, ExpectedVersion, Metadata, NewEvent, StreamState
from events.errors import DuplicateEventId, InvalidAppend, InvalidExpectedVersion, VersionConflict
from events.hashing import event_hash

MAX_STREAM_ID_LENGTH = 200


@dataclass(frozen=True, slots=True)
class PreparedAppend:
    """An append that passed validation and encoding, ready for any backend to commit."""

    stream_id: str
    event_ids: tuple[uuid.UUID, ...]
    payloads: tuple[EncodedPayload, ...]
    expected_version: ExpectedVersion
    metadata: bytes


class StoredRow(NamedTuple):
    """A row of the events table, in the column order that records.py unpacks."""

    position: int
    stream_id: str
    version: int
    event_id: uuid.UUID
    type: str
    schema_version: int
    data: bytes
    metadata: bytes
    recorded_at: datetime
    hash: bytes

    def as_params(self) -> dict[str, Any]:
        return self._asdict()


@dataclass(frozen=True, slots=True)
class KnownEvent:
    """Where an already stored event id lives: enough to answer an idempotent repeat."""

    stream_id: str
    version: int
    position: int
    recorded_at: datetime


def check_expected_version(expected: object) -> ExpectedVersion:
    if isinstance(expected, StreamState):
        return expected
    if isinstance(expected, int) and not isinstance(expected, bool) and expected >= 0:
        return expected
    raise InvalidExpectedVersion(
        f"expected_version must be a version number >= 0 or a StreamState, not {expected!r}"
    )


def prepare(
    codec: Codec[Any],
    stream_id: str,
    events: Sequence[NewEvent[Any]],
    expected_version: object,
    metadata: Metadata | None,
) -> PreparedAppend:
    """Validate and encode before any IO, so that bad input never reaches a transaction."""
    if not isinstance(stream_id, str) or not stream_id or len(stream_id) > MAX_STREAM_ID_LENGTH:
        raise InvalidAppend(f"stream_id must be 1 to {MAX_STREAM_ID_LENGTH} characters")
    if not events:
        raise InvalidAppend("an append needs at least one event")
    expected = check_expected_version(expected_version)
    event_ids = tuple(event.event_id for event in events)
    if len(set(event_ids)) != len(event_ids):
        raise InvalidAppend("an append names the same event id twice")
    payloads = tuple(codec.encode(event.payload) for event in events)
    return PreparedAppend(
        stream_id, event_ids, payloads, expected, codec.encode_metadata(metadata or Metadata())
    )


def commit_time(now: datetime, previous: datetime | None) -> datetime:
    """UTC, truncated to what every backend stores, and never before the previous commit."""
    moment = now.astimezone(UTC)
    if previous is not None and moment < previous:
        return previous
    return moment


@dataclass(frozen=True, slots=True)
class Head:
    """The log's head as a batch finds it under the lock, and the streams' last versions."""

    position: int
    hash: bytes
    recorded_at: datetime
    versions: dict[str, int]


def assumed_versions(appends: Sequence[PreparedAppend]) -> dict[str, int] | None:
    """Each stream's version as its first append in the batch expects it, or None if one may
    append at any version (only a look under the head's lock can tell where that lands)."""
    versions: dict[str, int] = {}
    for append in appends:
        expected = append.expected_version
        if expected is StreamState.ANY:
            return None
        if append.stream_id not in versions:
            versions[append.stream_id] = 0 if expected is StreamState.NO_STREAM else expected
    return versions


@dataclass(slots=True)
class BatchPlan:
    """Plans the appends of one transaction in order, holding the log's head lock throughout."""

    head_position: int
    head_hash: bytes
    recorded_at: datetime
    versions: dict[str, int]
    known: dict[uuid.UUID, KnownEvent]
    rows: list[StoredRow] = field(default_factory=list)

    def plan(self, append: PreparedAppend) -> AppendResult:
        repeat = self._idempotent_repeat(append)
        if repeat is not None:
            return repeat
        current = self.versions.get(append.stream_id, 0)
        if not _version_matches(append.expected_version, current):
            raise VersionConflict(append.stream_id, _describe(append.expected_version), current)
        first_position = self.head_position + 1
        for offset, (event_id, payload) in enumerate(
            zip(append.event_ids, append.payloads, strict=True), start=1
        ):
            self._add_row(append, event_id, payload, current + offset)
        self.versions[append.stream_id] = current + len(append.event_ids)
        return AppendResult(
            append.stream_id,
            current + 1,
            current + len(append.event_ids),
            first_position,
            self.head_position,
            self.recorded_at,
        )

    def _add_row(
        self, append: PreparedAppend, event_id: uuid.UUID, payload: EncodedPayload, version: int
    ) -> None:
        position = self.head_position + 1
        digest = event_hash(
            self.head_hash,
            position=position,
            stream_id=append.stream_id,
            version=version,
            event_id=event_id,
            type_name=payload.type,
            schema_version=payload.schema_version,
            recorded_at=self.recorded_at,
            metadata=append.metadata,
            data=payload.data,
        )
        self.rows.append(
            StoredRow(
                position,
                append.stream_id,
                version,
                event_id,
                payload.type,
                payload.schema_version,
                payload.data,
                append.metadata,
                self.recorded_at,
                digest,
            )
        )
        self.known[event_id] = KnownEvent(append.stream_id, version, position, self.recorded_at)
        self.head_position, self.head_hash = position, digest

    def _idempotent_repeat(self, append: PreparedAppend) -> AppendResult | None:
        hits = [
            (event_id, self.known[event_id])
            for event_id in append.event_ids
            if event_id in self.known
        ]
        if not hits:
            return None
        first, last = hits[0][1], hits[-1][1]
        for index, (event_id, known) in enumerate(hits):
            # A repeat is only a repeat if every id sits exactly where this append would put it.
            misplaced = (
                known.stream_id != append.stream_id or known.version != first.version + index
            )
            if misplaced or len(hits) != len(append.event_ids):
                raise DuplicateEventId(event_id, known.stream_id, known.version)
        if not _version_matches(append.expected_version, first.version - 1):
            raise DuplicateEventId(hits[0][0], first.stream_id, first.version)
        return AppendResult(
            append.stream_id,
            first.version,
            last.version,
            first.position,
            last.position,
            first.recorded_at,
        )


def _version_matches(expected: ExpectedVersion, current: int) -> bool:
    if expected is StreamState.ANY:
        return True
    if expected is StreamState.NO_STREAM:
        return current == 0
    return expected == current


def _describe(expected: ExpectedVersion) -> object:
    return expected.value if isinstance(expected, StreamState) else expected
