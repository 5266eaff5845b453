"""Lists from the read models: proposals with filters, the review queue, statistics."""

from __future__ import annotations

import functools
from typing import Annotated, Any

from litestar import Controller, MediaType, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, QueryParameter

from projections.page_cache import page_key
from projections.page_json import proposal_page_json
from projections.queries import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    ProposalFilter,
    ProposalPage,
    QueuePage,
    review_queue,
)
from projections.summaries import RegionSummary, SdgStats, region_summary, sdg_stats
from registry.access import Action, Principal, authorize
from registry.api.documentation import READ, READ_ONE
from registry.clock import today
from registry.facts import Role
from registry.services import Services

Limit = Annotated[int, QueryParameter(name="limit", ge=1, le=MAX_LIMIT)]
Cursor = Annotated[
    str | None, QueryParameter(name="cursor", max_length=100, description="from `next_cursor`")
]
Text = Annotated[str | None, QueryParameter(max_length=200)]
RegionCode = Annotated[str | None, QueryParameter(pattern=r"^\d{2}(\.\d{2})?$", max_length=5)]
Country = Annotated[str | None, QueryParameter(pattern=r"^[A-Z]{2}$")]
Sdg = Annotated[
    str | None,
    QueryParameter(
        pattern=r"^\d{1,2}(\.[0-9a-z]{1,2})?$", description="a goal (11) or target (11.6)"
    ),
]


async def proposal_page(
    services: Services,
    principal: Principal,
    filters: ProposalFilter,
    limit: int,
    cursor: str | None,
) -> Response[ProposalPage]:
    """The page as the read model's documents spliced into it (`page_json.py`): documented,
    and byte for byte encoded, as the ProposalPage it is."""
    authorize(principal, Action.READ)
    page = await proposal_page_body(services, filters, limit, cursor)
    answer: Response[Any] = Response(page, media_type=MediaType.JSON)
    return answer


async def proposal_page_body(
    services: Services, filters: ProposalFilter, limit: int, cursor: str | None
) -> bytes:
    """The JSON of the page, as the route and the fast list (`fast_list.py`) answer it: the
    kept page while the read model has not moved since it was read (`page_cache.py`)."""
    day = today()
    return await services.pages.page(
        page_key(filters, limit, cursor, day),
        functools.partial(
            proposal_page_json,
            services.reader,
            filters,
            limit=limit,
            cursor=cursor,
            today=day,
            pool=services.hot_reads,
        ),
    )


class ListRoutes(Controller):
    path = "/v1"
    tags = ("reading",)

    @get(
        "/review-queue",
        summary="Proposals awaiting review, oldest first",
        description="A reviewer never sees the proposals its own region is a party to.",
        responses=READ,
    )
    async def queue(
        self,
        services: NamedDependency[Services],
        principal: NamedDependency[Principal],
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> QueuePage:
        authorize(principal, Action.READ)
        own = principal.region if principal.role is Role.REVIEWER else None
        return await review_queue(services.reader, reviewer_region=own, limit=limit, cursor=cursor)

    @get(
        "/stats/sdgs",
        summary="Per SDG goal: proposals by status",
        tags=["statistics"],
        responses=READ,
    )
    async def sdgs(
        self, services: NamedDependency[Services], principal: NamedDependency[Principal]
    ) -> SdgStats:
        authorize(principal, Action.READ)
        return await sdg_stats(services.reader, today=today())

    @get(
        "/regions/{code:str}/summary",
        summary="A region's proposals by status, partners and countries",
        tags=["statistics"],
        responses=READ_ONE,
    )
    async def region(
        self,
        code: FromPath[str],
        services: NamedDependency[Services],
        principal: NamedDependency[Principal],
    ) -> RegionSummary:
        authorize(principal, Action.READ)
        if code not in services.reference.regions:
            raise NotFoundException(f"{code} is not a Kemendagri region code")
        return await region_summary(services.reader, code, today=today())
