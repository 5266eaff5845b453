"""Per-request dependencies: the services, the authenticated principal, the command metadata."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException

from events.envelope import Metadata
from registry.access import Principal
from registry.api.problems import PreconditionRequired
from registry.services import Services

BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="kerjasama"'}
_ETAG = re.compile(r'^\s*(?:W/)?"(\d{1,9})"\s*$')


def bearer_token(authorization: str) -> str | None:
    """The token of an `Authorization: Bearer` header value; None for any other header."""
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def provide_services(state: State) -> Services:
    services: Services = state.services
    return services


async def provide_principal(
    request: Request[Any, Any, Any], services: NamedDependency[Services]
) -> Principal:
    token = bearer_token(request.headers.get("authorization", ""))
    if token is None:
        raise NotAuthorizedException(
            detail="send `Authorization: Bearer <token>`; `kerjasama token create` makes one",
            headers=BEARER_CHALLENGE,
        )
    principal = await services.tokens.principal_for(token)
    if principal is None:
        raise NotAuthorizedException(
            detail="the token is unknown or has been revoked", headers=BEARER_CHALLENGE
        )
    request.scope["state"]["principal"] = principal
    return principal


def request_id_of(request: Request[Any, Any, Any]) -> str:
    existing = request.scope["state"].get("request_id")
    if isinstance(existing, str):
        return existing
    return request.headers.get("x-request-id") or str(uuid.uuid4())


def command_metadata(
    request: Request[Any, Any, Any], principal: NamedDependency[Principal]
) -> Metadata:
    return metadata_for(principal, request_id_of(request), request.headers.get)


def metadata_for(
    principal: Principal, request_id: str, header: Callable[[str], str | None]
) -> Metadata:
    """Who acted, and the request and correlation ids a command's events carry."""
    return Metadata(
        actor=principal.token_id,
        role=principal.role.value,
        region=principal.region,
        correlation_id=header("x-correlation-id") or request_id,
        causation_id=header("x-causation-id"),
        request_id=request_id,
    )


def expected_version(request: Request[Any, Any, Any]) -> int:
    """The version a write on an existing proposal was made against, from If-Match."""
    header = request.headers.get("if-match")
    if header is None:
        raise PreconditionRequired(
            'send If-Match: "<version>" with the ETag of the proposal you are changing'
        )
    match = _ETAG.match(header)
    if match is None:
        raise PreconditionRequired(f'If-Match must be a proposal version such as "3", not {header}')
    return int(match.group(1))
