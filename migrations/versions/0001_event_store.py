"""The event store: the append-only log, its head row, and the triggers that keep it append-only.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_POSTGRES_GUARDS = [
    """
    CREATE FUNCTION kerjasama_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the event log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END $$
    """,
    """
    CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION kerjasama_refuse_change()
    """,
    """
    CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION kerjasama_refuse_change()
    """,
    """
    CREATE TRIGGER event_log_head_kept BEFORE DELETE ON event_log_head
        FOR EACH ROW EXECUTE FUNCTION kerjasama_refuse_change()
    """,
    """
    CREATE TRIGGER event_log_head_no_truncate BEFORE TRUNCATE ON event_log_head
        FOR EACH STATEMENT EXECUTE FUNCTION kerjasama_refuse_change()
    """,
    """
    CREATE TRIGGER event_log_head_forward BEFORE UPDATE ON event_log_head
        FOR EACH ROW WHEN (NEW.position < OLD.position)
        EXECUTE FUNCTION kerjasama_refuse_change()
    """,
    # Projectors LISTEN on this channel; a NOTIFY is delivered only when the append commits.
    """
    CREATE FUNCTION kerjasama_notify_appended() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('kerjasama_events', NEW.position::text);
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER event_log_head_notify AFTER UPDATE ON event_log_head
        FOR EACH ROW WHEN (NEW.position > OLD.position)
        EXECUTE FUNCTION kerjasama_notify_appended()
    """,
]

# SQLite has no TRUNCATE: a DELETE without WHERE fires the row trigger like any other.
_SQLITE_GUARDS = [
    """
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only: UPDATE on events is refused'); END
    """,
    """
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only: DELETE on events is refused'); END
    """,
    """
    CREATE TRIGGER event_log_head_kept BEFORE DELETE ON event_log_head
    BEGIN SELECT RAISE(ABORT, 'the event log head is kept: DELETE is refused'); END
    """,
    """
    CREATE TRIGGER event_log_head_forward BEFORE UPDATE ON event_log_head
    WHEN NEW.position < OLD.position
    BEGIN SELECT RAISE(ABORT, 'the event log head only moves forward'); END
    """,
]


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("position", _position, primary_key=True, autoincrement=False),
        sa.Column("stream_id", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("schema_version", sa.SmallInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("metadata", sa.LargeBinary(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint("version >= 1", name="events_version_positive"),
    )
    op.create_index("events_stream_version", "events", ["stream_id", "version"], unique=True)
    op.create_index("events_event_id", "events", ["event_id"], unique=True)
    head = op.create_table(
        "event_log_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("position", _position, nullable=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("id = 1", name="event_log_head_single_row"),
    )
    op.bulk_insert(head, [{"id": 1, "position": 0, "hash": bytes(32), "recorded_at": None}])
    guards = _POSTGRES_GUARDS if op.get_bind().dialect.name == "postgresql" else _SQLITE_GUARDS
    for statement in guards:
        op.execute(statement)


def downgrade() -> None:
    # Dropping the log is the only way back; it is deliberate, never a side effect of UPDATE.
    op.drop_table("event_log_head")
    op.drop_table("events")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION kerjasama_refuse_change()")
        op.execute("DROP FUNCTION kerjasama_notify_appended()")
