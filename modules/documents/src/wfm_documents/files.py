"""Attachments: files uploaded to a form step of a workflow, downloaded on every request
under an authorisation check, scanned for viruses when a scanner is configured.

Uploading (`upload`): a file goes to a step that takes attachments (`config.attachments` of
a form step of the workflow's pinned template), by someone who may execute that step, on a
workflow they see that is not finished (COMPLETED, CANCELLED and FAILED take no more). Its
type is read from its bytes (`wfm_documents.content_types`) and must be one the step
allows; it may be no larger than the step's `maxBytes` (and the platform's FILE_MAX_BYTES).
The bytes stream into MongoDB as they arrive, hashed on the way (SHA-256); a file refused
on the way (too large, not the type its first bytes announced) leaves nothing behind. Then,
in one Postgres transaction, the row (which re-checks that the workflow is still open), the
audit entry `FILE_UPLOADED` and, with a scanner, the job that scans it: the file stays
`pending` (never downloadable, never enough for the documents gate) until the scanner
found it `clean` or `infected` (its bytes deleted, the entry `FILE_INFECTED`). Without a
scanner a file is `unscanned`: accepted as it came.

A crash between the bytes and the row leaves bytes that no row names: unreachable (every
read starts from a row), only space lost.

Reading (`open`) needs the workflows.read permission and a file the caller's tenant holds:
another tenant's id answers exactly like an unknown one. Files of a rolled-back or cancelled
workflow stay readable; only retention deletes them (`delete_for_workflows`)."""

from __future__ import annotations

import contextlib
import unicodedata
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from wfm_documents.content_types import SNIFF_BYTES, ContentType, TextCheck
from wfm_documents.scanning import FileScanner, ScannerUnavailable
from wfm_engine import InstanceState, StepHandlerRegistry, WorkflowStatus, WorkflowTemplate
from wfm_engine.policy import step_role_refusal
from wfm_engine.steps import Attachments, form_attachments
from wfm_shared.authorization import Permission, authorize
from wfm_shared.clock import Clock
from wfm_shared.errors import (
    Conflict,
    FieldError,
    InvalidTransition,
    NotFound,
    ValidationFailed,
    WfmError,
)
from wfm_shared.limits import FILE_MAX_BYTES
from wfm_shared.logging import get_logger
from wfm_shared.principal import Principal, system_principal
from wfm_storage.file_bytes import FileBytes, MissingBytes
from wfm_storage.jobs import SCAN_FILE, scan_key
from wfm_storage.postgres import Database
from wfm_storage.queue import JobQueue
from wfm_storage.records import InstanceIndexRow
from wfm_storage.repositories.audit import AuditLog
from wfm_storage.repositories.files import FileRecord, FileRepository, NewFile

log = get_logger("wfm.files")

# What `InvalidTransition` names as the refused action.
UPLOAD_FILE = "UPLOAD_FILE"
# A workflow in one of these takes no more files: its data can no longer change.
FINISHED = frozenset({WorkflowStatus.COMPLETED, WorkflowStatus.CANCELLED, WorkflowStatus.FAILED})
MAX_NAME_LENGTH = 255
# an upload not recorded by then was cut short (an upload may take UPLOAD_SECONDS, 5 minutes)
ABANDONED_AFTER = timedelta(hours=1)


class FileTooLarge(WfmError):
    """The file is larger than its step takes: refused, nothing stored."""

    code = "PAYLOAD_TOO_LARGE"

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"the file is larger than this step takes ({max_bytes} bytes at most)")
        self.max_bytes = max_bytes

    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, "maxBytes": self.max_bytes}


class ContentTypeNotAllowed(WfmError):
    """The file's bytes are of a type its step does not take: refused, nothing stored."""

    code = "UNSUPPORTED_MEDIA_TYPE"

    def __init__(self, content_type: str, allowed: Sequence[str]) -> None:
        super().__init__(
            f"the file is {content_type} (read from its bytes), which this step does not "
            f"take: {', '.join(allowed)}"
        )
        self.content_type = content_type
        self.allowed = list(allowed)

    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, "contentType": self.content_type, "allowed": self.allowed}


class FilePending(Conflict):
    """The file waits for the virus scanner: not downloadable yet."""

    code = "FILE_PENDING"

    def __init__(self, file_id: uuid.UUID) -> None:
        super().__init__(f"file {file_id} is being scanned for viruses: try again shortly")


class FileInfected(WfmError):
    """The scanner found something in the file: never downloadable (its bytes are gone)."""

    code = "FILE_INFECTED"

    def __init__(self, file_id: uuid.UUID) -> None:
        super().__init__(f"file {file_id} did not pass the virus scan and was removed")


class OpenWorkflow(Protocol):
    """A workflow as its service loads it for a command (`wfm_workflows.service.Loaded`)."""

    @property
    def row(self) -> InstanceIndexRow: ...

    @property
    def state(self) -> InstanceState: ...

    @property
    def template(self) -> WorkflowTemplate: ...


class WorkflowLoader(Protocol):
    async def load(self, principal: Principal, workflow_id: uuid.UUID) -> OpenWorkflow:
        """The workflow under the principal's eyes; NotFound when it sees none."""
        ...


class FileService:
    def __init__(
        self,
        db: Database,
        *,
        files: FileRepository,
        file_bytes: FileBytes,
        workflows: WorkflowLoader,
        handlers: StepHandlerRegistry,
        audit: AuditLog,
        jobs: JobQueue,
        clock: Clock,
        scanner: FileScanner | None = None,
    ) -> None:
        self._db = db
        self._files = files
        self._bytes = file_bytes
        self._workflows = workflows
        self._handlers = handlers
        self._audit = audit
        self._jobs = jobs
        self._clock = clock
        self._scanner = scanner

    # -- uploading ---------------------------------------------------------------------

    async def upload(
        self,
        principal: Principal,
        workflow_id: uuid.UUID,
        step_id: str,
        filename: str | None,
        chunks: AsyncIterator[bytes],
    ) -> FileRecord:
        """Store the file `chunks` yields as an attachment of step `step_id`."""
        authorize(principal, Permission.WORKFLOWS_EXECUTE)
        name = file_name(filename)
        workflow = await self._workflows.load(principal, workflow_id)
        attachments = self._attachments_of(principal, workflow, step_id)
        if workflow.state.status in FINISHED:
            raise InvalidTransition(
                f"a workflow that is {workflow.state.status} takes no more files",
                status=workflow.state.status.value,
                action=UPLOAD_FILE,
            )
        max_bytes = min(attachments.max_bytes, FILE_MAX_BYTES)
        head, rest = await _head(chunks, SNIFF_BYTES)
        if not head:
            raise ValidationFailed("the file is empty", [FieldError(("file",), "is empty")])
        content = ContentType.of(head, name)
        allowed = attachments.content_types
        if content.media_type not in allowed:
            raise ContentTypeNotAllowed(content.media_type, allowed)
        file_id = uuid.uuid4()
        checked = _checked(_limited(_joined(head, rest), max_bytes), content, allowed)
        stored = await self._bytes.write(
            file_id, checked, tenant_id=workflow.row.tenant_id, name=name
        )
        new = NewFile(
            id=file_id,
            workflow_id=workflow_id,
            step_id=step_id,
            name=name,
            content_type=content.media_type,
            size_bytes=stored.size,
            sha256=stored.sha256,
            status="unscanned" if self._scanner is None else "pending",
            uploaded_by=principal.user_id,
            uploaded_at=self._clock.now(),
        )
        try:
            record = await self._record_upload(principal, new)
        except BaseException:
            with contextlib.suppress(Exception):  # the error says what went wrong
                await self._bytes.delete(file_id)
            raise
        await self._bytes.settled(file_id)
        return record

    def _attachments_of(
        self, principal: Principal, workflow: OpenWorkflow, step_id: str
    ) -> Attachments:
        """The files step `step_id` takes, when it takes any and `principal` may execute it."""
        template = workflow.template
        if not template.has_step(step_id):
            raise ValidationFailed(
                "no such step",
                [FieldError(("stepId",), f"is not a step of template {template.key!r}")],
            )
        attachments = form_attachments(template.step(step_id))
        if attachments is None:
            raise ValidationFailed(
                "this step takes no files",
                [FieldError(("stepId",), f"step {step_id!r} takes no files")],
            )
        refused = step_role_refusal(workflow.state, template, principal, step_id, self._handlers)
        if refused is not None:
            raise refused
        return attachments

    async def _record_upload(self, principal: Principal, new: NewFile) -> FileRecord:
        async with self._db.transaction(principal) as conn:
            record = await self._files.add(conn, new)
            if record is None:
                # finished (or gone from sight) while the bytes streamed in
                raise InvalidTransition(
                    "the workflow finished while the file was uploaded: it takes no more files",
                    action=UPLOAD_FILE,
                )
            await self._audit.append(
                conn,
                principal=principal,
                tenant_id=record.tenant_id,
                action="FILE_UPLOADED",
                target_type="file",
                target_id=str(record.id),
                details={
                    "name": record.name,
                    "contentType": record.content_type,
                    "size": record.size_bytes,
                    "sha256": record.sha256,
                    "workflowId": str(record.workflow_id),
                    "stepId": record.step_id,
                },
            )
            if record.status == "pending":
                await self._jobs.enqueue(
                    conn,
                    SCAN_FILE,
                    {"fileId": str(record.id), "tenantId": str(record.tenant_id)},
                    dedupe_key=scan_key(str(record.id)),
                )
        return record

    # -- scanning ----------------------------------------------------------------------

    async def scan_pending(self, file_id: uuid.UUID, tenant_id: uuid.UUID) -> None:
        """The scanner's verdict on a pending file (the worker's `scan_file` job): clean, or
        infected (its bytes deleted). Idempotent: a file judged already is left as it is.
        ScannerUnavailable (the job runs again later) while there is no verdict."""
        platform = system_principal()
        async with self._db.transaction(platform) as conn:
            record = await self._files.get(conn, file_id)
        if record is None or record.tenant_id != tenant_id or record.deleted_at is not None:
            return
        if record.status == "infected":
            await self._bytes.delete(file_id)  # what a crash after the verdict may have left
            return
        if record.status != "pending":
            return
        if self._scanner is None:
            raise ScannerUnavailable(
                "no virus scanner is configured for the worker (WFM_CLAMD_ADDRESS): "
                f"file {file_id} stays pending"
            )
        verdict = await self._scanner.scan(await self._bytes.read(file_id, tenant_id))
        async with self._db.transaction(platform) as conn:
            judged = await self._files.record_scan(
                conn,
                file_id,
                infected=verdict.infected,
                signature=verdict.signature,
                at=self._clock.now(),
            )
            if judged is not None and verdict.infected:
                await self._audit.append(
                    conn,
                    principal=platform,
                    tenant_id=judged.tenant_id,
                    action="FILE_INFECTED",
                    target_type="file",
                    target_id=str(judged.id),
                    details={
                        "name": judged.name,
                        "signature": judged.scan_signature,
                        "workflowId": str(judged.workflow_id),
                        "stepId": judged.step_id,
                        "uploadedBy": str(judged.uploaded_by),
                    },
                )
        if verdict.infected:
            await self._bytes.delete(file_id)
        log.info("file_scanned", file_id=str(file_id), infected=verdict.infected)

    # -- reading -----------------------------------------------------------------------

    async def open(
        self, principal: Principal, file_id: uuid.UUID
    ) -> tuple[FileRecord, AsyncIterator[bytes]]:
        """The file and its bytes, a chunk at a time. NotFound for a file the caller's
        tenant does not hold (or that was deleted); FilePending, FileInfected."""
        authorize(principal, Permission.WORKFLOWS_READ)
        async with self._db.transaction(principal) as conn:
            record = await self._files.get(conn, file_id)
        if record is None or record.deleted_at is not None:
            raise NotFound("file", file_id)
        if record.status == "pending":
            raise FilePending(file_id)
        if record.status == "infected":
            raise FileInfected(file_id)
        try:
            chunks = await self._bytes.read(file_id, record.tenant_id)
        except MissingBytes:
            log.error("file_bytes_missing", file_id=str(file_id))
            raise NotFound("file", file_id) from None
        return record, chunks

    async def for_workflows(
        self, principal: Principal, workflow_ids: Sequence[uuid.UUID]
    ) -> list[FileRecord]:
        """Every file of the workflows the caller sees, deleted ones too (what is held of
        them: the row), oldest first."""
        authorize(principal, Permission.WORKFLOWS_READ)
        async with self._db.transaction(principal) as conn:
            found = await self._files.for_workflows(conn, workflow_ids, include_deleted=True)
        return [record for workflow_id in workflow_ids for record in found.get(workflow_id, [])]

    async def for_uploader(
        self, principal: Principal, tenant_id: uuid.UUID, user_id: uuid.UUID
    ) -> list[FileRecord]:
        """Every file the user uploaded in the tenant, deleted ones too, oldest first."""
        authorize(principal, Permission.WORKFLOWS_READ, tenant_id=tenant_id)
        async with self._db.transaction(principal) as conn:
            return await self._files.for_uploader(conn, tenant_id, user_id)

    # -- retention ---------------------------------------------------------------------

    async def delete_for_workflows(
        self, principal: Principal, workflow_ids: Sequence[uuid.UUID]
    ) -> int:
        """Delete the bytes of every file of the workflows and stamp their rows deleted; how
        many files were deleted now. Bytes first: a crash in between leaves rows that a
        second run deletes again (deleting bytes that are gone changes nothing)."""
        authorize(principal, Permission.RETENTION_MANAGE)
        async with self._db.transaction(principal) as conn:
            found = await self._files.for_workflows(conn, workflow_ids)
        file_ids = [record.id for records in found.values() for record in records]
        for file_id in file_ids:
            await self._bytes.delete(file_id)
        if not file_ids:
            return 0
        async with self._db.transaction(principal) as conn:
            deleted = await self._files.mark_deleted(conn, file_ids, at=self._clock.now())
        return len(deleted)

    async def clear_abandoned_uploads(self, now: datetime) -> int:
        """Delete the bytes of uploads cut short by a crash between their bytes and their row
        (begun more than ABANDONED_AFTER ago, no row): nobody can reach them, and they may hold
        personal data. How many were deleted. (A row committed before the crash: only the
        note goes.)"""
        started = await self._bytes.unsettled(now - ABANDONED_AFTER)
        if not started:
            return 0
        async with self._db.transaction(system_principal()) as conn:
            recorded = await self._files.by_ids(conn, started)
        abandoned = 0
        for file_id in started:
            if file_id in recorded:
                await self._bytes.settled(file_id)
            else:
                abandoned += await self._bytes.delete(file_id)
        if abandoned:
            log.info("abandoned_uploads_deleted", count=abandoned)
        return abandoned


def file_name(filename: str | None) -> str:
    """The name a file is kept and downloaded under: the last part of what the client sent
    (a browser sends the name alone; some send a path), without surrounding blanks."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        raise ValidationFailed(
            "the file has no name", [FieldError(("file",), "must be sent with its file name")]
        )
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationFailed(
            "the file name is too long",
            [FieldError(("file",), f"its name must be at most {MAX_NAME_LENGTH} characters")],
        )
    if any(unicodedata.category(c) in {"Cc", "Cs"} for c in name):
        raise ValidationFailed(
            "the file name has control characters",
            [FieldError(("file",), "its name must not hold control characters")],
        )
    return name


async def _head(chunks: AsyncIterator[bytes], size: int) -> tuple[bytes, AsyncIterator[bytes]]:
    """At least the first `size` bytes (all of a smaller file), and what follows them."""
    head = bytearray()
    while len(head) < size:
        try:
            head += await anext(chunks)
        except StopAsyncIteration:
            break
    return bytes(head), chunks


async def _joined(head: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield head
    async for chunk in rest:
        yield chunk


async def _limited(chunks: AsyncIterator[bytes], max_bytes: int) -> AsyncIterator[bytes]:
    """The bytes, until there are more than `max_bytes`: FileTooLarge then."""
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            raise FileTooLarge(max_bytes)
        yield chunk


async def _checked(
    chunks: AsyncIterator[bytes], content: ContentType, allowed: Sequence[str]
) -> AsyncIterator[bytes]:
    """The bytes, checked to be text to the end when the first ones said so."""
    if not content.needs_text:
        async for chunk in chunks:
            yield chunk
        return
    text = TextCheck()
    async for chunk in chunks:
        if not text.feed(chunk):
            raise ContentTypeNotAllowed("application/octet-stream", allowed)
        yield chunk
    if not text.finish():
        raise ContentTypeNotAllowed("application/octet-stream", allowed)
