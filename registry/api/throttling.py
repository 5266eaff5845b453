"""Per-token rate limiting with Litestar's RateLimitMiddleware, keyed on the token's hash."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from litestar import Litestar, Request
from litestar.exceptions import TooManyRequestsException
from litestar.middleware.rate_limit import (
    RateLimitConfig,
    RateLimitMiddleware,
    get_remote_address,
)
from litestar.stores.memory import MemoryStore
from litestar.types import Receive, Scope, Send

from registry.api.context import bearer_token
from registry.api.problems import too_many_requests
from registry.settings import RateLimit
from registry.tokens import hash_token

RATE_LIMIT_STORE = "rate_limit"
# Probes and scrapes must answer however busy a token is: an orchestrator or Prometheus that is
# throttled would take a healthy process for a dead one.
UNLIMITED_PATHS = ["^/health$", "^/ready$", "^/metrics$"]
# Expired windows are only dropped when their key is read again; a client rotating made-up
# tokens would otherwise leave one key per token behind.
PURGE_EVERY_SECONDS = 10.0


def identify(request: Request[Any, Any, Any]) -> str:
    """The token's SHA-256 (the raw secret never becomes a key), or the client's address."""
    token = bearer_token(request.headers.get("authorization", ""))
    if token is not None:
        return token_identity(token)
    return "address:" + get_remote_address(request)


def token_identity(token: str) -> str:
    return "token:" + hash_token(token)


class ProblemRateLimitMiddleware(RateLimitMiddleware):
    """Litestar's limiter, answering its 429 itself instead of raising it past our middleware.

    Raised, the refusal would unwind through the request log and the metrics before the app's
    outer exception handler answered it, and both would record a 500.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except TooManyRequestsException as refusal:
            app: Litestar = scope["litestar_app"]
            request: Request[Any, Any, Any] = app.request_class(scope)
            answer = too_many_requests(refusal).to_response(request)
            await answer.to_asgi_response(None, request)(scope, receive, send)


def rate_limit_config(limit: RateLimit) -> RateLimitConfig:
    return RateLimitConfig(
        rate_limit=(limit.unit, limit.requests),
        identifier_for_request=identify,
        exclude=UNLIMITED_PATHS,
        store=RATE_LIMIT_STORE,
        middleware_class=ProblemRateLimitMiddleware,
    )


def purging_expired_windows(
    store: MemoryStore, every: float = PURGE_EVERY_SECONDS
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """A lifespan that drops expired rate-limit windows from memory now and then."""

    async def purge() -> None:
        while True:
            await asyncio.sleep(every)
            await store.delete_expired()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        task = asyncio.create_task(purge())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return lifespan


class TokenWindow:
    """The rate limit of one token as the fast read applies it, answering before Litestar.

    The same store, key, window and headers as Litestar's middleware (whose methods do the
    counting), so a token's requests count once and alike, whichever path answers them.
    """

    def __init__(self, limit: RateLimit, app: Litestar) -> None:
        config = rate_limit_config(limit)
        self._limiter = config.middleware_class(app=app, config=config)
        self._store = config.get_store_from_app(app)
        self._key_prefix = f"{config.middleware_class.__name__}::"
        # Like the middleware's own: no two requests of this path read and write a window
        # between each other's read and write.
        self._lock = asyncio.Lock()

    async def admit(self, token: str) -> list[tuple[bytes, bytes]] | None:
        """Counts the request and returns the headers to answer with; None when the token is
        over its limit, counted nowhere, so that Litestar refuses it as it refuses any other."""
        key = self._key_prefix + token_identity(token)
        async with self._lock:
            window = await self._limiter.retrieve_cached_history(key, self._store)
            if len(window.history) >= self._limiter.max_requests:
                return None
            await self._limiter.set_cached_history(key, window, self._store)
        if not self._limiter.config.set_rate_limit_headers:
            return []
        headers = self._limiter.create_response_headers(window)
        return [(name.lower().encode(), value.encode()) for name, value in headers.items()]
