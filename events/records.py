"""Turns stored rows back into RecordedEvents and recomputes their chain: shared by all backends."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from events.codec import Codec
from events.envelope import Metadata, RecordedEvent, Verification
from events.hashing import GENESIS_HASH, event_hash

RowValues = Sequence[Any]
"""A stored row as a tuple in `STORED_COLUMNS` order: positional access is what keeps reads fast."""

STORED_COLUMNS = (
    "position",
    "stream_id",
    "version",
    "event_id",
    "type",
    "schema_version",
    "data",
    "metadata",
    "recorded_at",
    "hash",
)

RECORDED_MICROS = "(EXTRACT(EPOCH FROM recorded_at) * 1000000)::int8"
"""PostgreSQL's record time as microseconds since 1970, for reads that decode many rows.

asyncpg builds an aware datetime for every `timestamptz`, which cost most of a microsecond a
row (a third of reading one). An integer costs next to nothing, is exact (EXTRACT gives a
numeric) and depends on no session setting; `utc_from_micros` turns it into the same datetime,
once per distinct value, since the events of one append share their record time.
"""

NATIVE_COLUMNS = ", ".join(
    RECORDED_MICROS if name == "recorded_at" else name for name in STORED_COLUMNS
)
"""`STORED_COLUMNS` as asyncpg reads them for `decode_rows(native=True)`."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_recorded(codec: Codec[Any], row: RowValues) -> RecordedEvent[Any]:
    """The RecordedEvent of one row already typed (UUID, aware datetime): `decode_rows`' job."""
    return next(decode_rows(codec, (row,), native=True))


def decode_rows(
    codec: Codec[Any], rows: Iterable[RowValues], *, native: bool
) -> Iterator[RecordedEvent[Any]]:
    """RecordedEvents from raw driver rows, typed as `to_recorded` types them, one at a time.

    `native` drivers (asyncpg) already return UUIDs; SQLite returns the hex SQLAlchemy stored.
    A record time comes as an aware datetime, as SQLite's UTC text, or as microseconds since
    1970 (`RECORDED_MICROS`). Appends of one batch share their metadata bytes and often their
    record time, so each distinct value is decoded once per call and the frozen result shared.
    One at a time rather than a page at once: an event the caller drops dies young, where a
    page of decoded payloads lives long enough for the garbage collector to promote and then
    traverse it again and again (that tripled the cost of decoding in a rebuild).
    """
    decode = codec.decode
    metadata_of: dict[bytes, Metadata] = {}
    time_of: dict[str | int, datetime] = {}
    for row in rows:
        position, stream_id, version, event_id, type_name, schema_version, data, meta, at, h = row
        if not native:
            event_id = uuid_from_hex(event_id)
        if type(at) is not datetime:
            moment = time_of.get(at)
            if moment is None:
                moment = time_of[at] = utc_from_micros(at) if type(at) is int else utc_from_text(at)
            at = moment
        metadata = metadata_of.get(meta)
        if metadata is None:
            metadata = metadata_of[meta] = codec.decode_metadata(meta)
        yield RecordedEvent(
            position=position,
            stream_id=stream_id,
            version=version,
            event_id=event_id,
            type=type_name,
            schema_version=schema_version,
            payload=decode(type_name, schema_version, data),
            metadata=metadata,
            recorded_at=at,
            hash=h if type(h) is bytes else bytes(h),
        )


def typed_row(row: RowValues) -> RowValues:
    """A raw SQLite row with the UUID and aware datetime that hashing and `to_recorded` expect."""
    values = list(row)
    values[3], values[8] = uuid_from_hex(row[3]), utc_from_text(row[8])
    return values


_new_object = object.__new__
_set_slot = object.__setattr__
_UNKNOWN_SAFETY = uuid.SafeUUID.unknown  # an enum member lookup costs more than the int parse


def uuid_from_hex(text: str) -> uuid.UUID:
    """SQLAlchemy stores a UUID as 32 hex digits on SQLite.

    `uuid.UUID(hex)` parses in Python at about 3 us; filling its two slots directly, as its own
    `__setstate__` does, builds the same immutable value in a quarter of that.
    """
    if len(text) != 32:
        return uuid.UUID(text)
    value: uuid.UUID = _new_object(uuid.UUID)
    _set_slot(value, "int", int(text, 16))
    _set_slot(value, "is_safe", _UNKNOWN_SAFETY)
    return value


def utc_from_micros(micros: int) -> datetime:
    """A record time read as `RECORDED_MICROS`, as an aware UTC datetime."""
    return _EPOCH + timedelta(microseconds=micros)


def utc_from_text(text: str) -> datetime:
    """SQLite keeps record times as naive UTC text (see `UtcDateTime`).

    Parsing with an explicit offset is several times faster than `replace(tzinfo=UTC)`.
    """
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return datetime.fromisoformat(f"{text}+00:00")
    return moment.astimezone(UTC)


def recompute_hash(previous_hash: bytes, row: RowValues) -> bytes:
    position, stream_id, version, event_id, type_name, schema_version, data, metadata, at, _ = row
    return event_hash(
        previous_hash,
        position=position,
        stream_id=stream_id,
        version=version,
        event_id=event_id,
        type_name=type_name,
        schema_version=schema_version,
        recorded_at=at,
        metadata=bytes(metadata),
        data=bytes(data),
    )


class ChainVerifier:
    """Walks rows in position order and remembers the first one that breaks the chain."""

    def __init__(self, from_position: int, previous_hash: bytes = GENESIS_HASH) -> None:
        self.expected_position = from_position
        self.previous_hash = previous_hash
        self.checked = 0
        self.first_bad_position: int | None = None

    def feed(self, rows: Iterable[RowValues]) -> bool:
        """Check rows; False once a bad position is found (the rest need not be read)."""
        for row in rows:
            position, stored_hash = row[0], bytes(row[9])
            # A missing position is a deleted event: the gap itself is the first bad place.
            if position != self.expected_position:
                self.first_bad_position = self.expected_position
                return False
            if recompute_hash(self.previous_hash, row) != stored_hash:
                self.first_bad_position = position
                return False
            self.previous_hash = stored_hash
            self.expected_position += 1
            self.checked += 1
        return True

    def finish(self, head_position: int, head_hash: bytes, to_position: int | None) -> Verification:
        """Compare with the recorded head, which catches events removed from the end of the log."""
        last_checked = self.expected_position - 1
        end = head_position if to_position is None else min(to_position, head_position)
        if self.first_bad_position is None and last_checked < end:
            self.first_bad_position = last_checked + 1
        if (
            self.first_bad_position is None
            and to_position is None
            and last_checked == head_position
            and self.previous_hash != head_hash
            and head_position > 0
        ):
            self.first_bad_position = head_position
        return Verification(
            ok=self.first_bad_position is None,
            events_checked=self.checked,
            head_position=head_position,
            head_hash=head_hash,
            first_bad_position=self.first_bad_position,
        )
