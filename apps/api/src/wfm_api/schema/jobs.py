"""The worker's job queue, as market operations see it and retry what failed."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from wfm_api.schema.common import JSON, Info, described_field, described_mutation, page_size, to_id
from wfm_shared.errors import FieldError, ValidationFailed
from wfm_workflows.jobs_admin import QueuedJob


@strawberry.enum(description="Where a background job is (FAILED: held after its last attempt)")
class JobStatus(Enum):
    QUEUED = "queued"
    PICKED = "picked"
    SUCCESSFUL = "successful"
    EXCEPTION = "exception"
    CANCELED = "canceled"
    DELETED = "deleted"
    FAILED = "failed"


def _job_id(value: strawberry.ID) -> int:
    if not str(value).isdigit():
        raise ValidationFailed(
            "id is not a valid job id", [FieldError(("id",), "must be a number")]
        )
    return int(value)


@strawberry.type(description="A background job of the worker")
class Job:
    record: strawberry.Private[QueuedJob]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return to_id(self.record.id)

    @strawberry.field
    def entrypoint(self) -> str:
        return self.record.entrypoint

    @strawberry.field
    def status(self) -> JobStatus:
        return JobStatus(self.record.status)

    @described_field("Attempts made so far")
    def attempts(self) -> int:
        return self.record.attempts

    @strawberry.field
    def priority(self) -> int:
        return self.record.priority

    @strawberry.field
    def dedupe_key(self) -> str | None:
        return self.record.dedupe_key

    @strawberry.field
    def created_at(self) -> datetime:
        return self.record.created

    @strawberry.field
    def updated_at(self) -> datetime:
        return self.record.updated

    @described_field("Not run before this time")
    def execute_after(self) -> datetime:
        return self.record.execute_after

    @strawberry.field
    def payload(self) -> JSON | None:
        payload = self.record.payload
        return JSON(payload) if payload is not None else None

    @described_field("The newest failure: exception type and message")
    def last_error(self) -> str | None:
        return self.record.last_error


@strawberry.type
class JobQueries:
    @described_field("Background jobs, newest first (market operations)")
    async def jobs(
        self,
        info: Info,
        status: JobStatus | None = None,
        entrypoint: str | None = None,
        first: int = 50,
    ) -> list[Job]:
        found = await info.context.services.jobs.jobs(
            info.context.principal,
            status=status.value if status else None,
            entrypoint=entrypoint,
            first=page_size(info, first),
        )
        return [Job(record=j) for j in found]


@strawberry.type
class JobMutations:
    @described_mutation("Queue a held failed job again (market operations)")
    async def retry_job(self, info: Info, id: strawberry.ID) -> Job:
        principal = info.context.principal
        return Job(record=await info.context.services.jobs.retry(principal, _job_id(id)))
