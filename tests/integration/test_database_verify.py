"""Verification inside PostgreSQL spells the same canonical bytes as Python, range by range."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from events.database_verify import DatabaseChainCheck, split
from events.envelope import Metadata, NewEvent
from events.sql import SqlEventStore
from tests.contract.toy_events import Deposited, ToyEvent, toy_codec
from tests.integration.test_append_only import bypassing_guards, filled_store

POSTGRES_ONLY = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)

AWKWARD = [
    'quote"back\\slash',
    "control\x01\x1f\x7f",
    "lines\n\t\r\b\f",
    "ünïcødé 日本 😀",
    "separators\u2028\u2029/<>&'",
]


def check(store: SqlEventStore[ToyEvent], parallel: int) -> DatabaseChainCheck:
    return DatabaseChainCheck(store._engine, store._row_at, store._hash_before, parallel)


def test_split_covers_the_range_in_order_without_empty_parts() -> None:
    assert split(1, 10, 3) == [(1, 4), (5, 8), (9, 10)]
    assert split(5, 5, 4) == [(5, 5)]
    assert split(1, 3, 8) == [(1, 1), (2, 2), (3, 3)]


@POSTGRES_ONLY
async def test_the_database_agrees_with_python_on_awkward_strings(engine: AsyncEngine) -> None:
    store = SqlEventStore(engine, toy_codec())
    for n, name in enumerate(AWKWARD):
        metadata = Metadata(actor=name, correlation_id=name)
        await store.append(f"stream {name}", [NewEvent(Deposited(amount=n))], metadata=metadata)
    checker = check(store, 2)
    verifier = await checker.run(1, len(AWKWARD))
    assert verifier.first_bad_position is None
    assert verifier.checked == len(AWKWARD)
    assert checker.rechecked == 0  # no row needed Python to overrule the database


@POSTGRES_ONLY
@pytest.mark.parametrize("parallel", [1, 3, 4])
async def test_a_change_in_a_later_range_is_found_at_its_position(
    engine: AsyncEngine, parallel: int
) -> None:
    store = await filled_store(engine, 40)
    await bypassing_guards(engine, "UPDATE events SET version = 99 WHERE position = 31")
    verifier = await check(store, parallel).run(1, 40)
    assert (verifier.first_bad_position, verifier.checked) == (31, 30)


@POSTGRES_ONLY
@pytest.mark.parametrize("parallel", [1, 4])
async def test_a_whole_range_deleted_is_found_where_it_begins(
    engine: AsyncEngine, parallel: int
) -> None:
    store = await filled_store(engine, 40)
    await bypassing_guards(engine, "DELETE FROM events WHERE position BETWEEN 11 AND 20")
    verifier = await check(store, parallel).run(1, 40)
    assert (verifier.first_bad_position, verifier.checked) == (11, 10)


@POSTGRES_ONLY
async def test_a_changed_hash_is_found_at_its_own_row(engine: AsyncEngine) -> None:
    store = await filled_store(engine, 40)
    await bypassing_guards(engine, "UPDATE events SET hash = sha256(hash) WHERE position = 20")
    assert (await check(store, 4).run(1, 40)).first_bad_position == 20
    assert (await store.verify()).first_bad_position == 20
