"""A plain submission answered before Litestar: `POST /v1/proposals` with a JSON draft.

Answered here: a body that decodes into a draft and passes its validation, sent with
`Content-Type: application/json` and a `Content-Length` within the body limit, by a bearer
token the token cache vouches for and the roles table lets submit, without a query string or an
`Idempotency-Key`, within the rate limit. It is answered as the route answers it
(`proposals.py`): the same command and metadata, the same 201 with its headers and body, the
same log line and metrics.

Anything else is left to Litestar before anything has been done, with the body read here
replayed: every refusal is the route's own problem+json. Once the command has begun, nothing is
left to Litestar to do again: a failure from then on is handed to the route, which raises it
first thing (`raise_handed_over`), so the answer is the route's own for that failure and the
submission is never attempted twice. (Such a failed submission counts twice against its token's
rate limit: here, and again in Litestar's middleware on its way to the route.)

Why: in process, Litestar's routing, dependencies, signature model and response machinery took
about two fifths of a submission's CPU.
"""

from __future__ import annotations

import time
from typing import Any

import msgspec
import structlog
from litestar import HttpMethod, Litestar, Request
from litestar.types import HTTPRequestEvent, HTTPScope, Receive, ReceiveMessage, Send
from prometheus_client import Counter

from registry.access import Action, Principal
from registry.api.body_deadline import BodyTimeout, body_in_time
from registry.api.commanding import run_command
from registry.api.context import metadata_for
from registry.api.edge import REQUEST_ID_HEADER, incoming_request_id, request_handled
from registry.api.fast_answer import JSON, Headers, cached_caller, route_at
from registry.api.reading import ReadSide
from registry.api.request_metrics import request_passed_on, request_started
from registry.api.throttling import TokenWindow
from registry.bodies import ProposalDraft
from registry.ids import new_proposal_id
from registry.services import Services
from registry.validation import validate_draft

FAST_SUBMISSIONS = Counter(
    "kerjasama_fast_submissions_total", "Submissions answered before Litestar"
)
# Where a failure after the command began waits for the route to raise it.
HANDED_OVER = "kerjasama.fast_submission_failure"
COLLECTION = "/v1/proposals"

_ENCODER = msgspec.json.Encoder()
_CONTENT_TYPE = b"content-type"
_CONTENT_LENGTH = b"content-length"
_IDEMPOTENCY_KEY = b"idempotency-key"


def raise_handed_over(request: Request[Any, Any, Any]) -> None:
    """The route's first step: raise the failure of a submission the fast path began."""
    failure = request.scope.get("state", {}).pop(HANDED_OVER, None)
    if isinstance(failure, BaseException):
        raise failure


class FastSubmission:
    """Answers a plain submission, or hands the request on (`fast_paths.py` asks it)."""

    def __init__(
        self, app: Litestar, window: TokenWindow | None, body_timeout_seconds: float
    ) -> None:
        self._state = app.state
        self._template = route_at(app, COLLECTION).path_format
        self._window = window
        limit = app.request_max_body_size
        self._max_body = limit if isinstance(limit, int) else None
        self._body_timeout = body_timeout_seconds

    def wants(self, scope: HTTPScope) -> bool:
        return (
            scope["method"] == HttpMethod.POST
            and scope["path"] == COLLECTION
            and not scope["query_string"]
        )

    async def answer(self, scope: HTTPScope, receive: Receive, send: Send) -> Receive | None:
        """None once the submission is answered; otherwise the `receive` to hand Litestar,
        which replays whatever of the body was read here."""
        started = time.perf_counter()
        services: Services = self._state.services
        caller = cached_caller(services, scope, Action.SUBMIT)
        if caller is None or not self._plain(scope):
            return receive
        token, principal = caller
        try:
            body, more, pending = await read_body(receive, self._body_timeout, self._max_body)
        except BodyTimeout as late:
            return _raising(late)
        handed_on = replaying(body, more, pending, receive)
        if more or pending is not None:
            return handed_on
        try:
            draft = msgspec.json.decode(body, type=ProposalDraft)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return handed_on
        assert principal.region is not None
        if validate_draft(draft, services.reference, principal.region):
            return handed_on
        limits: Headers = []
        if self._window is not None:
            admitted = await self._window.admit(token)
            if admitted is None:
                return handed_on
            limits = admitted
        answered = await self._submit(scope, send, services, principal, draft, limits, started)
        return None if answered else handed_on

    async def _submit(
        self,
        scope: HTTPScope,
        send: Send,
        services: Services,
        principal: Principal,
        draft: ProposalDraft,
        limits: Headers,
        started: float,
    ) -> bool:
        """Runs the command and answers it (True), or hands its failure to the route."""
        assert principal.region is not None
        request_id = incoming_request_id(scope)
        bound = structlog.contextvars.bind_contextvars(request_id=request_id)
        request_started(HttpMethod.POST, self._template)
        try:
            read_side = ReadSide(services)
            handled = await run_command(
                draft.to_submit(new_proposal_id(), principal.region),
                Action.SUBMIT,
                metadata=metadata_for(principal, request_id, _header_lookup(scope)),
                services=services,
                principal=principal,
                read_side=read_side,
                expected=None,
                new_stream=True,
            )
            view = read_side.view(handled.state)
            body = _ENCODER.encode(view)
        except Exception as failure:  # every failure is the route's to answer
            request_passed_on(HttpMethod.POST, self._template)
            structlog.contextvars.reset_contextvars(**bound)
            scope.setdefault("state", {})[HANDED_OVER] = failure
            # The route answers the failure under the id the command's events carry.
            scope["headers"] = [
                *(h for h in scope["headers"] if h[0] != REQUEST_ID_HEADER),
                (REQUEST_ID_HEADER, request_id.encode("latin-1")),
            ]
            return False
        except BaseException:
            # Cancelled (the client went away, or the server stops): ended as the route's
            # request edge ends one, so that the in-flight gauge comes down.
            request_handled(scope, self._template, 500, started)
            structlog.contextvars.reset_contextvars(**bound)
            raise
        headers = [
            (b"etag", f'"{view.version}"'.encode()),
            (b"location", f"{COLLECTION}/{view.id}".encode()),
            (_CONTENT_TYPE, JSON),
            (_CONTENT_LENGTH, str(len(body)).encode()),
            *limits,
            (REQUEST_ID_HEADER, request_id.encode("latin-1")),
        ]
        try:
            await send({"type": "http.response.start", "status": 201, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})
        finally:
            FAST_SUBMISSIONS.inc()
            request_handled(scope, self._template, 201, started)
            structlog.contextvars.reset_contextvars(**bound)
        return True

    def _plain(self, scope: HTTPScope) -> bool:
        """A JSON body of a stated length within the limit, and no Idempotency-Key."""
        content_type = length = None
        for name, value in scope["headers"]:
            if name == _IDEMPOTENCY_KEY:
                return False
            if name == _CONTENT_TYPE:
                content_type = value
            elif name == _CONTENT_LENGTH:
                length = value
        if content_type != JSON or length is None or not length.isdigit():
            return False
        return self._max_body is None or int(length) <= self._max_body


async def read_body(
    receive: Receive, seconds: float, limit: int | None
) -> tuple[bytes, bool, ReceiveMessage | None]:
    """The body, whether more of it is still to come, and a message that was not body.

    Within `seconds` of the first read, as the route's deadline. Reading stops early past
    `limit` bytes or at any other message (a disconnect): what was read is then replayed to
    Litestar, which answers as it would have.
    """
    read = body_in_time(receive, seconds)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await read()
        if message["type"] != "http.request":
            return b"".join(chunks), True, message
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        more = message.get("more_body", False)
        if not more or (limit is not None and size > limit):
            return b"".join(chunks), more, None


def _header_lookup(scope: HTTPScope) -> Any:
    """`headers.get` as the route has it: the first value of a header, by lower-case name."""
    headers: dict[str, str] = {}
    for name, value in scope["headers"]:
        headers.setdefault(name.decode("latin-1"), value.decode("latin-1"))
    return headers.get


def replaying(body: bytes, more: bool, pending: ReceiveMessage | None, receive: Receive) -> Receive:
    """A `receive` that gives Litestar what was read here, then goes on reading."""
    replayed = False

    async def replay() -> ReceiveMessage:
        nonlocal replayed, pending
        if not replayed:
            replayed = True
            first: HTTPRequestEvent = {"type": "http.request", "body": body, "more_body": more}
            return first
        if pending is not None:
            message, pending = pending, None
            return message
        return await receive()

    return replay


def _raising(late: BodyTimeout) -> Receive:
    """A `receive` that fails as the body deadline did, so the route answers its 408."""

    async def too_late() -> ReceiveMessage:
        raise late

    return too_late
