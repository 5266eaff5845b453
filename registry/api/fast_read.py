"""The hottest route answered before Litestar: a plain `GET /v1/proposals/{id}`, as stored.

Only the happy case is answered here: no query string, a bearer token the token cache vouches
for and the roles table lets read, a proposal whose stored JSON reads the same today. Anything
else (no or unknown token, a query, HEAD, not found, not projected yet, expired, a token over
its rate limit, any error) goes on to Litestar untouched, so every refusal and every error is
the route's own problem+json. What is answered here is byte for byte what the route answers
(`reads.stored_response`), with the same log line, metrics and rate limit.

Why: under load a GET spent about a fifth of its CPU in Litestar's routing, dependency
resolution and response machinery, for a route whose own work is one primary-key read.
"""

from __future__ import annotations

import time
import uuid

import structlog
from litestar import HttpMethod, Litestar
from litestar.enums import ScopeType
from litestar.routes import HTTPRoute
from litestar.types import HTTPScope, Receive, Scope, Send
from prometheus_client import Counter

from projections.documents import proposal_document
from registry.access import Action, Forbidden, authorize
from registry.api.context import bearer_token
from registry.api.edge import REQUEST_ID_HEADER, incoming_request_id, request_handled
from registry.api.reads import DETAIL, ProposalReads, stored_etag
from registry.api.request_metrics import request_passed_on, request_started
from registry.api.throttling import TokenWindow
from registry.clock import today
from registry.services import Services
from registry.settings import RateLimit

FAST_READS = Counter(
    "kerjasama_fast_reads_total", "GETs of a proposal answered as stored, before Litestar"
)

_PREFIX = ProposalReads.path + "/"
_UUID_CHARS = len(str(uuid.UUID(int=0)))
_AUTHORIZATION = b"authorization"
_JSON = b"application/json"


def detail_template(app: Litestar) -> str:
    """The detail route's template, as Litestar labels its metrics; the route must exist."""
    path = ProposalReads.path + DETAIL
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path == path:
            return route.path_format
    raise LookupError(f"the app has no route {path} for the fast read to stand in for")


def proposal_id_in(path: str) -> uuid.UUID | None:
    """The id of a path that names one proposal and nothing more, in the 36-character form."""
    if len(path) != len(_PREFIX) + _UUID_CHARS or not path.startswith(_PREFIX):
        return None
    try:
        return uuid.UUID(path[len(_PREFIX) :])
    except ValueError:
        return None


def presented_token(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == _AUTHORIZATION:
            return bearer_token(value.decode("latin-1"))
    return None


class FastProposalRead:
    """The ASGI app the server runs: the fast read in front, Litestar behind it."""

    def __init__(self, app: Litestar, rate_limit: RateLimit | None) -> None:
        self.litestar = app
        self._template = detail_template(app)
        self._window = TokenWindow(rate_limit, app) if rate_limit is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or not await self._answered(scope, send):
            await self.litestar(scope, receive, send)

    async def _answered(self, scope: HTTPScope, send: Send) -> bool:
        started = time.perf_counter()
        if scope["method"] != HttpMethod.GET or scope["query_string"]:
            return False
        proposal_id = proposal_id_in(scope["path"])
        token = presented_token(scope) if proposal_id is not None else None
        if proposal_id is None or token is None:
            return False
        services: Services = self.litestar.state.services
        principal = services.tokens.cached_principal(token)
        if principal is None:
            return False
        try:
            authorize(principal, Action.READ)
        except Forbidden:
            return False
        request_started(HttpMethod.GET, self._template)
        try:
            answer = await self._stored(services, proposal_id, token)
        except Exception:
            # Litestar reads again and answers whatever this was as the route answers it.
            answer = None
        if answer is None:
            request_passed_on(HttpMethod.GET, self._template)
            return False
        headers, document = answer
        await self._send(scope, send, headers, document, started)
        return True

    async def _stored(
        self, services: Services, proposal_id: uuid.UUID, token: str
    ) -> tuple[list[tuple[bytes, bytes]], bytes] | None:
        document = await proposal_document(
            services.reader, proposal_id, today(), services.hot_reads
        )
        if document is None:
            return None
        headers = [
            (b"etag", stored_etag(document).encode()),
            (b"content-type", _JSON),
            (b"content-length", str(len(document)).encode()),
        ]
        # Counted last, once the answer is certain: a request passed on is counted by Litestar.
        if self._window is not None:
            limits = await self._window.admit(token)
            if limits is None:
                return None
            headers += limits
        return headers, document

    async def _send(
        self,
        scope: HTTPScope,
        send: Send,
        headers: list[tuple[bytes, bytes]],
        document: bytes,
        started: float,
    ) -> None:
        request_id = incoming_request_id(scope)
        headers.append((REQUEST_ID_HEADER, request_id.encode("latin-1")))
        bound = structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": document, "more_body": False})
        finally:
            FAST_READS.inc()
            request_handled(scope, self._template, 200, started)
            structlog.contextvars.reset_contextvars(**bound)
