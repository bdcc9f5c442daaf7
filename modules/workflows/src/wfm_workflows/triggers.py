"""Triggers that start workflows: on a schedule (cron in a time zone) or on a platform
event (a workflow event, `tenant.created`). Kept by a tenant's administrators for their
tenant, by market operations for any tenant and for the platform; fired by the platform
(the worker's jobs and clock) exactly once per slot or event."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from wfm_engine import MARKET_ROLES, Event, EventType, InstanceState
from wfm_engine.events import PUBLIC_EVENT_NAMES, public_event_name
from wfm_shared.authorization import Permission, authorize
from wfm_shared.documents import text_problem
from wfm_shared.errors import FieldError, NotFound, OnboardingExists, ValidationFailed
from wfm_shared.logging import get_logger
from wfm_shared.principal import Principal, system_principal
from wfm_storage import jobs
from wfm_storage.postgres import Database, Executor
from wfm_storage.queue import JobQueue
from wfm_storage.repositories.audit import AuditLog
from wfm_storage.repositories.templates import TemplateRepository
from wfm_storage.repositories.tenants import TenantRepository
from wfm_storage.repositories.triggers import Trigger, TriggerRepository
from wfm_workflows.service import WorkflowService

log = get_logger("wfm.triggers")

TRIGGER_KINDS = ("schedule", "event")
# What an event trigger may narrow its events by (`event_trigger_matches` compares these).
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


def event_trigger_matches(
    trigger: Trigger,
    event_type: str,
    *,
    template_key: str,
    market_role: str,
    step_id: str | None,
) -> bool:
    """Whether an event trigger fires for `event_type` on a workflow of `template_key` and
    `market_role` (at `step_id`): its event type, and each filter it names, match."""
    wanted = trigger.filter
    return trigger.event_type == event_type and all(
        wanted.get(key) in (None, actual)
        for key, actual in (
            ("templateKey", template_key),
            ("marketRole", market_role),
            ("stepId", step_id),
        )
    )


def latest_slot(cron: str, timezone: str, now: datetime) -> datetime:
    """The most recent time at or before `now` the cron expression names, read in `timezone`
    (so `0 6 * * *` in Europe/Brussels follows daylight saving)."""
    local_now = now.astimezone(ZoneInfo(timezone))
    if croniter.match(cron, local_now.replace(second=0, microsecond=0)) and local_now.second == 0:
        return local_now
    slot: datetime = croniter(cron, local_now).get_prev(datetime)
    return slot


def _is_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


class TriggerService:
    """Triggers that start workflows: a tenant's administrators keep their tenant's, market
    operations any tenant's and the platform's (event triggers for every tenant)."""

    def __init__(
        self,
        db: Database,
        *,
        triggers: TriggerRepository,
        tenants: TenantRepository,
        templates: TemplateRepository,
        audit: AuditLog,
        jobs: JobQueue,
        workflows: WorkflowService,
    ) -> None:
        self._db = db
        self._triggers = triggers
        self._tenants = tenants
        self._templates = templates
        self._audit_log = audit
        self._jobs = jobs
        self._workflows = workflows
        self._platform = system_principal()

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
        async with self._db.transaction(principal) as conn:
            if tenant_id is not None and await self._tenants.get(conn, tenant_id) is None:
                raise NotFound("tenant", tenant_id)
            if await self._templates.latest_for(conn, spec.template_key, spec.market_role) is None:
                raise ValidationFailed(
                    "the trigger is not valid",
                    [
                        FieldError(
                            ("templateKey",),
                            f"no active template {spec.template_key!r} for {spec.market_role}",
                        )
                    ],
                )
            trigger = await self._triggers.create(
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
        async with self._db.transaction(principal) as conn:
            return await self._triggers.list(conn, tenant_id=tenant_id)

    async def delete(self, principal: Principal, trigger_id: uuid.UUID) -> Trigger:
        _require_admin(principal)
        async with self._db.transaction(principal) as conn:
            trigger = await self._triggers.get(conn, trigger_id)
            if trigger is None or not await self._triggers.delete(conn, trigger_id):
                raise NotFound("workflow trigger", trigger_id)
            await self._audit(conn, principal, "WORKFLOW_TRIGGER_DELETED", trigger)
        return trigger

    # -- firing (the platform, from the worker's jobs and clock) ---------------------------

    async def fire_on_workflow_event(self, state: InstanceState, event: Event) -> None:
        """Claim a firing of each event trigger of the workflow's tenant that `event`
        matches, and leave a job that starts its workflow."""
        event_type = public_event_name(event.type)
        async with self._db.transaction(self._platform) as conn:
            triggers = await self._triggers.list(
                conn, kind="event", tenant_id=uuid.UUID(state.tenant_id)
            )
            for trigger in triggers:
                if not event_trigger_matches(
                    trigger,
                    event_type,
                    template_key=state.template_key,
                    market_role=state.market_role,
                    step_id=event.step_id,
                ):
                    continue
                fire_key = jobs.event_key(state.id, event.seq)
                if await self._triggers.claim(conn, trigger, fire_key):
                    job = {
                        "triggerId": str(trigger.id),
                        "fireKey": fire_key,
                        "trigger": {
                            "type": "event",
                            "eventType": event_type,
                            "workflowId": state.id,
                            "seq": event.seq,
                        },
                        "correlationId": event.correlation_id or fire_key,
                    }
                    await self._jobs.enqueue(
                        conn,
                        jobs.START_TRIGGERED,
                        job,
                        dedupe_key=jobs.firing_key(str(trigger.id), fire_key),
                    )

    async def fire_on_platform_event(self, event_type: str, tenant_id: uuid.UUID) -> None:
        """`tenant.created` and the like: start the triggers waiting for it (the tenant's own,
        and the platform's, which market operations keep for every tenant)."""
        fire_key = f"{event_type}:{tenant_id}"
        async with self._db.transaction(self._platform) as conn:
            for trigger in await self._triggers.list(conn, kind="event"):
                if trigger.tenant_id not in (None, tenant_id) or trigger.event_type != event_type:
                    continue
                if await self._triggers.claim(conn, trigger, fire_key, tenant_id):
                    job = {
                        "triggerId": str(trigger.id),
                        "tenantId": str(tenant_id),
                        "fireKey": fire_key,
                        "trigger": {"type": "event", "eventType": event_type},
                    }
                    key = jobs.firing_key(str(trigger.id), fire_key)
                    await self._jobs.enqueue(conn, jobs.START_TRIGGERED, job, dedupe_key=key)

    async def fire_due_schedules(self, now: datetime) -> builtins.list[str]:
        """Start each schedule trigger's most recent slot once. Several workers may run this
        at the same moment: the firing's primary key lets one of them through. A worker that
        was down fires the latest missed slot only, not every one it missed."""
        started: builtins.list[str] = []
        async with self._db.transaction(self._platform) as conn:
            for trigger in await self._triggers.list(conn, kind="schedule"):
                assert trigger.cron is not None
                assert trigger.timezone is not None
                slot = latest_slot(trigger.cron, trigger.timezone, now)
                if slot < trigger.created_at:
                    continue  # no slot of this trigger has come yet
                fire_key = f"schedule:{slot.isoformat()}"
                if await self._triggers.claim(conn, trigger, fire_key):
                    job = {
                        "triggerId": str(trigger.id),
                        "fireKey": fire_key,
                        "trigger": {
                            "type": "schedule",
                            "cron": trigger.cron,
                            "timezone": trigger.timezone,
                            "slot": slot.isoformat(),
                        },
                    }
                    key = jobs.firing_key(str(trigger.id), fire_key)
                    await self._jobs.enqueue(conn, jobs.START_TRIGGERED, job, dedupe_key=key)
                    started.append(fire_key)
        return started

    async def start_triggered_workflow(
        self,
        trigger_id: uuid.UUID,
        fire_key: str,
        fired_by: Mapping[str, Any],
        *,
        tenant_id: uuid.UUID | None = None,
        correlation_id: str | None = None,
    ) -> None:
        """Start the workflow of a claimed firing (once: the firing is its idempotency key).
        `tenant_id`: the tenant a platform trigger fired for. A firing that would start a
        second onboarding for a market role is skipped and audited: retrying cannot help."""
        async with self._db.transaction(self._platform) as conn:
            trigger = await self._triggers.get(conn, trigger_id)
        if trigger is None:
            return
        key = jobs.firing_key(str(trigger.id), fire_key)
        # a platform trigger starts the workflow in the tenant the event is about
        tenant = trigger.tenant_id or tenant_id
        try:
            await self._workflows.create_workflow(
                self._platform,
                market_role=trigger.market_role,
                template_key=trigger.template_key,
                tenant_id=tenant,
                trigger={
                    **fired_by,
                    "triggerId": str(trigger.id),
                    "name": trigger.name,
                    "fireKey": fire_key,
                },
                correlation_id=correlation_id or key,
                idempotency_key=key,
            )
        except OnboardingExists as exists:
            # retrying cannot help: the tenant is onboarded, or being onboarded, for the role
            log.info("trigger_skipped", trigger=str(trigger.id), reason=exists.message)
            async with self._db.transaction(self._platform) as conn:
                await self._audit_log.append(
                    conn,
                    principal=self._platform,
                    tenant_id=tenant,
                    action="TRIGGER_SKIPPED",
                    target_type="trigger",
                    target_id=str(trigger.id),
                    details={"fireKey": fire_key, **exists.extensions()},
                    request_id=key,
                )

    async def _audit(
        self, conn: Executor, principal: Principal, action: str, trigger: Trigger
    ) -> None:
        await self._audit_log.append(
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
    authorize(principal, Permission.TRIGGERS_MANAGE)
