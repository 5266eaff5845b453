"""Turns a batch of logged events into per-proposal changes (state before, state after).

Every projection sees the same changes, folded with the domain's own `evolve`, so that the
live path, a rebuild and time travel can never disagree about what a proposal was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from events.codec import Codec
from events.envelope import RecordedEvent
from events.records import STORED_COLUMNS, to_recorded
from events.schema import events
from registry.event_types import EVENT_TYPES, Event
from registry.ids import STREAM_PREFIX
from registry.proposal.state import Proposal, evolve, fold, initial_state

CODEC: Codec[Event] = Codec(EVENT_TYPES)
ROW_COLUMNS = tuple(events.c[name] for name in STORED_COLUMNS)


class Change(msgspec.Struct, frozen=True):
    """One proposal's state before and after the events of a batch; `position` is the last."""

    before: Proposal
    after: Proposal
    seq: int
    position: int


async def read_batch(
    conn: AsyncConnection, after: int, limit: int, *, to_position: int | None = None
) -> list[RecordedEvent[Event]]:
    """Events after a position, in log order, read on the caller's transaction."""
    query = select(*ROW_COLUMNS).where(events.c.position > after)
    if to_position is not None:
        query = query.where(events.c.position <= to_position)
    rows = (await conn.execute(query.order_by(events.c.position).limit(limit))).all()
    return [to_recorded(CODEC, row) for row in rows]


async def changes_of(conn: AsyncConnection, batch: Sequence[RecordedEvent[Event]]) -> list[Change]:
    """One Change per proposal the batch touches, in the order the batch first touched it."""
    touched = _by_stream(batch)
    if not touched:
        return []
    # A stream whose first event here is its first of all has no history to fold: a batch of
    # submissions needs no query for it.
    continuing = [stream for stream, recorded in touched.items() if recorded[0].version > 1]
    before = await _states_before(conn, continuing, batch[0].position) if continuing else {}
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


async def _states_before(
    conn: AsyncConnection, streams: list[str], first_position: int
) -> dict[str, tuple[Proposal, int]]:
    """Each stream's state and first position from its events before the batch (one query).

    Refolding from the log rather than keeping state in a read model keeps every projection
    independent of the others' progress; proposal streams are short, so this stays cheap.
    """
    query = (
        select(*ROW_COLUMNS)
        .where(events.c.stream_id.in_(streams), events.c.position < first_position)
        .order_by(events.c.stream_id, events.c.version)
    )
    histories: dict[str, list[RecordedEvent[Event]]] = {}
    for row in (await conn.execute(query)).all():
        histories.setdefault(row[1], []).append(to_recorded(CODEC, row))
    return {stream: (fold(history), history[0].position) for stream, history in histories.items()}
