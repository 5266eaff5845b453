"""The ASGI app a server runs: the fast answers in front, Litestar behind them.

The fast read (`fast_read.py`) and the fast list (`fast_list.py`) each answer the plain happy
case of one hot GET and leave every other request, untouched, to Litestar. The fast submission
(`fast_submit.py`) answers a plain `POST /v1/proposals` and leaves every other, its body
replayed, to Litestar.
"""

from __future__ import annotations

from typing import Protocol

from litestar import HttpMethod, Litestar
from litestar.enums import ScopeType
from litestar.types import HTTPScope, Receive, Scope, Send

from registry.api.fast_list import FastProposalList
from registry.api.fast_read import FastProposalRead
from registry.api.fast_submit import FastSubmission
from registry.api.throttling import TokenWindow
from registry.settings import RateLimit


class FastAnswer(Protocol):
    async def answered(self, scope: HTTPScope, send: Send) -> bool: ...


class FastPaths:
    """The fast answers in front of Litestar."""

    def __init__(
        self, app: Litestar, rate_limit: RateLimit | None, body_timeout_seconds: float
    ) -> None:
        self.litestar = app
        # One window for all: a token's requests count once whichever path answers them.
        window = TokenWindow(rate_limit, app) if rate_limit is not None else None
        self._fast: tuple[FastAnswer, ...] = (
            FastProposalRead(app, window),
            FastProposalList(app, window),
        )
        self._submission = FastSubmission(app, window, body_timeout_seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            if scope["method"] == HttpMethod.GET:
                for fast in self._fast:
                    if await fast.answered(scope, send):
                        return
            elif self._submission.wants(scope):
                handed_on = await self._submission.answer(scope, receive, send)
                if handed_on is None:
                    return
                receive = handed_on
        await self.litestar(scope, receive, send)
