"""Proposal reads: the current proposal, the proposal as it stood then, and its events."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from litestar import Controller, MediaType, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromPath, QueryParameter

from events.schema import MAX_VERSION
from registry.access import Action, Principal, authorize
from registry.api.commanding import proposal_response
from registry.api.documentation import (
    GET_PROPOSAL,
    GET_PROPOSAL_EVENTS,
    READ_ONE,
    ProposalOperation,
)
from registry.api.reading import ReadSide
from registry.api.schemas import EventItem, VersionOnly, event_item
from registry.ids import ProposalId
from registry.proposal.view import ProposalView

AsOf = Annotated[
    dt.datetime | None,
    QueryParameter(
        name="as_of",
        required=False,
        description="RFC 3339 time with a zone: the proposal as it stood then, rebuilt from events",
    ),
]
AtVersion = Annotated[
    int | None,
    QueryParameter(
        name="version",
        required=False,
        ge=1,
        le=MAX_VERSION,
        description="the proposal as it stood at this version",
    ),
]


_version_of = msgspec.json.Decoder(VersionOnly)


def stored_etag(document: bytes) -> str:
    """The ETag of a stored Proposal: its version, read without decoding the rest."""
    return f'"{_version_of.decode(document).version}"'


def stored_response(document: bytes) -> Response[bytes]:
    """The read model's bytes as they are: no decoding and encoding on the hottest route."""
    return Response(document, media_type=MediaType.JSON, headers={"ETag": stored_etag(document)})


# The detail route, which `fast_read.py` answers before Litestar in its common case.
DETAIL = "/{proposal_id:uuid}"


class ProposalReads(Controller):
    path = "/v1/proposals"
    tags = ("proposals",)

    @get(
        DETAIL,
        summary="A proposal, now or as of a time or version",
        operation_id=GET_PROPOSAL,
        operation_class=ProposalOperation,
        responses=READ_ONE,
    )
    async def detail(
        self,
        proposal_id: FromPath[ProposalId],
        principal: NamedDependency[Principal],
        read_side: NamedDependency[ReadSide],
        as_of: AsOf = None,
        version: AtVersion = None,
    ) -> Response[ProposalView] | Response[bytes]:
        authorize(principal, Action.READ)
        if as_of is None and version is None:
            stored = await read_side.document(proposal_id)
            if stored is not None:
                return stored_response(stored)
        if as_of is not None and as_of.tzinfo is None:
            raise ValidationException(
                "as_of needs a time zone", extra=[{"key": "as_of", "message": "add Z or +07:00"}]
            )
        if as_of is None and version is None:
            current = await read_side.current(proposal_id)
            if current is None:
                raise NotFoundException(f"proposal {proposal_id} is unknown")
            return proposal_response(current)
        state = await read_side.state(proposal_id, up_to=version, until=as_of)
        if state.terms is None or (version is not None and state.version < version):
            raise NotFoundException(f"proposal {proposal_id} did not exist then")
        return proposal_response(read_side.view(state))

    @get(
        "/{proposal_id:uuid}/events",
        summary="A proposal's events in order",
        operation_id=GET_PROPOSAL_EVENTS,
        responses=READ_ONE,
    )
    async def events(
        self,
        proposal_id: FromPath[ProposalId],
        principal: NamedDependency[Principal],
        read_side: NamedDependency[ReadSide],
    ) -> list[EventItem]:
        authorize(principal, Action.READ)
        history = await read_side.history(proposal_id)
        if not history:
            raise NotFoundException(f"proposal {proposal_id} is unknown")
        return [event_item(recorded, with_stream=False) for recorded in history]
