"""Fixtures of the projection tests: a store and a running projector on each backend."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from projections.projector import Projector
from tests.projections.histories import Store, open_store


@pytest.fixture
def store(engine: AsyncEngine) -> Store:
    return open_store(engine)


@pytest.fixture
async def projector(engine: AsyncEngine) -> AsyncIterator[Projector]:
    running = Projector(engine, poll_interval=0.05)
    await running.start()
    yield running
    await running.stop()
