"""The auditors' routes: the global log, chain verification, replays, tree heads and proofs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Stream

from events.schema import MAX_POSITION
from projections.rebuild import RebuildReport, rebuild
from registry.access import Action, Principal, authorize
from registry.api.documentation import AUDIT, problems
from registry.api.schemas import EventPage, Head, VerificationReport, event_item
from registry.audit.bundle import PublicKey
from registry.audit.keys import ALGORITHM, key_id, public_pem, signing_key
from registry.audit.proofs import AuditTrail, ConsistencyProof, InclusionProof
from registry.audit.tree_head import SignedTreeHead
from registry.services import Services

NDJSON = "application/x-ndjson"
MAX_PAGE = 1000
PROOFS = problems(400, 401, 403, 404, 409, 422, 429)
Size = Annotated[
    int | None,
    QueryParameter(
        ge=0, le=MAX_POSITION, description="the tree size (number of leading events); default: all"
    ),
]


def audit_trail(services: Services) -> AuditTrail:
    return AuditTrail(services.engine, services.store, services.settings.signing_key_file)


async def log_lines(
    services: Services, after: int = 0, page_size: int = MAX_PAGE
) -> AsyncIterator[bytes]:
    """The global log after a position as NDJSON, one event a line, streamed page by page.

    Each page is read whole before it is sent: a read holds its database connection while it
    is iterated, and a slow client must not hold one for as long as it takes to download.
    """
    encoder = msgspec.json.Encoder()
    while True:
        page = [e async for e in services.store.read_all(after_position=after, limit=page_size)]
        for recorded in page:
            yield encoder.encode(event_item(recorded, with_stream=True)) + b"\n"
        if len(page) < page_size:
            return
        after = page[-1].position


class AuditRoutes(Controller):
    path = "/v1"
    tags = ("audit",)

    @get(
        "/events",
        summary="The global event log in order",
        description=f"JSON pages by default; `Accept: {NDJSON}` streams every event after `after`.",
        responses={**AUDIT, **problems(400)},
    )
    async def log(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        principal: NamedDependency[Principal],
        after: Annotated[int, QueryParameter(name="after", ge=0, le=MAX_POSITION)] = 0,
        limit: Annotated[int, QueryParameter(name="limit", ge=1, le=MAX_PAGE)] = 100,
    ) -> Response[EventPage] | Stream:
        authorize(principal, Action.READ_LOG)
        if NDJSON in request.headers.get("accept", ""):
            return Stream(log_lines(services, after), media_type=NDJSON)
        items = [
            event_item(recorded, with_stream=True)
            async for recorded in services.store.read_all(after_position=after, limit=limit)
        ]
        next_after = items[-1].position if len(items) == limit else None
        return Response(EventPage(items=items, next_after=next_after))

    @post(
        "/audit/replays",
        summary="Rebuild every read model beside the live ones and report each difference",
        status_code=200,
        responses=AUDIT,
    )
    async def replay(
        self, services: NamedDependency[Services], principal: NamedDependency[Principal]
    ) -> RebuildReport:
        authorize(principal, Action.AUDIT)
        # Folding stays in other processes: this one goes on serving requests meanwhile.
        return await rebuild(services.engine, swap=False, check=True, fold_here=False)

    @get(
        "/audit/verification", summary="Recompute the hash chain of the whole log", responses=AUDIT
    )
    async def verification(
        self, services: NamedDependency[Services], principal: NamedDependency[Principal]
    ) -> VerificationReport:
        authorize(principal, Action.AUDIT)
        result = await services.store.verify()
        return VerificationReport(
            ok=result.ok,
            events_checked=result.events_checked,
            head=Head(position=result.head_position, hash=result.head_hash.hex()),
            first_bad_position=result.first_bad_position,
        )

    @get(
        "/audit/public-key",
        summary="The Ed25519 key that signs tree heads, and its key id (SHA-256 of the raw key)",
        responses=AUDIT,
    )
    async def public_key(
        self, services: NamedDependency[Services], principal: NamedDependency[Principal]
    ) -> PublicKey:
        authorize(principal, Action.AUDIT)
        public = signing_key(services.settings.signing_key_file).public_key()
        return PublicKey(algorithm=ALGORITHM, key_id=key_id(public), pem=public_pem(public))

    @get(
        "/audit/tree-head",
        summary="A signed head of the RFC 9162 Merkle tree over the first `size` events",
        description="Leaves are the events' stored chain hashes, in position order.",
        responses={**AUDIT, **problems(400, 404, 409)},
    )
    async def tree_head(
        self,
        services: NamedDependency[Services],
        principal: NamedDependency[Principal],
        size: Size = None,
    ) -> SignedTreeHead:
        authorize(principal, Action.AUDIT)
        return await audit_trail(services).tree_head(size)

    @get(
        "/audit/proofs/inclusion",
        summary="RFC 9162 inclusion proof of the event at `position` in the tree of `size`",
        responses=PROOFS,
    )
    async def inclusion(
        self,
        services: NamedDependency[Services],
        principal: NamedDependency[Principal],
        position: Annotated[
            int, QueryParameter(ge=1, le=MAX_POSITION, description="the event's position")
        ],
        size: Size = None,
    ) -> InclusionProof:
        authorize(principal, Action.AUDIT)
        return await audit_trail(services).inclusion(position, size)

    @get(
        "/audit/proofs/consistency",
        summary="RFC 9162 consistency proof: the tree of `second` extends the tree of `first`",
        responses=PROOFS,
    )
    async def consistency(
        self,
        services: NamedDependency[Services],
        principal: NamedDependency[Principal],
        first: Annotated[
            int, QueryParameter(ge=1, le=MAX_POSITION, description="the earlier tree size")
        ],
        second: Annotated[
            int | None,
            QueryParameter(ge=1, le=MAX_POSITION, description="the later tree size; default: all"),
        ] = None,
    ) -> ConsistencyProof:
        authorize(principal, Action.AUDIT)
        return await audit_trail(services).consistency(first, second)
