"""Attachments in GraphQL: the files of a workflow (`Workflow.files`) and the files a step
takes (`TemplateStep.attachments`). Files are uploaded and downloaded over plain HTTP
(`POST /files`, `GET /files/{id}`: wfm_api.files); GraphQL lists them."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum

import strawberry

from wfm_api.schema.common import Info, described_field
from wfm_engine import StepDefinition
from wfm_engine.steps import form_attachments
from wfm_storage.repositories.files import FileRecord


@strawberry.enum(
    description=(
        "Where a file is with the virus scanner: PENDING until scanned (not downloadable), "
        "CLEAN or INFECTED (never downloadable) once it was, UNSCANNED when no scanner is "
        "configured"
    )
)
class FileStatus(Enum):
    PENDING = "pending"
    CLEAN = "clean"
    INFECTED = "infected"
    UNSCANNED = "unscanned"


@strawberry.type(description="A file uploaded to a step of a workflow")
class WorkflowFile:
    record: strawberry.Private[FileRecord]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.record.id))

    @strawberry.field
    def workflow_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.record.workflow_id))

    @described_field("The step it was uploaded to")
    def step_id(self) -> str:
        return self.record.step_id

    @described_field("The name it was uploaded with")
    def name(self) -> str:
        return self.record.name

    @described_field("Its type, read from its bytes when it was uploaded")
    def content_type(self) -> str:
        return self.record.content_type

    @described_field("Its size in bytes")
    def size(self) -> int:
        return self.record.size_bytes

    @described_field("The SHA-256 of its bytes, in hexadecimal")
    def sha256(self) -> str:
        return self.record.sha256

    @strawberry.field
    def status(self) -> FileStatus:
        return FileStatus(self.record.status)

    @strawberry.field
    def uploaded_at(self) -> datetime:
        return self.record.uploaded_at

    @described_field("Who uploaded it")
    def uploaded_by(self) -> strawberry.ID | None:
        return strawberry.ID(str(self.record.uploaded_by))

    @described_field(
        "Where its bytes are downloaded (GET, with the same bearer token as GraphQL's)"
    )
    def download_url(self) -> str:
        return f"/files/{self.record.id}"


@strawberry.type(description="The files a form step takes (uploaded with POST /files)")
class StepAttachments:
    content_types: list[str] = strawberry.field(
        description="The types it takes, as read from a file's bytes"
    )
    max_bytes: int = strawberry.field(description="The largest file it takes, in bytes")


def step_attachments(step: StepDefinition) -> StepAttachments | None:
    attachments = form_attachments(step)
    if attachments is None:
        return None
    return StepAttachments(
        content_types=list(attachments.content_types), max_bytes=attachments.max_bytes
    )


async def load_files(info: Info, workflow_id: uuid.UUID) -> list[WorkflowFile]:
    """The files of a workflow the caller sees, not deleted, oldest first (batched with
    every other workflow of the request)."""
    return [WorkflowFile(record=r) for r in await info.context.loaders.load_files(workflow_id)]
