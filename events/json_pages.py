"""SQLite's fast `read_all` pages: each built as one JSON document by SQLite itself and decoded
into typed events by one msgspec call.

SQLite hands rows to Python as tuples of ten objects each, and typing them (a UUID from hex, an
aware datetime from text, a payload) is Python work per row. Here SQLite writes the page in C,
in aiosqlite's thread without the GIL, while the event loop decodes the page before; msgspec then
parses event ids, record times and payloads in C. Hashes are the one thing JSON cannot carry as
bytes (msgspec wants base64, SQLite has none), so they come beside the document as one
concatenated blob and are sliced.

The price is a page decoded at once rather than an event at a time: its event ids (UUIDs, which
the garbage collector tracks) live as long as the page, so the collector promotes some of them
and now and then traverses the heap for them (a tenth to a half of a microsecond a row in
`bench.read`; `records.decode_rows` explains why the rebuild avoids this).

Whatever this path cannot vouch for (an old schema version that needs its upcaster, a payload
whose tag is not its row's type, anything SQLite or msgspec refuses) it declines, and the caller
decodes that page row by row as before, so a bad row fails with the same error it always did.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar, Union

import msgspec

from events.codec import Codec
from events.envelope import Metadata, RecordedEvent
from events.records import STORED_COLUMNS

E = TypeVar("E", bound=msgspec.Struct)
P = TypeVar("P")

# `json()` checks each stored payload (a blob of JSON text) and embeds it as JSON rather than as
# a string. Metadata goes as a string: a batch's events share it, so it is decoded once per
# distinct value, cheaper than a `json()` call per row. SQLAlchemy keeps record times as naive
# UTC text, so a `Z` makes them RFC 3339, which msgspec parses to an aware UTC datetime. The
# subquery's ORDER BY fixes the order both aggregates see; `group_concat` of blobs copies their
# bytes, and min/max of the lengths tell whether the concatenation can be sliced evenly. OFFSET
# lets a page be asked for before the one ahead of it has arrived (see `json_read`).
JSON_PAGE = f"""
SELECT CAST(json_group_array(json_array(
           position, stream_id, version, event_id, type, schema_version,
           json(CAST(data AS TEXT)), CAST(metadata AS TEXT), recorded_at || 'Z'
       )) AS BLOB),
       CAST(group_concat(hash, '') AS BLOB), min(length(hash)), max(length(hash))
FROM (SELECT {", ".join(STORED_COLUMNS)} FROM events
      WHERE position > ? ORDER BY position LIMIT ? OFFSET ?)"""


@dataclass(frozen=True, slots=True)
class JsonPage:
    """One page as SQLite built it."""

    document: bytes
    hashes: bytes
    hash_size: int | None  # None unless every hash has this one length

    @classmethod
    def of(cls, row: Any) -> JsonPage:
        document, hashes, shortest, longest = row
        return cls(document, hashes or b"", shortest if shortest == longest else None)


class _Row(msgspec.Struct, Generic[P], array_like=True, frozen=True, gc=False):
    """A page's row as SQLite writes it: `RecordedEvent` without its hash, in column order."""

    position: int
    stream_id: str
    version: int
    event_id: uuid.UUID
    type: str
    schema_version: int
    payload: P
    metadata: str
    recorded_at: datetime


class JsonPageDecoder(Generic[E]):
    """Decodes a page with the codec's current event types as one tagged union."""

    def __init__(self, codec: Codec[E]) -> None:
        current = codec.current_types()
        # Union[(A,)] is A: a codec of one type decodes that type.
        union: Any = Union[tuple(current.values())]  # noqa: UP007 - built from a runtime tuple
        # Raises TypeError if the types cannot form a tagged union (e.g. different tag fields).
        self._decoder = msgspec.json.Decoder(list[_Row[union]])
        self._current = current
        self._decode_metadata = codec.decode_metadata

    @staticmethod
    def supports(codec: Codec[Any]) -> bool:
        try:
            JsonPageDecoder(codec)
        except TypeError:
            return False
        return True

    def decode(self, after: int, page: JsonPage) -> list[RecordedEvent[E]] | None:
        """The events after `after` exactly as `decode_rows` types them, or None to read the
        page as rows instead."""
        try:
            rows: list[_Row[E]] = self._decoder.decode(page.document)
            if not rows:
                return []
            size = page.hash_size
            if size is None or len(page.hashes) != size * len(rows):
                return None
            return self._events(after, rows, page.hashes, size)
        except msgspec.DecodeError:
            return None

    def _events(
        self, previous: int, rows: list[_Row[E]], hashes: bytes, size: int
    ) -> list[RecordedEvent[E]] | None:
        current, decode_metadata = self._current, self._decode_metadata
        metadata_of: dict[str, Metadata] = {}
        decoded: list[RecordedEvent[E]] = []
        end = 0
        for row in rows:
            payload, position, text = row.payload, row.position, row.metadata
            # The union picks a class by the payload's own tag; the row path decodes by the row's
            # type and version, so anything they could disagree on goes that way instead.
            if current.get((row.type, row.schema_version)) is not type(payload):
                return None
            if position <= previous:
                return None
            metadata = metadata_of.get(text)
            if metadata is None:
                metadata = metadata_of[text] = decode_metadata(text)
            start, end, previous = end, end + size, position
            decoded.append(
                RecordedEvent(
                    position=position,
                    stream_id=row.stream_id,
                    version=row.version,
                    event_id=row.event_id,
                    type=row.type,
                    schema_version=row.schema_version,
                    payload=payload,
                    metadata=metadata,
                    recorded_at=row.recorded_at,
                    hash=hashes[start:end],
                )
            )
        return decoded
