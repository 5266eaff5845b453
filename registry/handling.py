"""The command handler: the one meeting point of the pure domain and the event store."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import msgspec

from events.envelope import AppendResult, Metadata, NewEvent, StreamState
from events.errors import VersionConflict
from events.store import EventStore
from registry.commands import Command
from registry.event_types import Event
from registry.facts import Facts
from registry.ids import stream_id
from registry.proposal.decide import decide
from registry.proposal.state import Proposal, evolve, fold


@dataclass(frozen=True, slots=True)
class Handled:
    """What a command did: the events it appended, where they landed, the state they left."""

    state: Proposal
    events: tuple[Event, ...]
    result: AppendResult

    @property
    def version(self) -> int:
        """The stream version after the append, the proposal's new ETag."""
        return self.result.version


async def handle(
    command: Command,
    *,
    store: EventStore[Event],
    facts: Facts,
    expected_version: int | None = None,
    metadata: Metadata | None = None,
    authorize: Callable[[Proposal], None] | None = None,
    event_ids: Callable[[int], uuid.UUID] | None = None,
    new_stream: bool = False,
) -> Handled:
    """Read the stream, fold, decide, append at the version read.

    `expected_version` is the client's If-Match: a stale one raises VersionConflict (412) before
    deciding. Without it the append still expects the version the decision was made on, so a
    concurrent writer makes the store raise VersionConflict and nothing is appended.
    `authorize` sees the folded state before the decider does (the caller's access rules need
    the proposal's parties); `event_ids` names the new events by their index, which makes a
    retried command an idempotent append instead of a second one.
    `new_stream` says the caller minted the proposal id just now, so there is no history to read:
    the append still expects no stream, and refuses (VersionConflict) should there be one.
    """
    stream = stream_id(command.proposal_id)
    state = fold([] if new_stream else await store.read_stream(stream))
    if authorize is not None:
        authorize(state)
    # An unknown proposal is the decider's 404 whatever If-Match says: no version is stale yet.
    if expected_version is not None and state.version and expected_version != state.version:
        raise VersionConflict(stream, expected_version, state.version)
    events = decide(command, state, facts)
    result = await store.append(
        stream,
        [
            NewEvent(payload=event, event_id=event_ids(index)) if event_ids else NewEvent(event)
            for index, event in enumerate(events)
        ],
        expected_version=state.version or StreamState.NO_STREAM,
        metadata=_with_actor(metadata, facts),
    )
    for event in events:
        state = evolve(state, event, result.recorded_at)
    return Handled(state=state, events=tuple(events), result=result)


def _with_actor(metadata: Metadata | None, facts: Facts) -> Metadata:
    """The caller's metadata, with who acted filled in from the facts where it is missing."""
    actor = facts.actor
    metadata = metadata or Metadata()
    return msgspec.structs.replace(
        metadata,
        actor=metadata.actor or actor.id,
        role=metadata.role or actor.role.value,
        region=metadata.region or actor.region,
    )
