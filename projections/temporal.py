"""Time travel: a proposal as it stood at a time or a version, folded from its own events.

The fold is the domain's `evolve`, the one the live projection uses, and the view is the same
`proposal_view`, so a past Proposal has exactly the shape of a live one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from events.envelope import RecordedEvent
from events.store import EventStore
from registry.event_types import Event
from registry.ids import ProposalId, stream_id
from registry.principles import load_ruleset
from registry.proposal.state import fold
from registry.proposal.view import ProposalView, proposal_view
from registry.reference import load_reference


def _view(history: Sequence[RecordedEvent[Any]], today: dt.date | None) -> ProposalView | None:
    if not history:
        return None
    return proposal_view(fold(history), load_reference(), load_ruleset(), today=today)


async def proposal_as_of(
    store: EventStore[Event], proposal_id: ProposalId, moment: dt.datetime
) -> ProposalView | None:
    """The proposal as recorded at `moment` (read on that day); None if it did not exist yet."""
    if moment.tzinfo is None:
        raise ValueError("an as-of time needs a timezone")
    history = await store.read_stream(stream_id(proposal_id), until=moment)
    return _view(history, moment.astimezone(dt.UTC).date())


async def proposal_at_version(
    store: EventStore[Event],
    proposal_id: ProposalId,
    version: int,
    *,
    today: dt.date | None = None,
) -> ProposalView | None:
    """The proposal after its first `version` events; None if it never reached that version."""
    if version < 1:
        return None
    history = await store.read_stream(stream_id(proposal_id), to_version=version)
    if len(history) < version:
        return None
    return _view(history, today)
