"""The job queue as market operations see it: what waits, what failed and why, and retrying
a job held as failed."""

from __future__ import annotations

import asyncpg

from wfm_shared.authorization import Permission, authorize
from wfm_shared.errors import Conflict, FieldError, NotFound, ValidationFailed
from wfm_shared.principal import Principal
from wfm_storage.postgres import Database
from wfm_storage.repositories import queued_jobs
from wfm_storage.repositories.audit import AuditLog
from wfm_storage.repositories.queued_jobs import JOB_STATUSES, QueuedJob

__all__ = ["JobAdminService", "QueuedJob"]


class JobAdminService:
    """The background jobs, for market operations: what waits, what failed and why."""

    def __init__(self, db: Database, *, audit: AuditLog) -> None:
        self._db = db
        self._audit = audit

    async def jobs(
        self,
        principal: Principal,
        *,
        status: str | None = None,
        entrypoint: str | None = None,
        first: int = 50,
    ) -> list[QueuedJob]:
        """Jobs in the queue, newest first."""
        authorize(principal, Permission.OPERATIONS_MANAGE)
        if status is not None and status not in JOB_STATUSES:
            raise ValidationFailed(
                "unknown job status",
                [FieldError(("status",), f"must be one of {', '.join(JOB_STATUSES)}")],
            )
        async with self._db.transaction(principal) as conn:
            return await queued_jobs.matching(
                conn, status=status, entrypoint=entrypoint, limit=first
            )

    async def retry(self, principal: Principal, job_id: int) -> QueuedJob:
        """Queue a held failed job again, with a fresh attempt budget."""
        authorize(principal, Permission.OPERATIONS_MANAGE)
        async with self._db.transaction(principal) as conn:
            status = await queued_jobs.lock_status(conn, job_id)
            if status is None:
                raise NotFound("job", job_id)
            if status != "failed":
                raise ValidationFailed(
                    "only a failed job can be retried",
                    [FieldError(("id",), f"the job is {status}, not failed")],
                )
            try:
                await queued_jobs.requeue(conn, job_id)
            except asyncpg.UniqueViolationError:
                # the same work (its dedupe key) is already queued or running
                raise Conflict(f"a job doing the same work as job {job_id} is queued") from None
            await self._audit.append(
                conn,
                principal=principal,
                tenant_id=None,
                action="JOB_RETRIED",
                target_type="job",
                target_id=str(job_id),
            )
            job = await queued_jobs.get(conn, job_id)
        assert job is not None
        return job
