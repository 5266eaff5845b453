"""A commit planned from the head this process's last commit left: one statement on
PostgreSQL, and the commit under the head's lock whenever that head or a version is not so."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from events.engine import make_engine
from events.envelope import NewEvent, StreamState
from events.errors import CommitOutcomeUnknown, VersionConflict
from events.sql import SqlEventStore
from tests.contract.toy_events import Deposited, ToyEvent, toy_codec
from tests.statements import statements_on


def deposit(amount: int, event_id: uuid.UUID | None = None) -> list[NewEvent[ToyEvent]]:
    if event_id is None:
        return [NewEvent(Deposited(amount=amount))]
    return [NewEvent(Deposited(amount=amount), event_id=event_id)]


@pytest.mark.postgres
async def test_after_its_own_commit_a_process_commits_in_one_statement_without_a_transaction(
    postgres_url: str,
) -> None:
    engine = make_engine(postgres_url)
    try:
        store = SqlEventStore(engine, toy_codec())
        await store.append("acct-1", deposit(1), expected_version=StreamState.NO_STREAM)
        with statements_on(engine) as statements:
            second = await store.append("acct-1", deposit(2), expected_version=1)
            third = await store.append("acct-2", deposit(3), expected_version=StreamState.NO_STREAM)
        assert len(statements) == 2
        assert all(s.startswith("WITH moved AS (UPDATE event_log_head") for s in statements)
        assert (second.version, second.first_position, third.first_position) == (2, 2, 3)
        assert (await store.verify()).ok
    finally:
        await engine.dispose()


async def test_another_writer_in_between_is_met_by_the_commit_under_the_lock(
    engine: AsyncEngine,
) -> None:
    """Two processes' stores, each's last head made stale by the other's commit."""
    ours, theirs = SqlEventStore(engine, toy_codec()), SqlEventStore(engine, toy_codec())
    for version in range(6):
        writer = ours if version % 2 == 0 else theirs
        expected = version or StreamState.NO_STREAM
        result = await writer.append("acct-shared", deposit(version), expected_version=expected)
        assert (result.version, result.first_position) == (version + 1, version + 1)
    with pytest.raises(VersionConflict):  # `ours` last wrote version 5; the stream is at 6
        await ours.append("acct-shared", deposit(99), expected_version=5)
    assert [e.version for e in await ours.read_stream("acct-shared")] == [1, 2, 3, 4, 5, 6]
    assert (await ours.verify()).ok


async def test_a_stream_not_at_the_version_expected_is_refused_and_nothing_is_written(
    engine: AsyncEngine,
) -> None:
    store = SqlEventStore(engine, toy_codec())
    await store.append("acct-1", deposit(1), expected_version=StreamState.NO_STREAM)
    for expected in (StreamState.NO_STREAM, 0, 2, 5):
        with pytest.raises(VersionConflict):
            await store.append("acct-1", deposit(2), expected_version=expected)
    assert await store.head_position() == 1
    landed = await store.append("acct-1", deposit(3), expected_version=1)
    assert (landed.version, landed.first_position) == (2, 2)
    assert (await store.verify()).ok


async def test_a_repeated_append_is_answered_as_the_original_and_stores_nothing(
    engine: AsyncEngine,
) -> None:
    store = SqlEventStore(engine, toy_codec())
    event_id = uuid.uuid4()
    first = await store.append("acct-1", deposit(1, event_id), expected_version=0)
    await store.append("acct-2", deposit(2), expected_version=StreamState.NO_STREAM)
    again = await store.append("acct-1", deposit(1, event_id), expected_version=0)
    assert again == first
    assert await store.head_position() == 2


async def test_appends_of_one_batch_to_one_stream_keep_their_order_and_refuse_the_stale(
    engine: AsyncEngine,
) -> None:
    store = SqlEventStore(engine, toy_codec())
    await store.append("acct-1", deposit(0), expected_version=StreamState.NO_STREAM)
    outcomes = await asyncio.gather(
        store.append("acct-1", deposit(1), expected_version=1),
        store.append("acct-1", deposit(2), expected_version=2),
        store.append("acct-1", deposit(3), expected_version=2),
        return_exceptions=True,
    )
    assert [getattr(o, "version", None) for o in outcomes[:2]] == [2, 3]
    assert isinstance(outcomes[2], VersionConflict)
    assert [e.version for e in await store.read_stream("acct-1")] == [1, 2, 3]
    assert (await store.verify()).ok


@pytest.mark.postgres
async def test_a_connection_lost_during_the_one_statement_is_an_unknown_outcome(
    postgres_url: str,
) -> None:
    """The statement is its own transaction: cut off, it may or may not have committed."""
    engine = make_engine(postgres_url)
    dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(dsn)
    try:
        store = SqlEventStore(engine, toy_codec())
        await store.append("acct-1", deposit(1), expected_version=StreamState.NO_STREAM)
        event = deposit(2)
        holder = await asyncpg.connect(dsn)
        try:
            # The head's row locked elsewhere holds the statement where it can be cut off.
            transaction = holder.transaction()
            await transaction.start()
            await holder.execute("SELECT position FROM event_log_head FOR UPDATE")
            append = asyncio.create_task(store.append("acct-1", event, expected_version=1))
            pid = await _waiting_on_the_head(admin)
            await admin.execute("SELECT pg_terminate_backend($1)", pid)
            with pytest.raises(CommitOutcomeUnknown) as raised:
                await append
            assert raised.value.stream_ids == ["acct-1"]
            await transaction.rollback()
        finally:
            await holder.close()
        assert [e.version for e in await store.read_stream("acct-1")] == [1]
        retried = await store.append("acct-1", event, expected_version=1)
        again = await store.append("acct-1", event, expected_version=1)
        assert (retried.version, again) == (2, retried)
        assert (await store.verify()).ok
    finally:
        await admin.close()
        await engine.dispose()


async def _waiting_on_the_head(admin: asyncpg.Connection) -> int:
    for _ in range(1000):
        pid = await admin.fetchval(
            "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND query LIKE 'WITH moved AS (UPDATE event_log_head%'"
        )
        if pid is not None:
            return int(pid)
        await asyncio.sleep(0.01)
    raise AssertionError("the commit never waited on the head's lock")
