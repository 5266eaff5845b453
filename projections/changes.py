"""Turns a batch of logged events into per-proposal changes (state before, state after).

Every projection sees the same changes, folded with the domain's own `evolve`, so that the
live path, a rebuild and time travel can never disagree about what a proposal was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import msgspec

from events.codec import Codec
from events.envelope import RecordedEvent
from registry.event_types import EVENT_TYPES, Event
from registry.ids import STREAM_PREFIX
from registry.proposal.state import Proposal, evolve, fold, initial_state

CODEC: Codec[Event] = Codec(EVENT_TYPES)


class Change(msgspec.Struct, frozen=True):
    """One proposal's state before and after the events of a batch; `position` is the last."""

    before: Proposal
    after: Proposal
    seq: int
    position: int


class History(Protocol):
    async def history(self, streams: Sequence[str], before: int) -> list[RecordedEvent[Event]]:
        """The streams' events before a log position, by stream and version."""
        ...


async def changes_of(source: History, batch: Sequence[RecordedEvent[Event]]) -> list[Change]:
    """One Change per proposal the batch touches, in the order the batch first touched it."""
    touched = _by_stream(batch)
    if not touched:
        return []
    # A stream whose first event here is its first of all has no history to fold: a batch of
    # submissions needs no query for it.
    continuing = [stream for stream, recorded in touched.items() if recorded[0].version > 1]
    history = await source.history(continuing, batch[0].position) if continuing else []
    before = _states_before(history)
    changes = []
    for stream, recorded in touched.items():
        start = before.get(stream) or (initial_state(), 0)
        state, seq = start
        for event in recorded:
            state = evolve(state, event.payload, event.recorded_at)
            seq = seq or event.position
        changes.append(Change(start[0], state, seq, recorded[-1].position))
    return changes


def _by_stream(batch: Sequence[RecordedEvent[Any]]) -> dict[str, list[RecordedEvent[Any]]]:
    touched: dict[str, list[RecordedEvent[Any]]] = {}
    for event in batch:
        if event.stream_id.startswith(STREAM_PREFIX):
            touched.setdefault(event.stream_id, []).append(event)
    return touched


def _states_before(history: Sequence[RecordedEvent[Event]]) -> dict[str, tuple[Proposal, int]]:
    """Each stream's state and first position from its events before the batch.

    Refolding from the log rather than keeping state in a read model keeps every projection
    independent of the others' progress; proposal streams are short, so this stays cheap.
    """
    histories: dict[str, list[RecordedEvent[Event]]] = {}
    for event in history:
        histories.setdefault(event.stream_id, []).append(event)
    return {stream: (fold(events), events[0].position) for stream, events in histories.items()}
