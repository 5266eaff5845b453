"""The filtered list answered before Litestar: `GET /v1/proposals?status=...`, as the route would.

Only the plain happy case is answered here: no parameter but the route's own and none twice,
every value one the route accepts, a bearer token the token cache vouches for and the roles
table lets read, a page read without error, a token within its rate limit. Anything else (an
unknown or repeated parameter, a value the route refuses, a cursor it did not hand out, no or
unknown token, HEAD, any error) goes on to Litestar untouched, so every refusal and every error
is the route's own problem+json. What is answered here is byte for byte what the route answers
(`lists.proposal_page`), with the same log line, metrics and rate limit (`fast_answer.py`).

The parameters are not validated by a second copy of the route's rules: their types,
constraints (`lists.py`'s `QueryParameter` aliases, the `Status` and `Verdict` enums) and
defaults are read from the signature model Litestar built for the route, and converted as
Litestar converts them, from the query string as Litestar parses it.

Why: under load Litestar's parameter parsing, dependency resolution and response machinery
were about a quarter of the list's CPU, for a route whose own work is one indexed query.
"""

from __future__ import annotations

import functools
import time
from typing import Any

import msgspec
from litestar import HttpMethod, Litestar
from litestar._parsers import parse_query_string
from litestar.routes import HTTPRoute
from litestar.types import HTTPScope, Send
from prometheus_client import Counter

from projections.queries import ProposalFilter
from registry.api.fast_answer import JSON, Headers, answer, route_at
from registry.api.lists import proposal_page_body
from registry.api.proposals import ProposalCollection
from registry.api.throttling import TokenWindow
from registry.services import Services

FAST_LISTS = Counter(
    "kerjasama_fast_lists_total", "GETs of the proposal list answered before Litestar"
)

# The route's parameters that are not filters, and what it takes besides its parameters (both
# provided here); anything more and the fast list would not know what the route does with it.
_PAGING = frozenset({"limit", "cursor"})
_DEPENDENCIES = frozenset({"services", "principal"})

Asked = tuple[ProposalFilter, int, str | None]


class RouteQuery:
    """The list route's query parameters, as its signature model defines them."""

    def __init__(self, route: HTTPRoute) -> None:
        handler, kwargs = route.route_handler_map[HttpMethod.GET]
        signature = handler.signature_model
        self._names = {p.field_alias: p.field_name for p in kwargs.expected_query_params}
        known = {*ProposalFilter.__struct_fields__, *_PAGING}
        taken = set(signature.__struct_fields__)
        if set(self._names.values()) != known or taken != known | _DEPENDENCIES:
            raise TypeError(
                f"the list route takes {sorted(taken)}; the fast list knows only"
                f" {sorted(known | _DEPENDENCIES)}"
            )
        defaults = {field.name: field.default for field in msgspec.structs.fields(signature)}
        # The very annotations Litestar converts each value to (`Annotated[..., Meta(...)]`).
        fields = [(name, signature.__annotations__[name], defaults[name]) for name in known]
        self._model = msgspec.defstruct("ProposalQuery", fields, kw_only=True)

    def read(self, query_string: bytes) -> Asked | None:
        """The filters, limit and cursor asked for; None for anything the route should see."""
        given: dict[str, str] = {}
        # Litestar's own parser (and its cache): percent-decoding, `+` and the character set
        # are Litestar's by construction, not by imitation.
        for alias, value in parse_query_string(query_string):
            name = self._names.get(alias)
            if name is None or name in given:
                return None
            given[name] = value
        try:
            # As `SignatureModel.parse_values_from_connection_kwargs` converts them.
            query = msgspec.convert(given, self._model, strict=False, str_keys=True)
        except msgspec.ValidationError:
            return None
        values: dict[str, Any] = msgspec.structs.asdict(query)
        limit, cursor = values.pop("limit"), values.pop("cursor")
        return ProposalFilter(**values), limit, cursor


class FastProposalList:
    """Answers a plain GET of the filtered list, or says it did not (`fast_paths.py` asks it)."""

    def __init__(self, app: Litestar, window: TokenWindow | None) -> None:
        route = route_at(app, ProposalCollection.path)
        self._state = app.state
        self._path = route.path
        self._template = route.path_format
        self._query = RouteQuery(route)
        self._window = window

    async def answered(self, scope: HTTPScope, send: Send) -> bool:
        """True once the GET in `scope` is answered; False leaves it to Litestar."""
        started = time.perf_counter()
        if scope["path"] != self._path:
            return False
        asked = self._query.read(scope["query_string"])
        if asked is None:
            return False
        return await answer(
            scope,
            send,
            self._state.services,
            functools.partial(self._page, asked),
            started=started,
            template=self._template,
            window=self._window,
            answered=FAST_LISTS,
        )

    @staticmethod
    async def _page(asked: Asked, services: Services) -> tuple[Headers, bytes]:
        body = await proposal_page_body(services, *asked)
        return [(b"content-type", JSON), (b"content-length", str(len(body)).encode())], body
