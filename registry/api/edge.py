"""The one middleware every routed request passes first: its id, log line, metrics and deadline.

One layer instead of three: each ASGI layer costs a coroutine, a wrapped `send` and a `scope`
look-up per request, on routes whose own work is one primary-key read. The fast answers
(`fast_paths.py`) answer some requests before Litestar and end them with the same
`request_handled`, so both paths log and count alike.
"""

from __future__ import annotations

import random
import time
import uuid

import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from registry.api.body_deadline import body_in_time
from registry.api.request_metrics import request_finished, request_started

log = structlog.get_logger("kerjasama.http")

REQUEST_ID_HEADER = b"x-request-id"
MAX_REQUEST_ID_CHARS = 100


def incoming_request_id(scope: Scope) -> str:
    """The caller's X-Request-ID (cut to a sane length), or a new one."""
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER:
            sent = value.decode("latin-1")[:MAX_REQUEST_ID_CHARS]
            if sent:
                return sent
    # A request id needs to be unique, not secret: the process's own PRNG (reseeded in every
    # forked worker) instead of uuid4's read of os.urandom, a system call on every request.
    return str(uuid.UUID(int=random.getrandbits(128), version=4))


def request_handled(scope: HTTPScope, template: str, status: int, started: float) -> None:
    """The request's log line (never a header) and its metrics, however it was answered."""
    seconds = time.perf_counter() - started
    method = scope["method"]
    log.info(
        "request_handled",
        method=method,
        path=scope["path"],
        status=status,
        duration_ms=round(seconds * 1000, 2),
    )
    request_finished(method, template, status, seconds)


class RequestEdge:
    """Gives every request an id, logs and counts how it ended, and bounds its body."""

    def __init__(self, app: ASGIApp, body_timeout_seconds: float) -> None:
        self.app = app
        self.body_timeout_seconds = body_timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        request_id = incoming_request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        answer_header = (REQUEST_ID_HEADER, request_id.encode("latin-1"))
        # Litestar has routed the request by now: metrics are by route template, not by path,
        # so a proposal id never becomes a label.
        template = scope["path_template"]
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message["headers"], answer_header]
            await send(message)

        # bind/reset rather than the bound_contextvars context manager: same effect, without
        # a generator per request.
        bound = structlog.contextvars.bind_contextvars(request_id=request_id)
        request_started(scope["method"], template)
        try:
            await self.app(scope, body_in_time(receive, self.body_timeout_seconds), send_with_id)
        finally:
            request_handled(scope, template, status, started)
            structlog.contextvars.reset_contextvars(**bound)
