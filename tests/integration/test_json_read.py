"""SQLite's JSON page path of `read_all` returns exactly what decoding the rows returned."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from sqlalchemy import delete, insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from events.engine import make_engine
from events.envelope import Metadata, NewEvent, RecordedEvent
from events.errors import DecodingFailed
from events.json_pages import JSON_PAGE, JsonPage, JsonPageDecoder
from events.lookups import LOG_PAGE
from events.records import decode_rows
from events.schema import events
from events.sql import SqlEventStore
from tests.contract.toy_events import Anything, Deposited, Renamed, ToyEvent, toy_codec
from tests.databases import SqliteDatabases

TRICKY_VALUES: list[Any] = [
    "Pelatihan ñ 日本語 🎉 \u2028",
    'quotes " and \\ backslashes \\" and \n\t\r\b\f\x00\x1f control',
    2**63 - 1,
    -(2**63),
    2**64 - 1,
    0.1,
    -0.0,
    1e300,
    5e-324,
    {"nested": [1, [2, [3, {"deep": None}]], {"é": True, "": ""}]},
    [],
    {},
    None,
    False,
    "",
]


@pytest.fixture
async def sqlite_engine(sqlite_databases: SqliteDatabases) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(sqlite_databases.clone())
    yield engine
    await engine.dispose()


def ticking() -> Iterator[datetime]:
    start = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    for n in range(10**9):
        yield start + timedelta(microseconds=(0, 1, 999_999, 123_456)[n % 4], seconds=n)


async def tricky_store(engine: AsyncEngine) -> SqlEventStore[ToyEvent]:
    clock = ticking()
    store = SqlEventStore(engine, toy_codec(), clock=lambda: next(clock))
    metadata = Metadata(actor='tok "ñ" \\', role="official", request_id="日本")
    for n, value in enumerate(TRICKY_VALUES):
        await store.append(
            f'stream "{n}" ñ\\',
            [NewEvent(Anything(value=value)), NewEvent(Deposited(amount=n, note=str(value)))],
            metadata=metadata if n % 2 else None,
        )
    await store.append("renamed", [NewEvent(Renamed(name="Kas \u00e9"))])
    return store


async def both_ways(engine: AsyncEngine, after: int = 0) -> tuple[JsonPage, list[Any]]:
    async with engine.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None
        [row] = await driver.execute_fetchall(JSON_PAGE, (after, 1000, 0))
        rows = await driver.execute_fetchall(LOG_PAGE["sqlite"], (after, 1000))
    return JsonPage.of(row), list(rows)


def assert_identical(left: list[RecordedEvent[Any]], right: list[RecordedEvent[Any]]) -> None:
    assert left == right
    for a, b in zip(left, right, strict=True):
        for field in a.__struct_fields__:
            assert type(getattr(a, field)) is type(getattr(b, field)), field
        assert a.recorded_at.tzinfo is b.recorded_at.tzinfo is UTC
        assert msgspec.json.encode(a.payload) == msgspec.json.encode(b.payload)


async def test_a_json_page_decodes_exactly_as_its_rows_do(sqlite_engine: AsyncEngine) -> None:
    store = await tricky_store(sqlite_engine)
    page, rows = await both_ways(sqlite_engine)
    from_json = JsonPageDecoder(toy_codec()).decode(0, page)
    assert from_json is not None, "the JSON path declined a page it should decode"
    assert_identical(from_json, list(decode_rows(toy_codec(), rows, native=False)))
    assert_identical([e async for e in store.read_all()], from_json)
    assert [e.recorded_at.microsecond for e in from_json[:8:2]] == [0, 1, 999_999, 123_456]
    assert [e.payload.value for e in from_json[: 2 * len(TRICKY_VALUES) : 2]] == TRICKY_VALUES  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("after", "limit"),
    [(0, None), (0, 1000), (0, 1001), (0, 2000), (999, 1002), (1100, 1500), (2400, None)],
)
async def test_paging_over_a_gap_matches_the_row_path(
    sqlite_engine: AsyncEngine, after: int, limit: int | None
) -> None:
    store = SqlEventStore(sqlite_engine, toy_codec())
    for chunk in range(5):
        await store.append(f"acct-{chunk}", [NewEvent(Deposited(amount=i)) for i in range(500)])
    async with sqlite_engine.begin() as conn:  # deleted events: positions are no longer dense
        await conn.execute(text("DROP TRIGGER events_no_delete"))
        await conn.execute(delete(events).where(events.c.position.in_([1000, 1200])))
    fast = [e async for e in store.read_all(after_position=after, limit=limit)]
    assert fast == [e async for e in store._row_events(after, limit)]
    stored = [p for p in range(1, 2501) if p not in (1000, 1200) and p > after]
    assert [e.position for e in fast] == stored[:limit]


def raw_row(position: int, type_name: str, data: bytes, **changes: Any) -> dict[str, Any]:
    return {
        "position": position,
        "stream_id": f"raw-{position}",
        "version": 1,
        "event_id": uuid.uuid4(),
        "type": type_name,
        "schema_version": 1,
        "data": data,
        "metadata": b"{}",
        "recorded_at": datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        "hash": hashlib.sha256(data).digest(),
        **changes,
    }


async def insert_rows(engine: AsyncEngine, *rows: dict[str, Any]) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(events), list(rows))


async def test_a_hash_of_another_length_reads_as_the_rows_do(sqlite_engine: AsyncEngine) -> None:
    good = b'{"type":"Deposited","amount":1,"note":""}'
    await insert_rows(
        sqlite_engine,
        raw_row(1, "Deposited", good),
        raw_row(2, "Deposited", good, hash=b"\x00\xff" * 20),
    )
    store = SqlEventStore(sqlite_engine, toy_codec())
    assert [e.hash async for e in store.read_all()] == [
        hashlib.sha256(good).digest(),
        b"\x00\xff" * 20,
    ]


@pytest.mark.parametrize(
    ("type_name", "data"),
    [
        ("Deposited", b"not json \xff"),
        ("Deposited", b'{"type":"Withdrawn","amount":1}'),  # a tag that is not its row's type
        ("Vanished", b'{"type":"Vanished"}'),
        ("Deposited", b'{"type":"Deposited","amount":"1"}'),
    ],
)
async def test_a_bad_row_fails_as_it_did_after_the_rows_before_it(
    sqlite_engine: AsyncEngine, type_name: str, data: bytes
) -> None:
    good = b'{"type":"Deposited","amount":1,"note":""}'
    await insert_rows(
        sqlite_engine,
        raw_row(1, "Deposited", good),
        raw_row(2, type_name, data),
        raw_row(3, "Deposited", good),
    )
    store = SqlEventStore(sqlite_engine, toy_codec())
    seen: list[int] = []

    async def read() -> None:
        async for event in store.read_all():
            seen.append(event.position)

    with pytest.raises(DecodingFailed):
        await read()
    assert seen == [1]
