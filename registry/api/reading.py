"""The read side as the routes see it: read models, time travel, and read-your-writes."""

from __future__ import annotations

import datetime as dt

import structlog

from events.envelope import RecordedEvent
from events.outages import database_unreachable
from projections.documents import proposal_document
from projections.queries import get_proposal
from registry.clock import today
from registry.event_types import Event
from registry.ids import ProposalId, stream_id
from registry.proposal.state import Proposal, fold
from registry.proposal.view import ProposalView, proposal_view
from registry.services import Services

log = structlog.get_logger(__name__)


class ReadSide:
    def __init__(self, services: Services) -> None:
        self._services = services

    async def document(self, proposal_id: ProposalId) -> bytes | None:
        """The stored JSON of the proposal when it can be served as it is (the common case)."""
        return await proposal_document(self._services.reader, proposal_id, today())

    async def current(self, proposal_id: ProposalId) -> ProposalView | None:
        """The proposal from its read model; folded from the log if not projected yet."""
        view = await get_proposal(self._services.reader, proposal_id, today=today())
        if view is not None:
            return view
        state = await self.state(proposal_id)
        return None if state.terms is None else self.view(state)

    async def history(
        self, proposal_id: ProposalId, *, up_to: int | None = None, until: dt.datetime | None = None
    ) -> list[RecordedEvent[Event]]:
        return await self._services.store.read_stream(
            stream_id(proposal_id), to_version=up_to, until=until
        )

    async def state(
        self, proposal_id: ProposalId, *, up_to: int | None = None, until: dt.datetime | None = None
    ) -> Proposal:
        """The proposal folded with the live path's `evolve`, now or as it stood then."""
        return fold(await self.history(proposal_id, up_to=up_to, until=until))

    def view(self, state: Proposal) -> ProposalView:
        return proposal_view(state, self._services.reference, self._services.ruleset, today=today())

    async def caught_up(self, position: int) -> None:
        """Answer a command only once a GET by anyone shows what it did (read your writes)."""
        # The event is committed: answering an error now would tell the client it was not.
        try:
            reached = await self._services.caught_up(position)
        except Exception as error:
            if not database_unreachable(error):
                raise
            log.warning("read_your_writes_unavailable", position=position, error=str(error))
            return
        if not reached:
            log.warning("read_your_writes_timed_out", position=position)
