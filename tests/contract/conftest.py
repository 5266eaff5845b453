"""The store under test: in memory, on SQLite and on PostgreSQL, for one shared contract."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from events.engine import make_engine
from events.memory import InMemoryEventStore
from events.sql import SqlEventStore
from events.store import EventStore
from tests.conftest import SQL_BACKENDS, provide_database
from tests.contract.toy_events import ToyEvent, toy_codec


@pytest.fixture(params=["memory", *SQL_BACKENDS])
def store_backend(request: pytest.FixtureRequest) -> Iterator[str | None]:
    if request.param == "memory":
        yield None
        return
    yield from provide_database(request, request.param)


@pytest.fixture
async def store(store_backend: str | None) -> AsyncIterator[EventStore[ToyEvent]]:
    if store_backend is None:
        yield InMemoryEventStore(toy_codec())
        return
    engine = make_engine(store_backend)
    yield SqlEventStore(engine, toy_codec())
    await engine.dispose()
