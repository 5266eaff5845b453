"""Builds the Litestar application: routes, dependencies, problems, OpenAPI, lifespan."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path

import msgspec
from litestar import Litestar, Router, get
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.exceptions import ServiceUnavailableException
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.stores.memory import MemoryStore
from litestar.template.config import TemplateConfig

from events.outages import database_unreachable
from projections.lag import ProjectionLag, projection_lag
from registry.access import Principal
from registry.api.audit import AuditRoutes
from registry.api.console.router import TEMPLATES, console_router
from registry.api.context import provide_principal, provide_services
from registry.api.documentation import OPERATIONS, PublicOperation, StrictBodies
from registry.api.edge import RequestEdge
from registry.api.fast_paths import FastPaths
from registry.api.lists import ListRoutes
from registry.api.member_commands import ProposalCommands
from registry.api.observability import metrics
from registry.api.problems import RETRY_AFTER_SECONDS, internal_error, problem_details_plugin
from registry.api.proposals import ProposalCollection
from registry.api.reading import ReadSide
from registry.api.reads import ProposalReads
from registry.api.reference import ReferenceRoutes
from registry.api.throttling import RATE_LIMIT_STORE, purging_expired_windows, rate_limit_config
from registry.services import Services, build_services
from registry.settings import Settings

DOCS_ASSETS = "/schema/assets"
RETRY_AFTER = {"Retry-After": str(RETRY_AFTER_SECONDS)}


class Health(msgspec.Struct, frozen=True):
    status: str


class Readiness(msgspec.Struct, frozen=True, kw_only=True):
    status: str
    database: str
    head_position: int
    projections: tuple[ProjectionLag, ...]


@get("/health", sync_to_thread=False, tags=["operations"], operation_class=PublicOperation)
def health() -> Health:
    """Liveness: the process answers."""
    return Health(status="ok")


@get("/ready", tags=["operations"], responses=OPERATIONS, operation_class=PublicOperation)
async def ready(services: NamedDependency[Services]) -> Readiness:
    """Readiness: the database answers and no projection trails the log by too much."""
    try:
        lags = await projection_lag(services.engine)
        head = await services.store.head_position()
    except Exception as error:
        if not database_unreachable(error):
            raise
        raise ServiceUnavailableException(
            detail="the database is not reachable", headers=RETRY_AFTER
        ) from error
    limit = services.settings.ready_max_lag_events
    behind = [lag.name for lag in lags if lag.events > limit]
    if behind:
        raise ServiceUnavailableException(
            detail=f"projections more than {limit} events behind the log: {', '.join(behind)}",
            headers=RETRY_AFTER,
        )
    return Readiness(
        status="ready",
        database=services.engine.dialect.name,
        head_position=head,
        projections=lags,
    )


def provide_read_side(
    services: NamedDependency[Services], principal: NamedDependency[Principal]
) -> ReadSide:
    """The read side, once the caller is known.

    Every route that reads also authenticates. Hanging the read side below the principal puts
    the two in one chain: Litestar resolves sibling dependencies in an anyio task group per
    request (litestar-org/litestar#4563), which cost about a tenth of the CPU of a GET under
    load, while a chain is awaited in order. It also means no read starts for a bad token.
    """
    return ReadSide(services)


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="kerjasama",
        version="0.1.0",
        description=(
            "Registry of cooperation between Indonesian regions and their partners "
            "(kerja sama daerah). Errors are RFC 9457 problem+json."
        ),
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(
                    type="http", scheme="bearer", description="`kerjasama token create`"
                )
            }
        ),
        security=[{"bearer": []}],
        path="/schema",
        # Swagger UI from a package, served by us: the docs page works with no CDN in reach.
        render_plugins=[
            SwaggerRenderPlugin(
                path=["/", "/swagger"],
                js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
                css_url=f"{DOCS_ASSETS}/swagger-ui.css",
                standalone_preset_js_url=f"{DOCS_ASSETS}/swagger-ui-standalone-preset.js",
                favicon=f"<link rel='icon' href='{DOCS_ASSETS}/favicon-32x32.png'>",
            )
        ],
    )


def docs_assets() -> Router:
    static = Path(str(files("swagger_ui").joinpath("static")))
    return create_static_files_router(
        path=DOCS_ASSETS, directories=[static], include_in_schema=False, name="docs_assets"
    )


def settle_garbage_collector() -> None:
    """Leaves what start-up built (routes, reference data, pools) out of every later full
    collection: with it, each full collection walked about 120,000 objects that live as long
    as the process, a pause of 30-60 ms for every request in flight (the p99 of a GET)."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings, services: Services | None = None) -> FastPaths:
    """The app; tests hand in their own services, `kerjasama serve` lets it build them."""
    return FastPaths(
        litestar_app(settings, services), settings.rate_limit, settings.body_timeout_seconds
    )


def litestar_app(settings: Settings, services: Services | None) -> Litestar:
    """Every route; the fast read, the fast list and the fast submission answer the hottest
    requests' plain cases in front of it (`fast_paths.py`)."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if services is not None:
            yield
            return
        app.state.services = build_services(settings)
        await app.state.services.start()
        settle_garbage_collector()
        try:
            yield
        finally:
            await app.state.services.close()

    rate_limit_store = MemoryStore()
    throttle = [rate_limit_config(settings.rate_limit).middleware] if settings.rate_limit else []
    return Litestar(
        route_handlers=[
            health,
            ready,
            metrics,
            ProposalCollection,
            ProposalCommands,
            ProposalReads,
            ListRoutes,
            AuditRoutes,
            ReferenceRoutes,
            docs_assets(),
            console_router(settings.console_secret),
        ],
        dependencies={
            "services": Provide(provide_services, sync_to_thread=False),
            "principal": Provide(provide_principal),
            "read_side": Provide(provide_read_side, sync_to_thread=False),
        },
        plugins=[problem_details_plugin(settings.max_payload_bytes), StrictBodies()],
        middleware=[
            DefineMiddleware(RequestEdge, body_timeout_seconds=settings.body_timeout_seconds),
            *throttle,
        ],
        # A body larger than the largest event payload is refused before it is read.
        request_max_body_size=settings.max_payload_bytes,
        stores={RATE_LIMIT_STORE: rate_limit_store},
        exception_handlers={Exception: internal_error},
        openapi_config=openapi_config(),
        template_config=TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine),
        lifespan=[lifespan, purging_expired_windows(rate_limit_store)],
        state=State({"services": services} if services is not None else {}),
    )
