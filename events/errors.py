"""Typed errors of the event store: every refusal says what was wrong and stores nothing."""

from __future__ import annotations

import uuid


class EventStoreError(Exception):
    """Base of every error the store raises on purpose."""


class VersionConflict(EventStoreError):
    """The stream is not at the version the writer expected; nothing was appended."""

    def __init__(self, stream_id: str, expected: object, actual: int) -> None:
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"stream {stream_id!r} is at version {actual}, the append expected {expected}"
        )


class DuplicateEventId(EventStoreError):
    """An event id is already stored somewhere other than where this append would put it."""

    def __init__(self, event_id: uuid.UUID, stream_id: str, version: int) -> None:
        self.event_id = event_id
        self.stream_id = stream_id
        self.version = version
        super().__init__(
            f"event {event_id} is already stored as version {version} of stream {stream_id!r}"
        )


class CommitOutcomeUnknown(EventStoreError):
    """The connection to the database failed during COMMIT: the events may or may not be stored.

    Like an answer lost on the way, only a look at the log tells; a retry with the same
    expected version (or the same event ids) is safe: it lands once or is refused.
    """

    def __init__(self, stream_ids: list[str]) -> None:
        self.stream_ids = stream_ids
        super().__init__(
            "the database connection failed while committing; the append may or may not be "
            f"stored: read stream(s) {', '.join(sorted(set(stream_ids)))} to know"
        )


class InvalidExpectedVersion(EventStoreError, TypeError):
    """The expected version is neither a version number nor a StreamState."""


class InvalidAppend(EventStoreError, ValueError):
    """The append itself is malformed: no events, a bad stream id, repeated event ids."""


class EncodingFailed(EventStoreError, ValueError):
    """The codec cannot encode a payload (unknown event type, unencodable value)."""


class PayloadTooLarge(EventStoreError, ValueError):
    """An encoded payload is larger than the configured limit."""

    def __init__(self, event_type: str, size: int, limit: int) -> None:
        self.event_type = event_type
        self.size = size
        self.limit = limit
        super().__init__(f"{event_type} payload is {size} bytes, the limit is {limit}")


class DecodingFailed(EventStoreError, ValueError):
    """A stored payload cannot be decoded into a known event type."""
