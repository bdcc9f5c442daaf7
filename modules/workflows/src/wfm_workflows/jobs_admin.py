"""The job queue as market operations see it: what waits, what failed and why, retrying
a job held as failed, and telling them (and the tenant it concerns) when one is held."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import asyncpg

from wfm_integrations.notifier import HeldJob, Notifier
from wfm_shared.authorization import Permission, authorize
from wfm_shared.errors import Conflict, FieldError, NotFound, ValidationFailed
from wfm_shared.logging import get_logger
from wfm_shared.principal import Principal, system_principal
from wfm_storage import jobs
from wfm_storage.postgres import Database, Executor
from wfm_storage.queue import JobQueue
from wfm_storage.repositories import queued_jobs
from wfm_storage.repositories.audit import AuditLog
from wfm_storage.repositories.instance_index import InstanceIndex
from wfm_storage.repositories.queued_jobs import JOB_STATUSES, QueuedJob
from wfm_storage.repositories.tenants import TenantRepository
from wfm_storage.repositories.triggers import TriggerRepository
from wfm_storage.repositories.webhooks import WebhookRepository

__all__ = ["JobAdminService", "QueuedJob"]

log = get_logger("wfm.jobs")

# what of a job's error its notification repeats
MAX_ERROR_CHARS = 500


class JobAdminService:
    """The background jobs, for market operations: what waits, what failed and why."""

    def __init__(
        self,
        db: Database,
        *,
        audit: AuditLog,
        jobs: JobQueue,
        index: InstanceIndex,
        tenants: TenantRepository,
        webhooks: WebhookRepository,
        triggers: TriggerRepository,
        notifier: Notifier,
    ) -> None:
        self._db = db
        self._audit = audit
        self._jobs = jobs
        self._index = index
        self._tenants = tenants
        self._webhooks = webhooks
        self._triggers = triggers
        self._notifier = notifier
        self._platform = system_principal()

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

    async def report_held(
        self, job_id: int, entrypoint: str, payload: Mapping[str, Any], attempts: int, error: str
    ) -> None:
        """The worker gave a job up (held as failed, the dead letter): market operations and
        the administrators of the tenant it concerns are told, by a job of its own (retried
        like any other, each person told once per holding)."""
        if entrypoint == jobs.JOB_HELD:
            # telling of this one would fail the same way: the log and the queue show it
            log.warning("held_job_not_notified", job_id=job_id, error=error)
            return
        async with self._db.transaction(self._platform) as conn:
            key = jobs.held_key(job_id, await queued_jobs.times_retried(conn, job_id))
            await self._jobs.enqueue(
                conn,
                jobs.JOB_HELD,
                {
                    "jobId": job_id,
                    "entrypoint": entrypoint,
                    "payload": dict(payload),
                    "attempts": attempts,
                    "error": error[:MAX_ERROR_CHARS],
                    "key": key,
                },
                dedupe_key=key,
            )

    async def notify_held(
        self,
        job_id: int,
        entrypoint: str,
        payload: Mapping[str, Any],
        attempts: int,
        error: str,
        key: str,
    ) -> None:
        """Send what `report_held` left: to market operations, with the error; to the
        administrators of the tenant the job concerns (its payload's tenant, workflow,
        webhook delivery or trigger), that it waits for market operations."""
        workflow_id = _uuid(payload.get("instanceId"))
        async with self._db.transaction(self._platform) as conn:
            tenant_id = await self._tenant_of(conn, payload, workflow_id)
            tenant = (
                (await self._tenants.by_ids(conn, [tenant_id])).get(tenant_id)
                if tenant_id
                else None
            )
        await self._notifier.notify_job_held(
            HeldJob(
                id=job_id,
                entrypoint=entrypoint,
                attempts=attempts,
                error=error,
                dedupe_key=key,
                workflow_id=workflow_id,
                tenant_id=tenant.id if tenant else None,
                tenant_name=tenant.company_name if tenant else "",
            )
        )

    async def _tenant_of(
        self, conn: Executor, payload: Mapping[str, Any], workflow_id: uuid.UUID | None
    ) -> uuid.UUID | None:
        tenant_id = _uuid(payload.get("tenantId"))
        if tenant_id is None and workflow_id is not None:
            row = (await self._index.by_ids(conn, [workflow_id])).get(workflow_id)
            tenant_id = row.tenant_id if row else None
        delivery_id = _uuid(payload.get("deliveryId"))
        if tenant_id is None and delivery_id is not None:
            delivery = await self._webhooks.delivery(conn, delivery_id)
            tenant_id = delivery.tenant_id if delivery else None
        trigger_id = _uuid(payload.get("triggerId"))
        if tenant_id is None and trigger_id is not None:
            trigger = await self._triggers.get(conn, trigger_id)
            tenant_id = trigger.tenant_id if trigger else None
        return tenant_id


def _uuid(value: object) -> uuid.UUID | None:
    """An id of a payload; None when absent or not an id (a payload may be why it failed)."""
    try:
        return uuid.UUID(str(value)) if value is not None else None
    except ValueError:
        return None
