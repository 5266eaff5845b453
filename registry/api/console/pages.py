"""The console's reading pages: dashboard, lists, the review queue, one proposal, its past."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, QueryParameter
from litestar.response import Template

from projections.queries import ProposalFilter, list_proposals, review_queue
from projections.summaries import region_activity, sdg_stats
from registry.access import Principal
from registry.api.console.rendering import page
from registry.api.reading import ReadSide
from registry.clock import today
from registry.console.actions import available_actions
from registry.console.charts import Bar, bar_chart, sdg_colour
from registry.console.i18n import Lang
from registry.facts import Role
from registry.ids import ProposalId
from registry.principles.model import Verdict
from registry.proposal.status import Status
from registry.proposal.view import ProposalView
from registry.services import Services

TOP_REGIONS = 10
Text = Annotated[str | None, QueryParameter(max_length=200)]


async def proposal_context(
    read_side: ReadSide, principal: Principal, proposal_id: ProposalId
) -> dict[str, Any]:
    """What the proposal page shows now: the view, its timeline, the forms on offer."""
    view = await read_side.current(proposal_id)
    if view is None:
        raise NotFoundException(f"proposal {proposal_id} is unknown")
    return {
        "view": view,
        "history": await read_side.history(proposal_id),
        "actions": available_actions(principal, view),
        "failing": view.assessment.failing() if view.assessment else (),
    }


class ConsolePages(Controller):
    path = "/console"
    include_in_schema = False

    @get("/")
    async def dashboard(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        principal: NamedDependency[Principal],
        lang: NamedDependency[Lang],
    ) -> Template:
        stats = await sdg_stats(services.reader, today=today())
        goals = [
            Bar(
                label=f"{g.goal}. {g.title_id if lang is Lang.ID else g.title_en}",
                value=g.proposals,
                colour=sdg_colour(g.goal),
            )
            for g in stats.goals
        ]
        regions = [
            Bar(label=f"{services.reference.region_name(code) or code} ({code})", value=count)
            for code, count in await region_activity(services.reader, TOP_REGIONS)
        ]
        return page(
            request,
            "dashboard.html",
            lang=lang,
            principal=principal,
            sdg_chart=bar_chart(goals),
            region_chart=bar_chart(regions),
        )

    @get("/proposals")
    async def proposals(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        principal: NamedDependency[Principal],
        lang: NamedDependency[Lang],
        status: Annotated[Status | None, QueryParameter()] = None,
        outcome: Annotated[Verdict | None, QueryParameter()] = None,
        q: Text = None,
        cursor: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> Template:
        # An official works on its own region's proposals; everyone else sees the registry.
        region = principal.region if principal.role is Role.OFFICIAL else None
        filters = ProposalFilter(status=status, outcome=outcome, q=q or None, region=region)
        found = await list_proposals(
            services.reader, filters, limit=25, cursor=cursor, today=today()
        )
        return page(
            request,
            "proposals.html",
            lang=lang,
            principal=principal,
            page=found,
            filters=filters,
            statuses=[s for s in Status if s is not Status.NEW],
            verdicts=list(Verdict),
        )

    @get("/queue")
    async def queue(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        principal: NamedDependency[Principal],
        lang: NamedDependency[Lang],
        cursor: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> Template:
        own = principal.region if principal.role is Role.REVIEWER else None
        found = await review_queue(services.reader, reviewer_region=own, limit=25, cursor=cursor)
        return page(request, "queue.html", lang=lang, principal=principal, page=found)

    @get("/proposals/{proposal_id:uuid}")
    async def proposal(
        self,
        request: Request[Any, Any, Any],
        proposal_id: FromPath[ProposalId],
        principal: NamedDependency[Principal],
        read_side: NamedDependency[ReadSide],
        lang: NamedDependency[Lang],
        as_of: Annotated[str | None, QueryParameter(max_length=40)] = None,
        saved: Annotated[str | None, QueryParameter(max_length=40)] = None,
    ) -> Template:
        context = await proposal_context(read_side, principal, proposal_id)
        past = await self._as_of(read_side, proposal_id, as_of) if as_of else None
        return page(
            request,
            "proposal.html",
            lang=lang,
            principal=principal,
            saved=saved,
            as_of=as_of,
            past=past,
            **context,
        )

    @staticmethod
    async def _as_of(read_side: ReadSide, proposal_id: ProposalId, text: str) -> ProposalView | str:
        """The proposal at the end of the given moment (UTC), or why there is none."""
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return "as_of"
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        state = await read_side.state(proposal_id, until=moment)
        return "did_not_exist" if state.terms is None else read_side.view(state)
