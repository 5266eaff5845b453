"""Tables the registry application owns beside the event log: API tokens."""

from __future__ import annotations

from sqlalchemy import Column, Index, MetaData, String, Table

from events.schema import UtcDateTime

metadata = MetaData()

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_id", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("region", String(10), nullable=True),
    Column("token_hash", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Index("api_tokens_hash", "token_hash", unique=True),
)
