"""What the answers given before Litestar share: who may read, the rate limit, and the sending.

The fast read (`fast_read.py`) and the fast list (`fast_list.py`) answer only a caller whose
bearer token the token cache already vouches for and that may read, and only once their answer
is certain. They answer as the route would: the same headers, request id, `request_handled`
log line and metrics (`edge.py` does the same for whatever Litestar answers), and a request
counted against the same rate-limit window. Everything else is left to Litestar, untouched.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog
from litestar import HttpMethod, Litestar
from litestar.routes import HTTPRoute
from litestar.types import HTTPScope, Send
from prometheus_client import Counter

from registry.access import Action, Forbidden, Principal, authorize
from registry.api.context import bearer_token
from registry.api.edge import REQUEST_ID_HEADER, incoming_request_id, request_handled
from registry.api.request_metrics import request_passed_on, request_started
from registry.api.throttling import TokenWindow
from registry.services import Services

Headers = list[tuple[bytes, bytes]]
JSON = b"application/json"
_AUTHORIZATION = b"authorization"


def route_at(app: Litestar, path: str) -> HTTPRoute:
    """The app's route at `path` (a fast answer stands in for it); it must exist."""
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path == path:
            return route
    raise LookupError(f"the app has no route {path} for a fast answer to stand in for")


def presented_token(scope: HTTPScope) -> str | None:
    for name, value in scope["headers"]:
        if name == _AUTHORIZATION:
            return bearer_token(value.decode("latin-1"))
    return None


def cached_caller(
    services: Services, scope: HTTPScope, action: Action
) -> tuple[str, Principal] | None:
    """The caller's token and principal if the cache vouches for the token (no database query)
    and the roles table allows it `action`.

    None leaves the request to the route, which looks an uncached token up (and caches it for
    the next request) and refuses an unknown or forbidden one in its own words.
    """
    token = presented_token(scope)
    principal = services.tokens.cached_principal(token) if token is not None else None
    if token is None or principal is None:
        return None
    try:
        authorize(principal, action)
    except Forbidden:
        return None
    return token, principal


def reading_token(services: Services, scope: HTTPScope) -> str | None:
    """The caller's token if the cache vouches for it and it may read (`cached_caller`)."""
    caller = cached_caller(services, scope, Action.READ)
    return None if caller is None else caller[0]


Reading = Callable[[Services], Awaitable[tuple[Headers, bytes] | None]]


async def answer(
    scope: HTTPScope,
    send: Send,
    services: Services,
    read: Reading,
    *,
    started: float,
    template: str,
    window: TokenWindow | None,
    answered: Counter,
) -> bool:
    """For a caller that may read (`reading_token`), sends what `read` finds with a 200 and
    returns True. Returns False, having sent nothing and counted nothing, for any other caller,
    or when `read` found nothing or failed, or the token is over its rate limit: the route then
    answers the request as if this had never looked at it."""
    token = reading_token(services, scope)
    if token is None:
        return False
    request_started(HttpMethod.GET, template)
    try:
        found = await read(services)
        # Counted last, once the answer is certain: a request passed on is counted by Litestar.
        if found is not None and window is not None:
            limits = await window.admit(token)
            found = None if limits is None else (found[0] + limits, found[1])
    except Exception:
        # Litestar reads again and answers whatever this was as the route answers it.
        found = None
    if found is None:
        request_passed_on(HttpMethod.GET, template)
        return False
    headers, body = found
    request_id = incoming_request_id(scope)
    headers.append((REQUEST_ID_HEADER, request_id.encode("latin-1")))
    bound = structlog.contextvars.bind_contextvars(request_id=request_id)
    try:
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})
    finally:
        answered.inc()
        request_handled(scope, template, 200, started)
        structlog.contextvars.reset_contextvars(**bound)
    return True
