"""The one middleware every HTTP request passes first: its id, its log line, its body deadline.

One layer instead of two: each ASGI layer costs a coroutine, a wrapped `send` and a `scope`
look-up per request, on routes whose own work is one primary-key read.
"""

from __future__ import annotations

import random
import time
import uuid

import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from registry.api.body_deadline import body_in_time

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


class RequestEdge:
    """Gives every request an id, logs how it ended (never a header), and bounds its body."""

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
        try:
            await self.app(scope, body_in_time(receive, self.body_timeout_seconds), send_with_id)
        finally:
            log.info(
                "request_handled",
                method=scope.get("method", ""),
                path=scope["path"],
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )
            structlog.contextvars.reset_contextvars(**bound)
