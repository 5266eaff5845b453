"""Fixed statement texts: the two reads a batch needs under the head lock, and the page of the
log that `read_all` and `verify` walk.

A fixed text (an array on PostgreSQL, a JSON list on SQLite) is prepared once and reused,
where an expanding IN list would be a new statement for every batch size. The correlated
max() per stream lets both databases answer from the (stream_id, version) index with one
probe per stream instead of scanning every version of every stream in the batch.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import TextClause, TextualSelect, text

from events.records import STORED_COLUMNS
from events.schema import events

STREAM_VERSIONS_NATIVE = """
    SELECT s.stream_id, (SELECT max(e.version) FROM events e WHERE e.stream_id = s.stream_id)
    FROM unnest($1::varchar[]) AS s(stream_id)"""
"""PostgreSQL, on asyncpg itself: (stream ids) -> each stream's last version, NULL if new."""
KNOWN_EVENTS_NATIVE = """
    SELECT event_id, stream_id, version, position, recorded_at FROM events
    WHERE event_id = ANY($1::uuid[])"""
"""PostgreSQL, on asyncpg itself: (event ids) -> where those already stored live."""

_VERSIONS_SQLITE = """
    SELECT s.value, (SELECT max(e.version) FROM events e WHERE e.stream_id = s.value)
    FROM json_each(:stream_ids) AS s"""
_KNOWN_SQLITE = """
    SELECT event_id, stream_id, version, position, recorded_at FROM events
    WHERE event_id IN (SELECT value FROM json_each(:event_ids))"""


_PAGE = (
    f"SELECT {', '.join(STORED_COLUMNS)} FROM events"
    " WHERE position > {0} ORDER BY position LIMIT {1}"
)
LOG_PAGE = {
    "postgresql": _PAGE.format("$1", "$2"),
    "sqlite": _PAGE.format("?", "?"),
}
"""(after, limit), run with `exec_driver_sql`: no per-column type processing, which is what
makes reads fast; `records.decode_rows` supplies the types the driver does not. No upper bound:
with one, PostgreSQL's estimate for a range of a table without fresh statistics can pick a
bitmap scan that reads and sorts every later row for each page; `SqlEventStore` drops the rows
past a bound itself (at most one page more read)."""


def stream_versions(stream_ids: Collection[str]) -> tuple[TextClause, dict[str, Any]]:
    """SQLite: `STREAM_VERSIONS_NATIVE`'s question through SQLAlchemy."""
    return text(_VERSIONS_SQLITE), {"stream_ids": json.dumps(list(stream_ids))}


def known_events(event_ids: Collection[uuid.UUID]) -> tuple[TextualSelect, dict[str, Any]]:
    """SQLite: `KNOWN_EVENTS_NATIVE`'s question through SQLAlchemy (a Uuid is stored as 32 hex
    digits there)."""
    statement = text(_KNOWN_SQLITE).columns(
        events.c.event_id,
        events.c.stream_id,
        events.c.version,
        events.c.position,
        events.c.recorded_at,
    )
    return statement, {"event_ids": json.dumps([i.hex for i in event_ids])}
