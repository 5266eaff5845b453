"""A deadline for request bodies: a client that stalls or drips its body is cut off with a 408.

Servers bound how long the request head may take (granian's header timeout), but none of ours
bounds the body: a handler awaiting `receive()` would wait for as long as the client likes,
holding a task, a buffer and possibly a database connection.
"""

from __future__ import annotations

import asyncio

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send


class BodyTimeout(Exception):
    """The request body did not arrive in time (408)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"the request body did not arrive within {seconds:g} s")


class BodyDeadline:
    """The whole body must arrive within `seconds` of the first read, however it is chunked.

    A deadline on the whole body rather than on each chunk: a client sending a byte every few
    seconds passes any per-chunk timeout.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        deadline: float | None = None
        complete = False

        async def receive_in_time() -> ReceiveMessage:
            nonlocal deadline, complete
            if complete:  # later reads wait for the disconnect; that may take as long as it takes
                return await receive()
            if deadline is None:
                deadline = asyncio.get_running_loop().time() + self.seconds
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise BodyTimeout(self.seconds) from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                complete = True
            return message

        await self.app(scope, receive_in_time, send)
