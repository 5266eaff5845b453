"""The auditors' console: the log, chain verification, replay against the live models, export."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Stream, Template

from events.schema import MAX_POSITION
from projections.rebuild import rebuild
from registry.access import Action, Principal, authorize
from registry.api.audit import log_lines
from registry.api.console.rendering import page
from registry.api.schemas import event_item
from registry.console.i18n import Lang
from registry.services import Services

LOG_PAGE = 50


class ConsoleAudit(Controller):
    path = "/console/audit"
    include_in_schema = False

    @get("/")
    async def log(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        principal: NamedDependency[Principal],
        lang: NamedDependency[Lang],
        after: Annotated[int, QueryParameter(ge=0, le=MAX_POSITION)] = 0,
    ) -> Template:
        authorize(principal, Action.READ_LOG)
        events = [
            event_item(recorded, with_stream=True)
            async for recorded in services.store.read_all(after_position=after, limit=LOG_PAGE)
        ]
        next_after = events[-1].position if len(events) == LOG_PAGE else None
        return page(
            request,
            "audit.html",
            lang=lang,
            principal=principal,
            events=events,
            next_after=next_after,
        )

    @get("/verification")
    async def verification(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        principal: NamedDependency[Principal],
        lang: NamedDependency[Lang],
    ) -> Template:
        authorize(principal, Action.AUDIT)
        result = await services.store.verify()
        return page(
            request,
            "partials/verification.html",
            lang=lang,
            principal=principal,
            result=result,
            head_hash=result.head_hash.hex(),
        )

    @post("/replay", status_code=200)
    async def replay(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        principal: NamedDependency[Principal],
        lang: NamedDependency[Lang],
    ) -> Template:
        authorize(principal, Action.AUDIT)
        report = await rebuild(services.engine, swap=False, check=True, fold_here=False)
        return page(request, "partials/replay.html", lang=lang, principal=principal, report=report)

    @get("/export")
    async def export(
        self, services: NamedDependency[Services], principal: NamedDependency[Principal]
    ) -> Stream:
        authorize(principal, Action.READ_LOG)
        return Stream(
            log_lines(services),
            media_type="application/x-ndjson",
            headers={"Content-Disposition": 'attachment; filename="kerjasama-log.jsonl"'},
        )
