"""What the OpenAPI document says about errors: every route names the problems it can answer."""

from __future__ import annotations

import msgspec
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example

PROBLEM_JSON = "application/problem+json"


class FieldProblem(msgspec.Struct, frozen=True, kw_only=True):
    field: str
    message: str


class Problem(msgspec.Struct, frozen=True, kw_only=True):
    """RFC 9457 problem details; validation problems list the fields at fault."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None


_WHEN = {
    400: ("Bad Request", "/problems/bad-request", "the request is malformed (fields listed)"),
    401: ("Unauthorized", "/problems/unauthorized", "no token, or an unknown or revoked one"),
    403: ("Forbidden", "/problems/forbidden", "the token's role or region may not do this"),
    404: ("Not Found", "/problems/not-found", "no such proposal (or not yet at that time)"),
    409: (
        "Conflict",
        "/problems/illegal-transition",
        "the lifecycle does not allow this now (status and command named)",
    ),
    412: (
        "Precondition Failed",
        "/problems/version-conflict",
        "If-Match names an old version; nothing was changed",
    ),
    413: ("Content Too Large", "/problems/payload-too-large", "the request body is too large"),
    422: (
        "Unprocessable Entity",
        "/problems/validation-failed",
        "the body is well-formed but a value is not allowed (fields listed)",
    ),
    428: (
        "Precondition Required",
        "/problems/precondition-required",
        'send If-Match: "<version>" (the ETag of the proposal)',
    ),
    503: (
        "Service Unavailable",
        "/problems/service-unavailable",
        "the database is not reachable or the read models lag too far",
    ),
}


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """Response specs for the given statuses, each with a problem+json example."""
    specs = {}
    for status in statuses:
        title, type_, when = _WHEN[status]
        example = Problem(type=type_, title=title, status=status, detail=when)
        specs[status] = ResponseSpec(
            data_container=Problem,
            description=when,
            media_type=PROBLEM_JSON,
            generate_examples=False,
            examples=[Example(summary=title, value=msgspec.to_builtins(example))],
        )
    return specs


READ = problems(400, 401, 403)
READ_ONE = problems(400, 401, 403, 404)
SUBMIT = problems(400, 401, 403, 413, 422)
WRITE = problems(400, 401, 403, 404, 409, 412, 413, 422, 428)
AUDIT = problems(401, 403)
OPERATIONS = problems(503)
