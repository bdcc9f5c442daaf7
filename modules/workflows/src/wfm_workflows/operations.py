"""Operating the automation: the job queue as market operations see and retry it, each
user's in-app notifications, and the triggers that start workflows (schedules, events)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import asyncpg
from croniter import croniter

from wfm_engine import MARKET_ROLES, EventType
from wfm_engine.events import PUBLIC_EVENT_NAMES, public_event_name
from wfm_shared.clock import Clock, SystemClock
from wfm_shared.documents import text_problem
from wfm_shared.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from wfm_shared.principal import Principal
from wfm_storage.bootstrap import Storage
from wfm_storage.postgres import Executor
from wfm_storage.repositories import queued_jobs
from wfm_storage.repositories.notifications import Notification
from wfm_storage.repositories.queued_jobs import JOB_STATUSES, QueuedJob
from wfm_storage.repositories.triggers import Trigger
from wfm_workflows.template_service import require_market_ops


class JobAdminService:
    """The background jobs, for market operations: what waits, what failed and why."""

    def __init__(self, storage: Storage) -> None:
        self._s = storage

    async def jobs(
        self,
        principal: Principal,
        *,
        status: str | None = None,
        entrypoint: str | None = None,
        first: int = 50,
    ) -> list[QueuedJob]:
        """Jobs in the queue, newest first."""
        require_market_ops(principal, "inspect the job queue")
        if status is not None and status not in JOB_STATUSES:
            raise ValidationFailed(
                "unknown job status",
                [FieldError(("status",), f"must be one of {', '.join(JOB_STATUSES)}")],
            )
        async with self._s.db.transaction(principal) as conn:
            return await queued_jobs.list(conn, status=status, entrypoint=entrypoint, limit=first)

    async def retry(self, principal: Principal, job_id: int) -> QueuedJob:
        """Queue a held failed job again, with a fresh attempt budget."""
        require_market_ops(principal, "retry jobs")
        async with self._s.db.transaction(principal) as conn:
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
            await self._s.audit.append(
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


class NotificationService:
    """In-app notifications: each user reads and marks only their own."""

    MAX_MARKED = 500

    def __init__(self, storage: Storage, clock: Clock | None = None) -> None:
        self._s = storage
        self._clock = clock or SystemClock()

    async def inbox(
        self, principal: Principal, *, unread_only: bool = False, first: int = 20
    ) -> list[Notification]:
        """The asking user's notifications, newest first."""
        async with self._s.db.transaction(principal) as conn:
            return await self._s.notifications.for_user(
                conn, principal.user_id, unread_only=unread_only, limit=first
            )

    async def mark_read(self, principal: Principal, ids: list[uuid.UUID]) -> int:
        """How many of the asking user's unread notifications are now read; ids of others'
        notifications change nothing, like unknown ids."""
        if len(ids) > self.MAX_MARKED:
            raise ValidationFailed(
                "too many notifications at once",
                [FieldError(("ids",), f"must name at most {self.MAX_MARKED}")],
            )
        if not ids:
            return 0
        async with self._s.db.transaction(principal) as conn:
            return await self._s.notifications.mark_read(
                conn, principal.user_id, ids, self._clock.now()
            )


TRIGGER_KINDS = ("schedule", "event")
# What an event trigger may narrow its events by (the worker compares these).
TRIGGER_FILTER_KEYS = ("templateKey", "marketRole", "stepId")
# A trigger on the creation of the very workflows it creates would never stop.
WORKFLOW_CREATED = public_event_name(EventType.WORKFLOW_CREATED)


@dataclass(frozen=True)
class TriggerSpec:
    """A trigger as asked for: a schedule (cron in a time zone) or a platform event."""

    name: str
    kind: str
    template_key: str
    market_role: str
    cron: str | None = None
    timezone: str | None = None
    event_type: str | None = None
    filter: Mapping[str, Any] | None = None

    def problems(self) -> list[FieldError]:
        """Every problem at once, each at the argument it is about."""
        found: list[FieldError] = []
        if not 1 <= len(self.name.strip()) <= 200:
            found.append(FieldError(("name",), "must have between 1 and 200 characters"))
        if self.market_role not in MARKET_ROLES:
            found.append(FieldError(("marketRole",), f"must be one of {', '.join(MARKET_ROLES)}"))
        if self.kind == "schedule":
            found += self._schedule_problems()
        elif self.kind == "event":
            found += self._event_problems()
        else:
            found.append(FieldError(("kind",), f"must be one of {', '.join(TRIGGER_KINDS)}"))
        return found

    def _schedule_problems(self) -> list[FieldError]:
        found: list[FieldError] = []
        if not self.cron:
            found.append(FieldError(("cron",), "is required for a schedule"))
        elif len(self.cron.split()) != 5 or not croniter.is_valid(self.cron):
            found.append(
                FieldError(("cron",), "must be a cron expression: minute hour day month weekday")
            )
        if not self.timezone:
            found.append(FieldError(("timezone",), "is required for a schedule"))
        elif not _is_time_zone(self.timezone):
            found.append(
                FieldError(("timezone",), "must be an IANA time zone, e.g. Europe/Brussels")
            )
        if self.event_type is not None:
            found.append(FieldError(("eventType",), "is only for event triggers"))
        if self.filter:
            found.append(FieldError(("filter",), "is only for event triggers"))
        return found

    def _event_problems(self) -> list[FieldError]:
        found: list[FieldError] = []
        if not self.event_type:
            found.append(FieldError(("eventType",), "is required for an event trigger"))
        elif self.event_type not in PUBLIC_EVENT_NAMES:
            found.append(
                FieldError(
                    ("eventType",), f"must be one of {', '.join(sorted(PUBLIC_EVENT_NAMES))}"
                )
            )
        for name in ("cron", "timezone"):
            if getattr(self, name) is not None:
                found.append(FieldError((name,), "is only for schedules"))
        wanted = self.filter or {}
        for key, value in wanted.items():
            if key not in TRIGGER_FILTER_KEYS:
                found.append(
                    FieldError(("filter", key), f"must be one of {', '.join(TRIGGER_FILTER_KEYS)}")
                )
            elif not isinstance(value, str) or not value:
                found.append(FieldError(("filter", key), "must be a non-empty string"))
            elif unstorable := text_problem(value):
                found.append(FieldError(("filter", key), unstorable))
        if (
            self.event_type == WORKFLOW_CREATED
            and wanted.get("templateKey") in (None, self.template_key)
            and wanted.get("marketRole") in (None, self.market_role)
        ):
            found.append(
                FieldError(
                    ("filter", "templateKey"),
                    "must name another template: the workflows this trigger creates would fire it again",
                )
            )
        return found


def _is_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


class TriggerService:
    """Triggers that start workflows: a tenant's administrators keep their tenant's, market
    operations any tenant's and the platform's (event triggers for every tenant)."""

    def __init__(self, storage: Storage) -> None:
        self._s = storage

    async def create(
        self, principal: Principal, tenant_id: uuid.UUID | None, spec: TriggerSpec
    ) -> Trigger:
        _require_admin(principal)
        if tenant_id is None:
            tenant_id = principal.tenant_id
        problems = spec.problems()
        if tenant_id is None and spec.kind == "schedule":
            problems.append(FieldError(("tenantId",), "is required for a schedule"))
        if problems:
            raise ValidationFailed("the trigger is not valid", problems)
        async with self._s.db.transaction(principal) as conn:
            if tenant_id is not None and await self._s.tenants.get(conn, tenant_id) is None:
                raise NotFound("tenant", tenant_id)
            if (
                await self._s.templates.latest_for(conn, spec.template_key, spec.market_role)
                is None
            ):
                raise ValidationFailed(
                    "the trigger is not valid",
                    [
                        FieldError(
                            ("templateKey",),
                            f"no active template {spec.template_key!r} for {spec.market_role}",
                        )
                    ],
                )
            trigger = await self._s.triggers.create(
                conn,
                tenant_id=tenant_id,
                name=spec.name.strip(),
                kind=spec.kind,
                cron=spec.cron,
                timezone=spec.timezone,
                event_type=spec.event_type,
                filter=dict(spec.filter or {}),
                template_key=spec.template_key,
                market_role=spec.market_role,
                created_by=principal.user_id,
            )
            await self._audit(conn, principal, "WORKFLOW_TRIGGER_CREATED", trigger)
        return trigger

    async def list(self, principal: Principal, tenant_id: uuid.UUID | None = None) -> list[Trigger]:
        """Active triggers: a tenant's, or (market operations, no tenant) all of them."""
        _require_admin(principal)
        async with self._s.db.transaction(principal) as conn:
            return await self._s.triggers.list(conn, tenant_id=tenant_id)

    async def delete(self, principal: Principal, trigger_id: uuid.UUID) -> Trigger:
        _require_admin(principal)
        async with self._s.db.transaction(principal) as conn:
            trigger = await self._s.triggers.get(conn, trigger_id)
            if trigger is None or not await self._s.triggers.delete(conn, trigger_id):
                raise NotFound("workflow trigger", trigger_id)
            await self._audit(conn, principal, "WORKFLOW_TRIGGER_DELETED", trigger)
        return trigger

    async def _audit(
        self, conn: Executor, principal: Principal, action: str, trigger: Trigger
    ) -> None:
        await self._s.audit.append(
            conn,
            principal=principal,
            tenant_id=trigger.tenant_id,
            action=action,
            target_type="workflow_trigger",
            target_id=str(trigger.id),
            details={
                "name": trigger.name,
                "kind": trigger.kind,
                "cron": trigger.cron,
                "timezone": trigger.timezone,
                "eventType": trigger.event_type,
                "filter": trigger.filter,
                "templateKey": trigger.template_key,
                "marketRole": trigger.market_role,
            },
        )


def _require_admin(principal: Principal) -> None:
    if principal.role not in ("market_ops", "tenant_admin"):
        raise Forbidden("only the tenant's administrators or market operations manage triggers")
