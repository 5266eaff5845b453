"""The hottest route answered before Litestar: a plain `GET /v1/proposals/{id}`, as stored.

Only the happy case is answered here: no query string, a bearer token the token cache vouches
for and the roles table lets read, a proposal whose stored JSON reads the same today. Anything
else (no or unknown token, a query, HEAD, not found, not projected yet, expired, a token over
its rate limit, any error) goes on to Litestar untouched, so every refusal and every error is
the route's own problem+json. What is answered here is byte for byte what the route answers
(`reads.stored_response`), with the same log line, metrics and rate limit (`fast_answer.py`).

Why: under load a GET spent about a fifth of its CPU in Litestar's routing, dependency
resolution and response machinery, for a route whose own work is one primary-key read.
"""

from __future__ import annotations

import functools
import time
import uuid

from litestar import Litestar
from litestar.types import HTTPScope, Send
from prometheus_client import Counter

from projections.documents import proposal_document
from registry.api.fast_answer import JSON, Headers, answer, route_at
from registry.api.reads import DETAIL, ProposalReads, stored_etag
from registry.api.throttling import TokenWindow
from registry.clock import today
from registry.services import Services

FAST_READS = Counter(
    "kerjasama_fast_reads_total", "GETs of a proposal answered as stored, before Litestar"
)

_PREFIX = ProposalReads.path + "/"
_UUID_CHARS = len(str(uuid.UUID(int=0)))


def proposal_id_in(path: str) -> uuid.UUID | None:
    """The id of a path that names one proposal and nothing more, in the 36-character form."""
    if len(path) != len(_PREFIX) + _UUID_CHARS or not path.startswith(_PREFIX):
        return None
    try:
        return uuid.UUID(path[len(_PREFIX) :])
    except ValueError:
        return None


class FastProposalRead:
    """Answers a plain GET of one proposal, or says it did not (`fast_paths.py` asks it)."""

    def __init__(self, app: Litestar, window: TokenWindow | None) -> None:
        self._state = app.state
        self._template = route_at(app, ProposalReads.path + DETAIL).path_format
        self._window = window

    async def answered(self, scope: HTTPScope, send: Send) -> bool:
        """True once the GET in `scope` is answered; False leaves it to Litestar."""
        started = time.perf_counter()
        if scope["query_string"]:
            return False
        proposal_id = proposal_id_in(scope["path"])
        if proposal_id is None:
            return False
        return await answer(
            scope,
            send,
            self._state.services,
            functools.partial(self._stored, proposal_id),
            started=started,
            template=self._template,
            window=self._window,
            answered=FAST_READS,
        )

    @staticmethod
    async def _stored(proposal_id: uuid.UUID, services: Services) -> tuple[Headers, bytes] | None:
        document = await proposal_document(
            services.reader, proposal_id, today(), services.hot_reads
        )
        if document is None:
            return None
        headers = [
            (b"etag", stored_etag(document).encode()),
            (b"content-type", JSON),
            (b"content-length", str(len(document)).encode()),
        ]
        return headers, document
