"""The handler: read, fold, decide, append at the version read; conflicts append nothing."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from events.codec import Codec
from events.envelope import Metadata, RecordedEvent
from events.errors import VersionConflict
from events.memory import InMemoryEventStore
from registry.commands import Review, Withdraw
from registry.errors import IllegalTransition, OverrideRequired
from registry.event_types import EVENT_TYPES, Decision, Event
from registry.handling import handle
from registry.ids import stream_id
from registry.proposal.state import fold
from registry.proposal.status import Status
from tests.unit.builders import (
    OFFICIAL,
    PID,
    REVIEWER,
    facts,
    submit,
    terms,
    ticking_clock,
)

STREAM = stream_id(PID)


@pytest.fixture
def store() -> InMemoryEventStore[Event]:
    return InMemoryEventStore(Codec(EVENT_TYPES), clock=ticking_clock())


APPROVE = Review(proposal_id=PID, decision=Decision.APPROVE)


async def test_a_submission_appends_the_proposal_and_its_assessment(
    store: InMemoryEventStore[Event],
) -> None:
    handled = await handle(submit()[0], store=store, facts=facts())
    history = await store.read_stream(STREAM)
    assert [r.type for r in history] == ["ProposalSubmitted", "ProposalAssessed"]
    assert handled.version == 2
    assert handled.state == fold(history)


async def test_a_submission_on_a_new_id_needs_no_read_and_never_lands_on_a_used_one(
    store: InMemoryEventStore[Event],
) -> None:
    handled = await handle(submit()[0], store=store, facts=facts(), new_stream=True)
    assert handled.version == 2
    assert handled.state == fold(await store.read_stream(STREAM))
    # Told wrongly that the stream is new, the append's expectation still refuses it.
    with pytest.raises(VersionConflict):
        await handle(submit()[0], store=store, facts=facts(), new_stream=True)
    assert len(await store.read_stream(STREAM)) == 2


async def test_who_acted_is_stored_beside_the_events(store: InMemoryEventStore[Event]) -> None:
    metadata = Metadata(correlation_id="c-1", request_id="r-1")
    await handle(submit()[0], store=store, facts=facts(), metadata=metadata)
    stored = (await store.read_stream(STREAM))[0].metadata
    assert stored == Metadata(
        actor=OFFICIAL.id, role="official", region="36.71", correlation_id="c-1", request_id="r-1"
    )


async def test_a_stale_if_match_is_a_version_conflict_and_appends_nothing(
    store: InMemoryEventStore[Event],
) -> None:
    await handle(submit()[0], store=store, facts=facts())
    with pytest.raises(VersionConflict) as conflict:
        await handle(APPROVE, store=store, facts=facts(REVIEWER), expected_version=1)
    assert (conflict.value.expected, conflict.value.actual) == (1, 2)
    assert len(await store.read_stream(STREAM)) == 2


async def test_the_current_if_match_is_accepted(store: InMemoryEventStore[Event]) -> None:
    await handle(submit()[0], store=store, facts=facts())
    handled = await handle(APPROVE, store=store, facts=facts(REVIEWER), expected_version=2)
    assert (handled.version, handled.state.status) == (3, Status.APPROVED)


async def test_a_refused_command_appends_nothing(store: InMemoryEventStore[Event]) -> None:
    await handle(submit(terms(legal_basis=()))[0], store=store, facts=facts())
    with pytest.raises(OverrideRequired):
        await handle(APPROVE, store=store, facts=facts(REVIEWER))
    assert len(await store.read_stream(STREAM)) == 2


async def test_a_second_submission_of_the_same_proposal_is_illegal(
    store: InMemoryEventStore[Event],
) -> None:
    await handle(submit()[0], store=store, facts=facts())
    with pytest.raises(IllegalTransition):
        await handle(submit()[0], store=store, facts=facts())


class InterleavingStore(InMemoryEventStore[Event]):
    """Yields to other tasks after every read, so two writers decide on the same version."""

    async def read_stream(
        self,
        stream_id: str,
        *,
        from_version: int = 1,
        to_version: int | None = None,
        until: dt.datetime | None = None,
    ) -> list[RecordedEvent[Event]]:
        history = await super().read_stream(
            stream_id, from_version=from_version, to_version=to_version, until=until
        )
        await asyncio.sleep(0)
        return history


async def test_of_two_concurrent_writers_one_wins_and_the_other_conflicts() -> None:
    store = InterleavingStore(Codec(EVENT_TYPES), clock=ticking_clock())
    await handle(submit()[0], store=store, facts=facts())
    withdraw = Withdraw(proposal_id=PID, reason="Anggaran dialihkan")
    results = await asyncio.gather(
        handle(APPROVE, store=store, facts=facts(REVIEWER)),
        handle(withdraw, store=store, facts=facts()),
        return_exceptions=True,
    )
    assert sum(isinstance(r, VersionConflict) for r in results) == 1
    assert len(await store.read_stream(STREAM)) == 3
