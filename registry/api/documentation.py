"""What the OpenAPI document says about errors: every route names the problems it can answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_origin

import msgspec
from litestar._openapi.schema_generation import SchemaCreator
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    Example,
    Link,
    OpenAPIMediaType,
    OpenAPIResponse,
    Operation,
    Parameter,
    Reference,
    Schema,
)
from litestar.openapi.spec.enums import OpenAPIType
from litestar.openapi.spec.responses import Responses
from litestar.plugins.core._msgspec import kwarg_definition_from_field
from litestar.typing import FieldDefinition

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
    408: (
        "Request Timeout",
        "/problems/body-timeout",
        "the request body did not arrive in time (KERJASAMA_BODY_TIMEOUT)",
    ),
    413: (
        "Content Too Large",
        "/problems/payload-too-large",
        "the request body is larger than KERJASAMA_MAX_PAYLOAD_BYTES",
    ),
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
    429: (
        "Too Many Requests",
        "/problems/rate-limited",
        "more requests with this token than KERJASAMA_RATE_LIMIT allows; wait Retry-After seconds",
    ),
    503: (
        "Service Unavailable",
        "/problems/database-unavailable",
        "the database is not reachable: nothing was recorded, retry after Retry-After "
        "(/problems/commit-outcome-unknown: the connection broke during the commit, so the "
        "command may have been recorded; retry with the same If-Match or Idempotency-Key)",
    ),
}


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """Response specs for the given statuses, each with a problem+json example."""
    return {status: problem_spec(status, *_WHEN[status]) for status in statuses}


def problem_spec(status: int, title: str, type_: str, when: str) -> ResponseSpec:
    example = Problem(type=type_, title=title, status=status, detail=when)
    return ResponseSpec(
        data_container=Problem,
        description=when,
        media_type=PROBLEM_JSON,
        generate_examples=False,
        examples=[Example(summary=title, value=msgspec.to_builtins(example))],
    )


# Every route that touches the database may answer 503 while it is away.
READ = problems(400, 401, 403, 429, 503)
READ_ONE = problems(400, 401, 403, 404, 429, 503)
SUBMIT = problems(400, 401, 403, 408, 413, 422, 429, 503)
WRITE = problems(400, 401, 403, 404, 408, 409, 412, 413, 422, 428, 429, 503)
AUDIT = problems(401, 403, 429, 503)
# Routes open without a token are limited per client address.
THROTTLED = problems(429)
# Probes and metrics are never rate limited.
OPERATIONS = {
    503: problem_spec(
        503,
        "Service Unavailable",
        "/problems/service-unavailable",
        "the database is not reachable, or a read model lags more than "
        "KERJASAMA_READY_MAX_LAG events behind the log",
    )
}


# Operation ids that the links below name; the handlers declare them.
SUBMIT_PROPOSAL = "submitProposal"
GET_PROPOSAL = "getProposal"
GET_PROPOSAL_EVENTS = "getProposalEvents"
COMMANDS = {
    "revise": "reviseProposal",
    "review": "reviewProposal",
    "withdraw": "withdrawProposal",
    "recordLegalApproval": "recordLegalApproval",
    "sign": "signAgreement",
    "terminate": "terminateAgreement",
}

IF_MATCH = Parameter(
    name="If-Match",
    param_in="header",
    required=True,
    description='the proposal\'s version as its ETag gave it, e.g. "3": missing is a 428, '
    "stale a 412 (and nothing is changed)",
    schema=Schema(type=OpenAPIType.STRING, pattern=r'^(W/)?"[0-9]{1,9}"$', examples=['"3"']),
)


def proposal_links() -> dict[str, Link | Reference]:
    """From an answer carrying a proposal and its ETag to what can be done with it next."""
    by_id = {"proposal_id": "$response.body#/id"}
    at_version = {**by_id, "header.If-Match": "$response.header.ETag"}
    links: dict[str, Link | Reference] = {
        "read": Link(operation_id=GET_PROPOSAL, parameters=by_id, description="the proposal"),
        "events": Link(
            operation_id=GET_PROPOSAL_EVENTS, parameters=by_id, description="its events"
        ),
    }
    for name, operation_id in COMMANDS.items():
        links[name] = Link(
            operation_id=operation_id,
            parameters=at_version,
            description="a command at the version this answer carries",
        )
    return links


def _link_success(responses: Responses | None, status: str) -> None:
    response = (responses or {}).get(status)
    if isinstance(response, OpenAPIResponse):
        response.links = proposal_links()


@dataclass
class SubmitOperation(Operation):
    """The submission: its 201 links to the new proposal, its events and its commands."""

    def __post_init__(self) -> None:
        _link_success(self.responses, "201")


@dataclass
class ProposalOperation(Operation):
    """A read of a proposal: its 200 carries the id and the ETag that the commands need.

    The handler answers either the stored bytes or a rebuilt view, a union Litestar can only
    document as anything: both are a ProposalView.
    """

    def __post_init__(self) -> None:
        _link_success(self.responses, "200")
        success = (self.responses or {}).get("200")
        if isinstance(success, OpenAPIResponse):
            success.content = {
                "application/json": OpenAPIMediaType(
                    schema=Reference(ref="#/components/schemas/ProposalView")
                )
            }


@dataclass
class CommandOperation(Operation):
    """A command on a proposal: documents If-Match, and links its answer onwards."""

    def __post_init__(self) -> None:
        self.parameters = [*(self.parameters or []), IF_MATCH]
        _link_success(self.responses, "200")


@dataclass
class PublicOperation(Operation):
    """A route open without a token: overrides the document's default bearer requirement."""

    def __post_init__(self) -> None:
        self.security = []


class StrictBodies(StructSchemaPlugin):
    """Litestar's Struct schemas, made to say what our structs accept.

    Bodies that refuse unknown fields say `additionalProperties: false`, which Litestar leaves
    out; and the items of a variadic tuple (`tuple[FieldCode, ...]`) get the schema of their
    type, constraints included, where Litestar offers only `{"oneOf": [{"type": "string"}, {}]}`
    (anything). Litestar tries our plugin before its own.
    """

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        info = msgspec.inspect.type_info(field_definition.type_)
        if not isinstance(info, msgspec.inspect.StructType):
            return schema
        if info.forbid_unknown_fields:
            schema.additional_properties = False
        hints = field_definition.get_type_hints(include_extras=True, resolve_generics=True)
        for field in info.fields:
            element = _variadic_element(hints[field.name])
            array = (schema.properties or {}).get(field.encode_name)
            if element is not None and isinstance(array, Schema) and array.items is not None:
                array.items = schema_creator.for_field_definition(_definition_of(element))
        return schema


def _definition_of(annotation: Any) -> FieldDefinition:
    """A field definition that keeps the msgspec constraints (pattern, lengths) of a type."""
    as_field = msgspec.inspect.Field(
        name="item",
        encode_name="item",
        type=msgspec.inspect.type_info(annotation),
        required=True,
        default=msgspec.NODEFAULT,
        default_factory=msgspec.NODEFAULT,
    )
    constraints = kwarg_definition_from_field(as_field)[0]
    if constraints is None:
        return FieldDefinition.from_annotation(annotation)
    return FieldDefinition.from_annotation(annotation, kwarg_definition=constraints)


def _variadic_element(annotation: Any) -> Any | None:
    """`X` of `tuple[X, ...]` (under any Annotated), else None."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) is tuple:
        args = get_args(annotation)
        if len(args) == 2 and args[1] is Ellipsis:
            return args[0]
    return None
