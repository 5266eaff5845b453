"""A PostgreSQL connection lost during COMMIT: the store says it cannot know, never "not stored"."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from events.commit_driver import DriverCommit
from events.commits import CommitConnection
from events.engine import make_engine
from events.envelope import NewEvent, StreamState
from events.errors import CommitOutcomeUnknown
from events.planning import BatchPlan, Head, KnownEvent
from events.sql import SqlEventStore
from tests.contract.toy_events import Deposited, ToyEvent, toy_codec

pytestmark = pytest.mark.postgres


class CutBeforeCommit(SqlEventStore[ToyEvent]):
    """The real store, whose connection is terminated by the server once its rows are written."""

    cut = False

    @asynccontextmanager
    async def _committing(self) -> AsyncIterator[CommitConnection]:
        async with super()._committing() as conn:
            yield _CutAfterWrite(conn, self)


class _CutAfterWrite:
    def __init__(self, inner: CommitConnection, store: CutBeforeCommit) -> None:
        self.inner, self.store = inner, store

    async def lock_head(self, stream_ids: Collection[str]) -> Head:
        return await self.inner.lock_head(stream_ids)

    async def known(self, event_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, KnownEvent]:
        return await self.inner.known(event_ids)

    async def write(self, plan: BatchPlan) -> None:
        await self.inner.write(plan)
        if self.store.cut:
            return
        self.store.cut = True
        assert isinstance(self.inner, DriverCommit)
        pid = self.inner.driver.get_server_pid()
        admin = await asyncpg.connect(asyncpg_dsn(self.store._engine))
        try:
            await admin.execute("SELECT pg_terminate_backend($1)", pid)
            for _ in range(1000):  # gone within ten seconds, or the COMMIT below might land
                alive = "SELECT count(*) FROM pg_stat_activity WHERE pid = $1"
                if not await admin.fetchval(alive, pid):
                    break
                await asyncio.sleep(0.01)
        finally:
            await admin.close()


def asyncpg_dsn(engine: AsyncEngine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


async def test_a_commit_cut_off_is_an_unknown_outcome_and_a_retry_lands_once(
    postgres_url: str,
) -> None:
    engine = make_engine(postgres_url)
    try:
        store = CutBeforeCommit(engine, toy_codec())
        event: NewEvent[ToyEvent] = NewEvent(Deposited(amount=5))
        with pytest.raises(CommitOutcomeUnknown) as raised:
            await store.append("account-1", [event], expected_version=StreamState.NO_STREAM)
        assert raised.value.stream_ids == ["account-1"]
        # Here the connection died before COMMIT reached the server, so nothing is stored; the
        # store could not know that. The retry (same event id) lands once on a fresh connection.
        assert await store.read_stream("account-1") == []
        result = await store.append("account-1", [event], expected_version=StreamState.NO_STREAM)
        again = await store.append("account-1", [event], expected_version=StreamState.NO_STREAM)
        assert (result.version, again) == (1, result)
        assert [e.version for e in await store.read_stream("account-1")] == [1]
    finally:
        await engine.dispose()
