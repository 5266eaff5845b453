"""What every proposal command shares: authorize on the folded state, `handle`, count, wait."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from litestar import Response
from litestar.datastructures import ResponseHeader

from events.envelope import Metadata
from registry.access import Action, Principal, authorize, parties_of
from registry.api.observability import COMMANDS, EVENTS_APPENDED
from registry.api.reading import ReadSide
from registry.commands import Command, command_name
from registry.facts import Facts
from registry.handling import Handled, handle
from registry.proposal.state import Proposal
from registry.proposal.view import ProposalView
from registry.services import Services

ETAG_HEADER = ResponseHeader(
    name="ETag", description="the proposal's version", documentation_only=True
)


def proposal_response(view: ProposalView, status_code: int = 200) -> Response[ProposalView]:
    headers = {"ETag": f'"{view.version}"'}
    if status_code == 201:
        headers["Location"] = f"/v1/proposals/{view.id}"
    return Response(view, status_code=status_code, headers=headers)


def authorizer(principal: Principal, action: Action) -> Callable[[Proposal], None]:
    def check(state: Proposal) -> None:
        if state.terms is not None:  # an unknown proposal is the decider's 404, not a 403
            authorize(principal, action, parties_of(state))

    return check


async def run_command(
    command: Command,
    action: Action,
    *,
    metadata: Metadata,
    services: Services,
    principal: Principal,
    read_side: ReadSide,
    expected: int | None,
    event_ids: Callable[[int], uuid.UUID] | None = None,
    new_stream: bool = False,
) -> Handled:
    handled = await handle(
        command,
        store=services.store,
        facts=Facts(
            reference=services.reference, ruleset=services.ruleset, actor=principal.actor()
        ),
        expected_version=expected,
        metadata=metadata,
        authorize=authorizer(principal, action),
        event_ids=event_ids,
        new_stream=new_stream,
    )
    COMMANDS.labels(command_name(command)).inc()
    EVENTS_APPENDED.inc(len(handled.events))
    await read_side.caught_up(handled.result.last_position)
    return handled
