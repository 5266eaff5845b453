"""The stored proposal JSON served as it is, and what its driver-level read does on a lost link."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec
import pytest
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from events.engine import make_engine
from events.outages import database_unreachable
from projections.documents import proposal_document
from projections.projector import Projector
from projections.queries import get_proposal
from registry.ids import ProposalId
from registry.proposal.view import ProposalView
from tests.databases import end_every_connection
from tests.projections.histories import lifecycle, open_store, submit

TODAY = dt.date(2027, 6, 1)


async def test_the_document_is_the_stored_proposal_and_none_when_unknown(
    engine: AsyncEngine, projector: Projector
) -> None:
    store = open_store(engine)
    pid, _ = await lifecycle(store)
    assert await projector.wait_for(await store.head_position(), within=10)
    document = await proposal_document(engine, pid, TODAY)
    assert document is not None
    assert msgspec.json.decode(document, type=ProposalView) == await get_proposal(
        engine, pid, today=TODAY
    )
    unknown = await proposal_document(engine, ProposalId(uuid.uuid4()), TODAY)
    assert unknown is None


@pytest.mark.postgres
async def test_after_the_server_ends_every_connection_the_next_read_gets_a_fresh_one(
    postgres_url: str,
) -> None:
    engine = make_engine(postgres_url)
    projector = Projector(engine, poll_interval=0.05)
    await projector.start()
    try:
        store = open_store(engine)
        pid, handled = await submit(store)
        assert await projector.wait_for(handled.result.last_position, within=10)
        await projector.stop()
        assert await proposal_document(engine, pid, TODAY) is not None
        await end_every_connection(engine)

        # SQLAlchemy's own error: it met the lost connection and retired the pool's generation.
        with pytest.raises(DBAPIError) as lost:
            await proposal_document(engine, pid, TODAY)
        assert database_unreachable(lost.value)
        # The pool's other connections died in the same moment: none of them is handed out.
        assert await proposal_document(engine, pid, TODAY) is not None
    finally:
        await projector.stop()
        await engine.dispose()
