"""The store's tables: the append-only log and the single row that holds its head."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    TypeDecorator,
    Uuid,
)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every dialect; SQLite keeps them as naive UTC text."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# SQLite only makes INTEGER PRIMARY KEY an alias of the rowid; BIGINT elsewhere.
Position = BigInteger().with_variant(Integer(), "sqlite")

# The largest values the columns hold: a client's number past them names nothing that exists,
# and handed to the database it is an overflow error, not an empty answer.
MAX_POSITION = 2**63 - 1
MAX_VERSION = 2**31 - 1

metadata = MetaData()

events = Table(
    "events",
    metadata,
    Column("position", Position, primary_key=True, autoincrement=False),
    Column("stream_id", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("type", String(200), nullable=False),
    Column("schema_version", SmallInteger, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("metadata", LargeBinary, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("hash", LargeBinary, nullable=False),
    CheckConstraint("version >= 1", name="events_version_positive"),
    Index("events_stream_version", "stream_id", "version", unique=True),
    Index("events_event_id", "event_id", unique=True),
)

event_log_head = Table(
    "event_log_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("position", Position, nullable=False),
    Column("hash", LargeBinary, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=True),
    CheckConstraint("id = 1", name="event_log_head_single_row"),
)
