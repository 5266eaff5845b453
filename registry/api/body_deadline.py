"""A deadline for request bodies: a client that stalls or drips its body is cut off with a 408.

Servers bound how long the request head may take (granian's header timeout), but none of ours
bounds the body: a handler awaiting `receive()` would wait for as long as the client likes,
holding a task, a buffer and possibly a database connection.
"""

from __future__ import annotations

import asyncio

from litestar.types import Receive, ReceiveMessage


class BodyTimeout(Exception):
    """The request body did not arrive in time (408)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"the request body did not arrive within {seconds:g} s")


def body_in_time(receive: Receive, seconds: float) -> Receive:
    """`receive`, bound to deliver the whole body within `seconds` of the first read.

    A deadline on the whole body rather than on each chunk: a client sending a byte every few
    seconds passes any per-chunk timeout.
    """
    deadline: float | None = None
    complete = False

    async def receive_in_time() -> ReceiveMessage:
        nonlocal deadline, complete
        if complete:  # later reads wait for the disconnect; that may take as long as it takes
            return await receive()
        if deadline is None:
            deadline = asyncio.get_running_loop().time() + seconds
        try:
            async with asyncio.timeout_at(deadline):
                message = await receive()
        except TimeoutError:
            raise BodyTimeout(seconds) from None
        if message["type"] != "http.request" or not message.get("more_body", False):
            complete = True
        return message

    return receive_in_time
