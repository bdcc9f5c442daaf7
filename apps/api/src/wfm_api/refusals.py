"""Requests refused before GraphQL runs answer JSON in the shape of GraphQL's errors, with
an HTTP status and a code: `{"errors": [{"message": ..., "extensions": {"code": ...}}]}`."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse

from wfm_shared.errors import (
    Conflict,
    Forbidden,
    InvalidTransition,
    NotFound,
    RateLimited,
    ServiceUnavailable,
    Unauthenticated,
    ValidationFailed,
    WfmError,
)

# What a refused HTTP request answers in `extensions.code`, by status.
HTTP_ERROR_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    408: "REQUEST_TIMEOUT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


def http_error(
    status_code: int, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    code = HTTP_ERROR_CODES.get(status_code, "INTERNAL" if status_code >= 500 else "BAD_REQUEST")
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status_code,
        headers=headers,
    )


def error_response(
    error: WfmError, status_code: int, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """A typed error of a service, answered over plain HTTP: its message and extensions
    (its code among them), as GraphQL would give them."""
    return JSONResponse(
        {"errors": [{"message": error.message, "extensions": error.extensions()}]},
        status_code=status_code,
        headers=headers,
    )


# Answers to a request are the caller's own: no cache keeps them.
NO_STORE = {"cache-control": "no-store"}
# The HTTP status of a service's typed error on the plain HTTP routes (webhooks, files): the
# first kind it is; a route puts its own kinds first. Anything else is 400.
ErrorStatuses = tuple[tuple[type[WfmError], int], ...]
TYPED_ERROR_STATUS: ErrorStatuses = (
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (InvalidTransition, 409),
    (Conflict, 409),
    (ValidationFailed, 422),
    (RateLimited, 429),
    (ServiceUnavailable, 503),
)


def refused(
    error: WfmError,
    statuses: ErrorStatuses = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A typed error answered over plain HTTP, never cached; `statuses` first."""
    status = next(
        (code for kind, code in (*statuses, *TYPED_ERROR_STATUS) if isinstance(error, kind)), 400
    )
    return error_response(error, status, {**NO_STORE, **(headers or {})})


def storage_unavailable_response() -> JSONResponse:
    """503 while PostgreSQL or MongoDB is unavailable: the client retries a moment later."""
    return http_error(
        503, "a storage service is unavailable; retry later", {**NO_STORE, "retry-after": "5"}
    )
