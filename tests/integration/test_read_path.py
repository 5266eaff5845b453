"""The fast log read (driver rows, decoded by `decode_rows`) returns exactly the typed events."""

from __future__ import annotations

import pickle
import uuid
from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from events.envelope import Metadata, NewEvent
from events.records import utc_from_text, uuid_from_hex
from events.schema import events
from events.sql import READ_PAGE_SIZE, SqlEventStore
from tests.contract.toy_events import Deposited, Renamed, ToyEvent, toy_codec


async def filled(engine: AsyncEngine, appends: int) -> SqlEventStore[ToyEvent]:
    store = SqlEventStore(engine, toy_codec())
    for n in range(appends):
        metadata = Metadata(actor=f"tok-{n % 2}", request_id="r") if n % 3 else None
        await store.append(f"acct-{n % 4}", [NewEvent(Deposited(amount=n, note="x"))])
        await store.append(
            f"acct-{n % 4}",
            [NewEvent(Deposited(amount=i)) for i in range(7)],
            metadata=metadata,
        )
    return store


async def test_read_all_equals_the_typed_read_of_every_stream(engine: AsyncEngine) -> None:
    store = await filled(engine, 20)
    everything = [e async for e in store.read_all()]
    by_stream = sorted(
        [e for s in range(4) for e in await store.read_stream(f"acct-{s}")],
        key=lambda e: e.position,
    )
    assert everything == by_stream
    for event in everything:
        assert isinstance(event.event_id, uuid.UUID)
        assert event.recorded_at.utcoffset() == timedelta(0)
        assert type(event.hash) is bytes
        assert len(event.hash) == 32
    assert {e.metadata for e in everything} == {
        Metadata(),
        Metadata(actor="tok-0", request_id="r"),
        Metadata(actor="tok-1", request_id="r"),
    }


async def test_an_old_schema_version_is_upcast_through_read_all(engine: AsyncEngine) -> None:
    old = msgspec.json.encode({"type": "Renamed", "title": "Kas Kota"})
    row = {
        "position": 1,
        "stream_id": "acct-1",
        "version": 1,
        "event_id": uuid.uuid4(),
        "type": "Renamed",
        "schema_version": 1,
        "data": old,
        "metadata": b"{}",
        "recorded_at": datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        "hash": bytes(32),
    }
    async with engine.begin() as conn:
        await conn.execute(insert(events), [row])
    [event] = [e async for e in SqlEventStore(engine, toy_codec()).read_all()]
    assert event.payload == Renamed(name="Kas Kota")
    assert (event.event_id, event.recorded_at) == (row["event_id"], row["recorded_at"])


async def test_limits_pages_and_an_early_stop(engine: AsyncEngine) -> None:
    store = SqlEventStore(engine, toy_codec())
    for chunk in range(3):
        await store.append(f"acct-{chunk}", [NewEvent(Deposited(amount=i)) for i in range(500)])
    assert [e async for e in store.read_all(limit=0)] == []
    assert [e async for e in store.read_all(limit=-3)] == []
    across = [e.position async for e in store.read_all(after_position=10, limit=READ_PAGE_SIZE)]
    assert across == list(range(11, 11 + READ_PAGE_SIZE))
    async for event in store.read_all():
        if event.position == 5:
            break
    assert len([e async for e in store.read_all()]) == 1500
    assert (await store.verify()).ok


def test_a_uuid_from_sqlite_hex_is_an_ordinary_uuid() -> None:
    original = uuid.uuid4()
    rebuilt = uuid_from_hex(original.hex)
    assert type(rebuilt) is uuid.UUID
    assert (rebuilt, hash(rebuilt), str(rebuilt)) == (original, hash(original), str(original))
    assert rebuilt.is_safe is uuid.SafeUUID.unknown
    assert pickle.loads(pickle.dumps(rebuilt)) == original
    assert uuid_from_hex(str(original)) == original


def test_a_time_from_sqlite_text_is_aware_utc() -> None:
    moment = utc_from_text("2026-11-23 17:00:24.815695")
    assert moment == datetime(2026, 11, 23, 17, 0, 24, 815695, tzinfo=UTC)
    assert moment.tzinfo is UTC
    assert utc_from_text("2026-11-23 19:00:24+02:00") == datetime(
        2026, 11, 23, 17, 0, 24, tzinfo=UTC
    )


AWKWARD_TIMES = [
    datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),  # no microseconds: text would drop them
    datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(1999, 2, 28, 0, 0, 0, 1, tzinfo=UTC),
    datetime(2024, 2, 29, 12, 0, 0, 500000, tzinfo=UTC),
]


async def stored_at(engine: AsyncEngine, times: list[datetime]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {
            "position": n,
            "stream_id": f"acct-{n}",
            "version": 1,
            "event_id": uuid.uuid4(),
            "type": "Deposited",
            "schema_version": 1,
            "data": msgspec.json.encode(Deposited(amount=n)),
            "metadata": b"{}",
            "recorded_at": moment,
            "hash": bytes(32),
        }
        for n, moment in enumerate(times, start=1)
    ]
    async with engine.begin() as conn:
        await conn.execute(insert(events), rows)
    return rows


async def test_record_times_come_back_to_the_microsecond(engine: AsyncEngine) -> None:
    rows = await stored_at(engine, AWKWARD_TIMES)
    read = [e async for e in SqlEventStore(engine, toy_codec()).read_all()]
    assert [e.recorded_at for e in read] == [row["recorded_at"] for row in rows]
    assert all(e.recorded_at.tzinfo is UTC for e in read)
    assert [e.event_id for e in read] == [row["event_id"] for row in rows]


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_session_time_zone_and_date_style_do_not_change_read_times(
    engine: AsyncEngine,
) -> None:
    # PostgreSQL spells a timestamp's text by the session's settings: the read must not care.
    rows = await stored_at(engine, AWKWARD_TIMES)
    async with engine.connect() as conn:
        database = await conn.scalar(text("SELECT current_database()"))
        await conn.execute(text(f"ALTER DATABASE \"{database}\" SET TimeZone = 'Asia/Jayapura'"))
        await conn.execute(text(f"ALTER DATABASE \"{database}\" SET DateStyle = 'SQL, DMY'"))
        await conn.commit()
    await engine.dispose()  # new connections take the database's new settings
    async with engine.connect() as conn:
        assert await conn.scalar(text("SHOW TimeZone")) == "Asia/Jayapura"
    read = [e async for e in SqlEventStore(engine, toy_codec()).read_all()]
    assert [e.recorded_at for e in read] == [row["recorded_at"] for row in rows]


async def test_rows_up_to_a_position_stop_there_on_any_page_boundary(engine: AsyncEngine) -> None:
    store = SqlEventStore(engine, toy_codec())
    await store.append("acct-1", [NewEvent(Deposited(amount=i)) for i in range(23)])
    for after, to_position, page_size in [(0, 10, 4), (0, 12, 4), (3, 23, 5), (5, 6, 7), (9, 9, 2)]:
        pages = [
            [row[0] for row in page]
            async for page in store.read_rows(
                after_position=after, to_position=to_position, page_size=page_size
            )
        ]
        assert [p for page in pages for p in page] == list(range(after + 1, to_position + 1))
        assert all(0 < len(page) <= page_size for page in pages)
    part = await store.verify(5, 12)
    assert (part.ok, part.events_checked) == (True, 8)
