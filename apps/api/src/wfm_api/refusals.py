"""Requests refused before GraphQL runs answer JSON in the shape of GraphQL's errors, with
an HTTP status and a code: `{"errors": [{"message": ..., "extensions": {"code": ...}}]}`."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse

from wfm_shared.errors import WfmError

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
