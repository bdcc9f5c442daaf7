"""The one place where errors become GraphQL errors with `extensions.code`.

Typed errors keep their message; graphql-core's own parse and validation errors describe
only the query; anything else becomes INTERNAL with a generic message (the details go to
the log, never to the client)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import asyncpg
from graphql import FieldNode, GraphQLError
from pymongo.errors import ConnectionFailure, OperationFailure
from strawberry.extensions import SchemaExtension

from wfm_api.context import RequestContext
from wfm_directory.audit import Refusal
from wfm_shared.errors import Forbidden, WfmError
from wfm_shared.logging import get_logger
from wfm_storage.mongo import backend_unavailable

log = get_logger("wfm.api")

UNAVAILABLE_ERRORS = (
    OSError,
    ConnectionFailure,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.TooManyConnectionsError,
    asyncpg.CannotConnectNowError,
)
# MongoDB's answers while a server shuts down or steps down (ShutdownInProgress,
# InterruptedAtShutdown, InterruptedDueToReplStateChange, PrimarySteppedDown)
MONGODB_SHUTDOWN_CODES = frozenset({91, 11600, 11602, 189})


def storage_unavailable(error: BaseException | None) -> bool:
    if isinstance(error, UNAVAILABLE_ERRORS):
        return True
    if isinstance(error, OperationFailure):
        return error.code in MONGODB_SHUTDOWN_CODES or backend_unavailable(error)
    return False


# A value the database cannot hold (a NUL character, a number or a date out of its range):
# the client's input, refused without the driver's words.
UNSTORABLE_VALUE_ERRORS = (asyncpg.DataError,)


def _with(error: GraphQLError, message: str, extensions: dict[str, object]) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


def translate(error: GraphQLError, request_id: str | None = None) -> GraphQLError:
    original = error.original_error
    if isinstance(original, WfmError):
        return _with(error, original.message, original.extensions())
    if error.path is None and (
        original is None or isinstance(original, (GraphQLError, ValueError, TypeError))
    ):
        # Raised before execution, about the query or its variables: safe to show.
        code = (
            "GRAPHQL_PARSE_FAILED"
            if error.message.startswith("Syntax Error")
            else "GRAPHQL_VALIDATION_FAILED"
        )
        return _with(error, error.message, {"code": code})
    if isinstance(original, UNSTORABLE_VALUE_ERRORS):
        log.warning(
            "unstorable_value", path=error.path, error=repr(original), request_id=request_id
        )
        return _with(
            error,
            "a value cannot be stored (a NUL character, or a number or date out of range)",
            {"code": "VALIDATION_FAILED", "fields": []},
        )
    if storage_unavailable(original):
        log.warning("storage_unavailable", error=repr(original), request_id=request_id)
        return _with(
            error, "a storage service is unavailable; retry later", {"code": "UNAVAILABLE"}
        )
    log.error("unhandled_error", path=error.path, request_id=request_id, exc_info=original)
    return _with(
        error,
        "internal error",
        {"code": "INTERNAL", "requestId": request_id} if request_id else {"code": "INTERNAL"},
    )


def refusals_in(errors: Sequence[GraphQLError], operation_type: str) -> list[Refusal]:
    """The FORBIDDEN answers among `errors`: the field refused, where, and what was said."""
    refused = []
    for error in errors:
        if not isinstance(error.original_error, Forbidden):
            continue
        node = error.nodes[0] if error.nodes else None
        field = node.name.value if isinstance(node, FieldNode) else "?"
        path = ".".join(str(part) for part in error.path or ())
        refused.append(Refusal(f"{operation_type} {field}", path, error.original_error.message))
    return refused


async def audit_refusals(
    context: RequestContext, errors: Sequence[GraphQLError], operation_type: str
) -> None:
    """FORBIDDEN answers go to the audit trail, in a transaction of their own (the refused
    one rolled back). Failing to record them never changes the answer."""
    principal = context.identity.principal
    refusals = refusals_in(errors, operation_type)
    if principal is None or not refusals:
        return
    try:
        await context.services.audit.record_refusals(
            principal, refusals, request_id=context.request_id
        )
    except Exception as error:  # the answer stands; the log says what was not recorded
        log.warning("refusal_not_audited", error=repr(error), request_id=context.request_id)


class RequestLifecycle(SchemaExtension):
    """Closes the request's database session, records its refusals in the audit trail, then
    translates the errors of the result."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        result = self.execution_context.result
        if isinstance(context, RequestContext):
            try:
                await context.close()
            except Exception as error:  # becomes a coded error like the rest
                if result is not None:
                    wrapped = GraphQLError(str(error), original_error=error)
                    result.errors = [*(result.errors or []), wrapped]
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            request_id = getattr(context, "request_id", None)
            if isinstance(context, RequestContext) and any(
                isinstance(e.original_error, Forbidden) for e in errors
            ):
                operation = self.execution_context.operation_type.value
                await audit_refusals(context, errors, operation)
            result.errors = [translate(e, request_id) for e in errors]
