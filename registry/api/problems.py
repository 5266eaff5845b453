"""One table from every error we raise on purpose to its RFC 9457 problem; the rest is a bug."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

import structlog
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    TooManyRequestsException,
    ValidationException,
)
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)

from events.errors import CommitOutcomeUnknown, EncodingFailed, PayloadTooLarge, VersionConflict
from events.outages import database_unreachable
from projections.queries import InvalidCursor
from registry.access import Forbidden
from registry.api.body_deadline import BodyTimeout
from registry.audit.errors import LogBroken, ProofUndefined, TreeSizeUnavailable
from registry.errors import (
    CommentRequired,
    DateOutOfOrder,
    FieldError,
    IllegalTransition,
    MalformedBody,
    MissingLegalApprovals,
    OverrideRequired,
    ReviewerIsParty,
    UnknownProposal,
    ValidationFailed,
)

PROBLEM_BASE = "/problems/"
# Seconds a client should wait before retrying while the database is away: a restart takes a few.
RETRY_AFTER_SECONDS = 2
logger = structlog.get_logger(__name__)


class PreconditionRequired(Exception):
    """A write on an existing proposal without If-Match (428)."""


class IdempotencyKeyReused(Exception):
    """An Idempotency-Key sent again with a different body (422)."""


def problem(
    status: HTTPStatus,
    slug: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> ProblemDetailsException:
    return ProblemDetailsException(
        type_=PROBLEM_BASE + slug,
        title=status.phrase,
        status_code=status.value,
        detail=detail,
        headers=headers,
        extra=extra or None,
    )


def _errors(errors: list[FieldError] | tuple[FieldError, ...]) -> list[dict[str, str]]:
    return [{"field": error.field, "message": error.message} for error in errors]


def _validation_failed(error: ValidationFailed) -> ProblemDetailsException:
    return problem(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        "validation-failed",
        "the request body has invalid fields",
        errors=_errors(error.errors),
    )


def _litestar_validation(error: ValidationException) -> ProblemDetailsException:
    details = error.extra if isinstance(error.extra, list) else []
    errors = [
        {"field": str(item.get("key", "")), "message": str(item.get("message", ""))}
        for item in details
        if isinstance(item, Mapping)
    ]
    return problem(HTTPStatus.BAD_REQUEST, "bad-request", str(error.detail), errors=errors)


def _http_exception(error: HTTPException) -> ProblemDetailsException:
    status = HTTPStatus(error.status_code)
    slug = status.phrase.lower().replace(" ", "-")
    return problem(status, slug, str(error.detail), headers=error.headers)


def _conflict(slug: str) -> Callable[[Exception], ProblemDetailsException]:
    def convert(error: Exception) -> ProblemDetailsException:
        extra: dict[str, Any] = {}
        if isinstance(error, IllegalTransition):
            extra = {"proposal_status": str(error.status), "command": str(error.command)}
        elif isinstance(error, MissingLegalApprovals):
            extra = {"category": str(error.category), "missing": list(error.missing)}
        elif isinstance(error, OverrideRequired):
            extra = {"principles": list(error.principles)}
        return problem(HTTPStatus.CONFLICT, slug, str(error), **extra)

    return convert


def _version_conflict(error: VersionConflict) -> ProblemDetailsException:
    return problem(
        HTTPStatus.PRECONDITION_FAILED,
        "version-conflict",
        f"the proposal is at version {error.actual}, not {error.expected}; nothing was changed",
        headers={"ETag": f'"{error.actual}"'},
        current_version=error.actual,
    )


def _unknown_proposal(error: UnknownProposal) -> ProblemDetailsException:
    return problem(HTTPStatus.NOT_FOUND, "not-found", str(error))


def _forbidden(error: Forbidden | ReviewerIsParty) -> ProblemDetailsException:
    detail = error.reason if isinstance(error, Forbidden) else str(error)
    return problem(HTTPStatus.FORBIDDEN, "forbidden", detail)


def _comment_required(error: CommentRequired) -> ProblemDetailsException:
    return problem(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        "validation-failed",
        str(error),
        errors=[{"field": "comment", "message": str(error)}],
    )


def _too_large(error: PayloadTooLarge) -> ProblemDetailsException:
    return problem(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "payload-too-large", str(error))


def _body_too_large(limit: int | None) -> Callable[[RequestEntityTooLarge], Any]:
    def convert(error: RequestEntityTooLarge) -> ProblemDetailsException:
        detail = (
            f"the request body is larger than {limit} bytes, the most this server accepts"
            if limit is not None
            else "the request body is larger than this server accepts"
        )
        return problem(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "payload-too-large", detail)

    return convert


def too_many_requests(error: TooManyRequestsException) -> ProblemDetailsException:
    # Litestar's limiter sends RateLimit-* headers (the IETF draft); Retry-After (RFC 9110) is
    # what clients and proxies act on, so it is derived from RateLimit-Reset.
    headers = dict(error.headers or {})
    retry_after = max(1, int(headers.get("RateLimit-Reset", "1")))
    headers["Retry-After"] = str(retry_after)
    limit, _, window = headers.get("RateLimit-Policy", "").partition("; w=")
    return problem(
        HTTPStatus.TOO_MANY_REQUESTS,
        "rate-limited",
        f"more than {limit or 'the allowed'} requests in {window or 'one'} s came with this "
        f"token (or from this address, without one); retry after {retry_after} s",
        headers=headers,
        retry_after=retry_after,
    )


def _body_timeout(error: BodyTimeout) -> ProblemDetailsException:
    # The rest of the body may still be on its way: the connection cannot be reused.
    return problem(
        HTTPStatus.REQUEST_TIMEOUT, "body-timeout", str(error), headers={"Connection": "close"}
    )


def _proof_undefined(error: ProofUndefined) -> ProblemDetailsException:
    return problem(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        "proof-undefined",
        str(error),
        errors=[{"field": error.field, "message": str(error)}],
    )


def _undecodable(error: Exception) -> ProblemDetailsException:
    # msgspec stops at its nesting limit with RecursionError, and Litestar lets a body that is
    # not UTF-8 through as UnicodeDecodeError: both are the client's malformed body.
    detail = (
        "the JSON is nested too deeply"
        if isinstance(error, RecursionError)
        else "the body is not valid UTF-8"
    )
    return problem(HTTPStatus.BAD_REQUEST, "malformed-body", detail)


def database_unavailable() -> ProblemDetailsException:
    """The database is away: nothing was recorded, and the same request may be sent again."""
    return problem(
        HTTPStatus.SERVICE_UNAVAILABLE,
        "database-unavailable",
        "the database is not reachable right now; nothing was recorded, retry shortly",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def _outcome_unknown(error: CommitOutcomeUnknown) -> ProblemDetailsException:
    # Not "database-unavailable": that one promises nothing was recorded, and this cannot.
    logger.warning("commit_outcome_unknown", streams=error.stream_ids)
    return problem(
        HTTPStatus.SERVICE_UNAVAILABLE,
        "commit-outcome-unknown",
        "the database went away while committing: the command may or may not be recorded. "
        "Read the proposal, or send the command again with the same If-Match or "
        "Idempotency-Key: it is recorded once at most",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


PROBLEMS: dict[type[Exception], Callable[[Any], ProblemDetailsException]] = {
    HTTPException: _http_exception,
    RecursionError: _undecodable,
    UnicodeDecodeError: _undecodable,
    ValidationException: _litestar_validation,
    ValidationFailed: _validation_failed,
    MalformedBody: lambda e: problem(HTTPStatus.BAD_REQUEST, "malformed-body", str(e)),
    VersionConflict: _version_conflict,
    PreconditionRequired: lambda e: problem(
        HTTPStatus.PRECONDITION_REQUIRED, "precondition-required", str(e)
    ),
    IdempotencyKeyReused: lambda e: problem(
        HTTPStatus.UNPROCESSABLE_ENTITY, "idempotency-key-reused", str(e)
    ),
    UnknownProposal: _unknown_proposal,
    IllegalTransition: _conflict("illegal-transition"),
    MissingLegalApprovals: _conflict("missing-legal-approvals"),
    OverrideRequired: _conflict("override-required"),
    DateOutOfOrder: _conflict("date-out-of-order"),
    CommentRequired: _comment_required,
    Forbidden: _forbidden,
    ReviewerIsParty: _forbidden,
    PayloadTooLarge: _too_large,
    EncodingFailed: lambda e: problem(HTTPStatus.UNPROCESSABLE_ENTITY, "unencodable", str(e)),
    CommitOutcomeUnknown: _outcome_unknown,
    InvalidCursor: lambda e: problem(
        HTTPStatus.BAD_REQUEST,
        "bad-request",
        str(e),
        errors=[{"field": "cursor", "message": str(e)}],
    ),
    TreeSizeUnavailable: lambda e: problem(
        HTTPStatus.NOT_FOUND, "tree-size-unavailable", str(e), head_position=e.head
    ),
    ProofUndefined: _proof_undefined,
    LogBroken: lambda e: problem(HTTPStatus.CONFLICT, "log-broken", str(e), position=e.position),
    TooManyRequestsException: too_many_requests,
    BodyTimeout: _body_timeout,
}


def internal_error(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """A 500 is a bug: log it with the request id, and tell the client no more than that.

    A database that is away is not a bug: that is a 503 with Retry-After. The pool drops the
    dead connections, so once the database is back the same request goes through.
    """
    if database_unreachable(error):
        logger.warning(
            "database_unavailable",
            path=request.url.path,
            error_type=type(error).__name__,
            error=str(error),
        )
        return database_unavailable().to_response(request)
    # The traceback as plain text: a renderer that shows local variables would print the
    # request's headers, and with them its bearer token.
    logger.error(
        "request_failed",
        path=request.url.path,
        error_type=type(error).__name__,
        traceback="".join(traceback.format_exception(error)),
    )
    return problem(
        HTTPStatus.INTERNAL_SERVER_ERROR,
        "internal-error",
        "the server failed; the error is logged with this request's id",
    ).to_response(request)


def problem_details_plugin(max_body_bytes: int | None = None) -> ProblemDetailsPlugin:
    """`max_body_bytes` is the request body limit, named in the 413 answer."""
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(
            enable_for_all_http_exceptions=True,
            exception_to_problem_detail_map={
                **PROBLEMS,
                RequestEntityTooLarge: _body_too_large(max_body_bytes),
            },
        )
    )
