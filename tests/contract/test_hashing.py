"""The hash chain's canonical form: every field counts, and the previous hash counts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from events.hashing import GENESIS_HASH, canonical_time, event_hash

BASE: dict[str, Any] = {
    "position": 1,
    "stream_id": "s",
    "version": 1,
    "event_id": uuid.UUID(int=1),
    "type_name": "Deposited",
    "schema_version": 1,
    "recorded_at": datetime(2026, 11, 23, 8, 0, tzinfo=UTC),
    "metadata": b"{}",
    "data": b'{"amount":1}',
}


def test_the_hash_is_sha256_sized_and_deterministic() -> None:
    assert len(event_hash(GENESIS_HASH, **BASE)) == 32
    assert event_hash(GENESIS_HASH, **BASE) == event_hash(GENESIS_HASH, **BASE)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("position", 2),
        ("stream_id", "t"),
        ("version", 2),
        ("event_id", uuid.UUID(int=2)),
        ("type_name", "Withdrawn"),
        ("schema_version", 2),
        ("recorded_at", datetime(2026, 11, 23, 8, 0, 0, 1, tzinfo=UTC)),
        ("metadata", b'{"actor":"x"}'),
        ("data", b'{"amount":2}'),
    ],
)
def test_changing_any_field_changes_the_hash(field: str, value: object) -> None:
    assert event_hash(GENESIS_HASH, **{**BASE, field: value}) != event_hash(GENESIS_HASH, **BASE)


def test_the_previous_hash_is_part_of_the_chain() -> None:
    assert event_hash(b"\x01" * 32, **BASE) != event_hash(GENESIS_HASH, **BASE)


def test_moving_bytes_between_metadata_and_data_changes_the_hash() -> None:
    shifted = {**BASE, "metadata": b"{}{", "data": b'"amount":1}'}
    assert event_hash(GENESIS_HASH, **shifted) != event_hash(GENESIS_HASH, **BASE)


def test_record_times_have_one_spelling_whatever_their_zone() -> None:
    from datetime import timedelta, timezone

    jakarta = datetime(2026, 11, 23, 15, 0, tzinfo=timezone(timedelta(hours=7)))
    assert canonical_time(jakarta) == "2026-11-23T08:00:00.000000Z"


def test_the_spelling_keeps_microseconds_even_when_they_are_zero() -> None:
    assert canonical_time(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == (
        "2026-01-02T03:04:05.000000Z"
    )
