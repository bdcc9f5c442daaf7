"""Attachments over HTTP: `POST /files` uploads one, `GET /files/{id}` downloads it. The
rules are `wfm_documents.files`'; the routes authenticate, stream and translate.

Both take the bearer token GraphQL takes (`Authorization: Bearer <access token>`; the web
app sends the one it keeps in memory); every download is authorised anew.

`POST /files`, multipart/form-data with the fields `workflowId` and `stepId`, then the part
`file` (the form's order: who the file is for is known before its first byte is stored):
- 201 `{"id", "name", "contentType", "size", "sha256", "status"}` (status `pending` while
  the virus scanner has not judged it, `unscanned` when no scanner is configured);
- 401 UNAUTHENTICATED; 403 FORBIDDEN (a step the caller's role may not execute);
- 404 NOT_FOUND: no such workflow, or another tenant's (the same answer);
- 409 INVALID_TRANSITION: the workflow is finished (completed, cancelled, failed);
- 413 PAYLOAD_TOO_LARGE: larger than the step's `maxBytes`, nothing stored;
- 415 UNSUPPORTED_MEDIA_TYPE: its bytes are of a type the step does not take, nothing stored;
- 422 VALIDATION_FAILED with `fields`: a field missing or malformed, a step that takes no
  files, an empty file; 400 BAD_REQUEST: not a multipart/form-data body.

`GET /files/{id}` streams the bytes with the type read from them at upload,
`Content-Disposition: attachment` (never shown in the page), `X-Content-Type-Options:
nosniff` and `Cache-Control: private, no-store`; 404 for a file that is unknown, another
tenant's or deleted (one answer); 409 FILE_PENDING while it waits for the scanner; 410
FILE_INFECTED when the scanner found something (its bytes are gone)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from wfm_api.auth import identify
from wfm_api.errors import storage_unavailable
from wfm_api.form_stream import FormStream, MalformedForm
from wfm_api.refusals import (
    NO_STORE,
    ErrorStatuses,
    http_error,
    refused,
    storage_unavailable_response,
)
from wfm_bootstrap import Services
from wfm_directory.audit import Refusal
from wfm_documents.files import ContentTypeNotAllowed, FileInfected, FileTooLarge
from wfm_shared.errors import (
    FieldError,
    Forbidden,
    NotFound,
    Unauthenticated,
    ValidationFailed,
    WfmError,
)
from wfm_shared.limits import FILE_MAX_BYTES
from wfm_shared.logging import get_logger
from wfm_shared.principal import Principal
from wfm_storage.repositories.files import FileRecord

log = get_logger("wfm.api")

FILES_PATH = "/files"
# What a multipart body carries besides the file: boundaries, part headers, the two fields.
FORM_OVERHEAD_BYTES = 64 * 1024
# The body limit of `POST /files`: the largest file any step may take, with its form.
UPLOAD_MAX_BODY_BYTES = FILE_MAX_BYTES + FORM_OVERHEAD_BYTES
# How long the whole of an upload may take to arrive (25 MiB at 90 kB/s).
UPLOAD_SECONDS = 300.0

# the file routes' own errors, before the typed errors every plain HTTP route answers
FILE_ERROR_STATUS: ErrorStatuses = (
    (FileInfected, 410),
    (FileTooLarge, 413),
    (ContentTypeNotAllowed, 415),
)


def refused_file(error: WfmError) -> JSONResponse:
    # a bearer token is what these routes take (RFC 6750's challenge)
    challenge = {"www-authenticate": "Bearer"} if isinstance(error, Unauthenticated) else {}
    return refused(error, FILE_ERROR_STATUS, challenge)


Endpoint = Callable[[Request, Services, Principal], Awaitable[Response]]


def files_route(handler: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    """The caller authenticated first (nothing of the body is read for an anonymous one);
    typed errors answered in the API's HTTP error shape, FORBIDDEN ones audited as GraphQL's
    are, 503 while a storage service is unavailable."""

    async def endpoint(request: Request) -> Response:
        services: Services = request.app.state.services
        auth = request.app.state.auth
        try:
            principal = identify(request, services.codec, auth.enrolment_codec).require()
        except WfmError as error:
            return refused_file(error)
        try:
            return await handler(request, services, principal)
        except Forbidden as error:
            operation = f"{request.method} {request.url.path}"
            await services.audit.record_refusals(
                principal,
                [Refusal(operation, request.url.path, error.message)],
                request_id=request.headers.get("x-request-id"),
            )
            return refused_file(error)
        except WfmError as error:
            return refused_file(error)
        except MalformedForm as error:
            return http_error(400, str(error), NO_STORE)
        except Exception as error:
            if not storage_unavailable(error):
                raise
            log.warning("storage_unavailable", error=repr(error))
            return storage_unavailable_response()

    return endpoint


@files_route
async def upload_file(request: Request, services: Services, principal: Principal) -> Response:
    form = FormStream(request.headers.get("content-type"), request.stream())
    try:
        fields, file = await form.fields_then_file("file")
        workflow_id, step_id = _target(fields, file is not None)
        assert file is not None
        record = await services.files.upload(
            principal, workflow_id, step_id, file.filename, file.chunks
        )
    except ClientDisconnect:
        # nobody reads this answer; what was stored of the file is gone already
        return http_error(400, "the client went away before the file arrived", NO_STORE)
    return JSONResponse(
        uploaded(record),
        status_code=201,
        headers={**NO_STORE, "location": f"{FILES_PATH}/{record.id}"},
    )


def _target(fields: dict[str, str], has_file: bool) -> tuple[uuid.UUID, str]:
    """The workflow and the step the file is for, from the fields before it."""
    problems: list[FieldError] = []
    workflow_id: uuid.UUID | None = None
    raw_workflow_id = fields.get("workflowId", "").strip()
    if not raw_workflow_id:
        problems.append(FieldError(("workflowId",), "is required, before the file"))
    else:
        try:
            workflow_id = uuid.UUID(raw_workflow_id)
        except ValueError:
            problems.append(FieldError(("workflowId",), "is not a workflow id"))
    step_id = fields.get("stepId", "").strip()
    if not step_id:
        problems.append(FieldError(("stepId",), "is required, before the file"))
    if not has_file:
        problems.append(FieldError(("file",), "is required: the part holding the file"))
    if problems or workflow_id is None:
        raise ValidationFailed("the upload's form is incomplete", problems)
    return workflow_id, step_id


def uploaded(record: FileRecord) -> dict[str, object]:
    return {
        "id": str(record.id),
        "name": record.name,
        "contentType": record.content_type,
        "size": record.size_bytes,
        "sha256": record.sha256,
        "status": record.status,
    }


@files_route
async def download_file(request: Request, services: Services, principal: Principal) -> Response:
    try:
        file_id = uuid.UUID(request.path_params["file_id"])
    except ValueError:
        raise NotFound("file", request.path_params["file_id"]) from None
    record, chunks = await services.files.open(principal, file_id)
    return StreamingResponse(
        chunks,
        media_type=record.content_type,
        headers={
            "content-length": str(record.size_bytes),
            "content-disposition": content_disposition(record.name),
            "x-content-type-options": "nosniff",
            "cache-control": "private, no-store",
        },
    )


def content_disposition(name: str) -> str:
    """`attachment`, with the name for every browser: an ASCII stand-in (RFC 6266) and the
    name itself in UTF-8 (RFC 5987)."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def file_routes() -> list[Route]:
    return [
        Route(FILES_PATH, upload_file, methods=["POST"]),
        Route(FILES_PATH + "/{file_id}", download_file, methods=["GET"]),
    ]
