"""The database itself refuses changes to the log, and verify finds changes made behind its back."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from events.envelope import NewEvent
from events.sql import SqlEventStore
from tests.contract.toy_events import Deposited, ToyEvent, toy_codec


async def filled_store(engine: AsyncEngine, events: int = 10) -> SqlEventStore[ToyEvent]:
    store = SqlEventStore(engine, toy_codec())
    for amount in range(events):
        await store.append(f"acct-{amount % 3}", [NewEvent(Deposited(amount=amount))])
    return store


async def bypassing_guards(
    engine: AsyncEngine, statement: str, params: dict[str, object] | None = None
) -> None:
    """Change the log the way an operator with superuser rights could, around the triggers."""
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            for trigger in ("events_no_update", "events_no_delete"):
                await conn.execute(text(f"DROP TRIGGER {trigger}"))
        await conn.execute(text(statement), params or {})


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET data = data WHERE position = 1",
        "DELETE FROM events WHERE position = 1",
        "DELETE FROM events",
    ],
)
async def test_the_database_refuses_to_change_or_remove_events(
    engine: AsyncEngine, statement: str
) -> None:
    await filled_store(engine, 3)
    with pytest.raises(DBAPIError, match="append-only"):
        async with engine.begin() as conn:
            await conn.execute(text(statement))
    assert (await SqlEventStore(engine, toy_codec()).verify()).events_checked == 3


# SQLite has no TRUNCATE; its DELETE trigger covers a delete of every row.
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_postgres_refuses_truncate(engine: AsyncEngine) -> None:
    await filled_store(engine, 1)
    with pytest.raises(DBAPIError, match="append-only"):
        async with engine.begin() as conn:
            await conn.execute(text("TRUNCATE events"))


async def test_the_head_cannot_move_back_or_vanish(engine: AsyncEngine) -> None:
    await filled_store(engine, 2)
    for statement in ("UPDATE event_log_head SET position = 1", "DELETE FROM event_log_head"):
        with pytest.raises(DBAPIError):
            async with engine.begin() as conn:
                await conn.execute(text(statement))


async def test_verify_finds_a_changed_payload_at_its_position(engine: AsyncEngine) -> None:
    store = await filled_store(engine)
    await bypassing_guards(
        engine,
        "UPDATE events SET data = :data WHERE position = 6",
        {"data": b'{"type":"Deposited","amount":999}'},
    )
    result = await store.verify()
    assert not result.ok
    assert result.first_bad_position == 6
    assert result.events_checked == 5


async def test_verify_finds_changed_metadata(engine: AsyncEngine) -> None:
    store = await filled_store(engine)
    await bypassing_guards(engine, "UPDATE events SET stream_id = 'acct-9' WHERE position = 3")
    assert (await store.verify()).first_bad_position == 3


async def test_verify_finds_a_deleted_event_as_a_gap(engine: AsyncEngine) -> None:
    store = await filled_store(engine)
    await bypassing_guards(engine, "DELETE FROM events WHERE position = 4")
    assert (await store.verify()).first_bad_position == 4


async def test_verify_finds_events_cut_from_the_end(engine: AsyncEngine) -> None:
    store = await filled_store(engine)
    await bypassing_guards(engine, "DELETE FROM events WHERE position > 8")
    assert (await store.verify()).first_bad_position == 9


async def test_verify_of_a_range_before_the_change_is_still_ok(engine: AsyncEngine) -> None:
    store = await filled_store(engine)
    await bypassing_guards(engine, "UPDATE events SET version = 7 WHERE position = 9")
    assert (await store.verify(1, 8)).ok
    assert (await store.verify(5)).first_bad_position == 9
