"""Triggers that start workflows: on a schedule (cron in a time zone), on a platform event (a
workflow event, `tenant.created`), when a person runs one (manual), or when a vendor's system
calls its URL (webhook, `wfm_workflows.inbound_hooks`). Kept by a tenant's administrators for
their tenant, by market operations for any tenant and for the platform; fired by the platform
(the worker's jobs and clock) exactly once per slot or event.

A trigger can be switched off and on again (`disable`, `enable`): one that is off fires
nothing, and a schedule switched on again does not catch up the slots it missed while off
(its next slot is the first it fires). Every run of every trigger is logged
(`wfm.trigger_runs`): the workflow it started, or why it started none."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from wfm_engine import MARKET_ROLES, Event, EventType, InstanceState, StartWorkflow
from wfm_engine.events import PUBLIC_EVENT_NAMES, public_event_name
from wfm_integrations.webhooks import new_secret
from wfm_shared.authorization import Permission, authorize
from wfm_shared.clock import Clock, SystemClock
from wfm_shared.documents import text_problem
from wfm_shared.errors import (
    FieldError,
    Forbidden,
    InvalidTransition,
    NotFound,
    OnboardingExists,
    ValidationFailed,
)
from wfm_shared.logging import get_logger
from wfm_shared.principal import Principal, system_principal
from wfm_shared.sealing import SecretBox
from wfm_storage import jobs
from wfm_storage.postgres import Database, Executor
from wfm_storage.queue import JobQueue
from wfm_storage.repositories.audit import AuditLog
from wfm_storage.repositories.templates import TemplateRepository
from wfm_storage.repositories.tenants import TenantRepository
from wfm_storage.repositories.trigger_runs import (
    RunCursor,
    RunOutcome,
    RunPage,
    TriggerRun,
    TriggerRunRepository,
)
from wfm_storage.repositories.triggers import Trigger, TriggerRepository
from wfm_workflows.service import WorkflowService
from wfm_workflows.trigger_input import TriggerInput

log = get_logger("wfm.triggers")

TRIGGER_KINDS = ("schedule", "event", "manual", "webhook")
# the kinds that take an input (runTrigger's, a webhook's body)
INPUT_KINDS = ("manual", "webhook")
# What an event trigger may narrow its events by (`event_trigger_matches` compares these).
TRIGGER_FILTER_KEYS = ("templateKey", "marketRole", "stepId")
# A trigger on the creation of the very workflows it creates would never stop.
WORKFLOW_CREATED = public_event_name(EventType.WORKFLOW_CREATED)
# A manual run's idempotency key, within the workflow's own (at most 200 characters)
MAX_RUN_KEY_LENGTH = 150
# What a retried firing cannot change: it is logged as failed, not retried into the dead letter.
FINAL_ERRORS = (NotFound, ValidationFailed, Forbidden, InvalidTransition)


@dataclass(frozen=True)
class TriggerSpec:
    """A trigger as asked for: a schedule (cron in a time zone), a platform event, or a
    manual or webhook trigger (an input schema, and variables mapped from the input)."""

    name: str
    kind: str
    template_key: str
    market_role: str
    cron: str | None = None
    timezone: str | None = None
    event_type: str | None = None
    filter: Mapping[str, Any] | None = None
    input_schema: Mapping[str, Any] | None = None
    variables: Mapping[str, str] | None = None

    @classmethod
    def of(cls, trigger: Trigger) -> TriggerSpec:
        return cls(
            name=trigger.name,
            kind=trigger.kind,
            template_key=trigger.template_key,
            market_role=trigger.market_role,
            cron=trigger.cron,
            timezone=trigger.timezone,
            event_type=trigger.event_type,
            filter=trigger.filter or None,
            input_schema=trigger.input_schema,
            variables=trigger.variables or None,
        )

    @property
    def input(self) -> TriggerInput:
        return TriggerInput(self.input_schema, self.variables or {})

    def problems(self) -> list[FieldError]:
        """Every problem at once, each at the argument it is about."""
        found: list[FieldError] = []
        if not 1 <= len(self.name.strip()) <= 200:
            found.append(FieldError(("name",), "must have between 1 and 200 characters"))
        elif unstorable := text_problem(self.name):
            found.append(FieldError(("name",), unstorable))
        if self.market_role not in MARKET_ROLES:
            found.append(FieldError(("marketRole",), f"must be one of {', '.join(MARKET_ROLES)}"))
        if self.kind == "schedule":
            found += self._schedule_problems()
        elif self.kind == "event":
            found += self._event_problems()
        elif self.kind in INPUT_KINDS:
            found += self._input_problems()
        else:
            found.append(FieldError(("kind",), f"must be one of {', '.join(TRIGGER_KINDS)}"))
        return found

    def _only_for(self, names: tuple[str, ...], what: str) -> list[FieldError]:
        given = {
            "cron": self.cron is not None,
            "timezone": self.timezone is not None,
            "eventType": self.event_type is not None,
            "filter": bool(self.filter),
            "inputSchema": self.input_schema is not None,
            "variables": bool(self.variables),
        }
        return [FieldError((name,), f"is only for {what}") for name in names if given[name]]

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
        found += self._only_for(("eventType", "filter"), "event triggers")
        found += self._only_for(("inputSchema", "variables"), "manual and webhook triggers")
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
        found += self._only_for(("cron", "timezone"), "schedules")
        found += self._only_for(("inputSchema", "variables"), "manual and webhook triggers")
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

    def _input_problems(self) -> list[FieldError]:
        return [
            *self._only_for(("cron", "timezone"), "schedules"),
            *self._only_for(("eventType", "filter"), "event triggers"),
            *self.input.problems(),
        ]


@dataclass(frozen=True)
class TriggerChanges:
    """What `update` changes: each field given (not None) replaces the trigger's. An empty
    filter or mapping removes it; an empty input schema ({}) takes any object."""

    name: str | None = None
    cron: str | None = None
    timezone: str | None = None
    event_type: str | None = None
    filter: Mapping[str, Any] | None = None
    input_schema: Mapping[str, Any] | None = None
    variables: Mapping[str, str] | None = None

    def applied_to(self, spec: TriggerSpec) -> TriggerSpec:
        given = {name: value for name, value in vars(self).items() if value is not None}
        return replace(spec, **given)

    def columns(self, spec: TriggerSpec) -> dict[str, Any]:
        """The columns to write, from the checked spec (the name trimmed, as created)."""
        values = {
            "name": spec.name.strip(),
            "cron": spec.cron,
            "timezone": spec.timezone,
            "event_type": spec.event_type,
            "filter": dict(spec.filter or {}),
            "input_schema": dict(spec.input_schema) if spec.input_schema is not None else None,
            "variables": dict(spec.variables or {}),
        }
        return {name: values[name] for name, value in vars(self).items() if value is not None}


@dataclass(frozen=True)
class NewTrigger:
    """A trigger just created; a webhook trigger's signing secret, shown only now."""

    trigger: Trigger
    signing_secret: str | None = None


@dataclass(frozen=True)
class RunRequest:
    """One run asked of a manual or webhook trigger."""

    input: object
    correlation_id: str | None
    fired_by: Mapping[str, Any] = field(default_factory=dict)  # kept as the workflow's trigger
    webhook_id: str | None = None  # a verified webhook's
    fire_key: str | None = None  # one run per key (a manual run's idempotency key)
    workflow_key: str | None = None  # the new workflow's idempotency key
    at_path: tuple[str | int, ...] = ("input",)  # where the input's problems are reported


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


def trigger_input_of(trigger: Trigger) -> TriggerInput:
    return TriggerInput(trigger.input_schema, trigger.variables)


class TriggerService:
    """Triggers that start workflows: a tenant's administrators keep their tenant's, market
    operations any tenant's and the platform's (event triggers for every tenant)."""

    def __init__(
        self,
        db: Database,
        *,
        triggers: TriggerRepository,
        runs: TriggerRunRepository,
        tenants: TenantRepository,
        templates: TemplateRepository,
        audit: AuditLog,
        jobs: JobQueue,
        workflows: WorkflowService,
        secrets: SecretBox,
        clock: Clock | None = None,
    ) -> None:
        self._db = db
        self._triggers = triggers
        self._runs = runs
        self._tenants = tenants
        self._templates = templates
        self._audit_log = audit
        self._jobs = jobs
        self._workflows = workflows
        self._secrets = secrets
        self._clock = clock or SystemClock()
        self._platform = system_principal()

    # -- keeping triggers (a tenant's administrators, market operations) ------------------

    async def create(
        self, principal: Principal, tenant_id: uuid.UUID | None, spec: TriggerSpec
    ) -> NewTrigger:
        """The trigger; a webhook trigger's signing secret with it, the only time it is
        shown (it is kept sealed)."""
        _require_admin(principal)
        if tenant_id is None:
            tenant_id = principal.tenant_id
        problems = spec.problems()
        if tenant_id is None and spec.kind != "event":
            problems.append(FieldError(("tenantId",), f"is required for a {spec.kind} trigger"))
        if problems:
            raise ValidationFailed("the trigger is not valid", problems)
        secret = new_secret() if spec.kind == "webhook" else None
        async with self._db.transaction(principal) as conn:
            if tenant_id is not None and await self._tenants.get(conn, tenant_id) is None:
                raise NotFound("tenant", tenant_id)
            await self._require_template(conn, spec)
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
                input_schema=dict(spec.input_schema) if spec.input_schema is not None else None,
                variables=dict(spec.variables or {}),
                signing_secret=self._secrets.seal(secret) if secret else None,
                created_by=principal.user_id,
            )
            await self._audit(conn, principal, "WORKFLOW_TRIGGER_CREATED", trigger)
        return NewTrigger(trigger, secret)

    async def update(
        self, principal: Principal, trigger_id: uuid.UUID, changes: TriggerChanges
    ) -> Trigger:
        """Change what is given, checked as `create` checks it (every problem at once)."""
        _require_admin(principal)
        async with self._db.transaction(principal) as conn:
            trigger = await self._triggers.get_for_update(conn, trigger_id)
            if trigger is None:
                raise NotFound("workflow trigger", trigger_id)
            spec = changes.applied_to(TriggerSpec.of(trigger))
            problems = spec.problems()
            if problems:
                raise ValidationFailed("the trigger is not valid", problems)
            columns = changes.columns(spec)
            if not columns:
                return trigger
            updated = await self._triggers.update(conn, trigger_id, columns, self._clock.now())
            await self._audit(
                conn, principal, "WORKFLOW_TRIGGER_UPDATED", updated, changed=sorted(columns)
            )
        return updated

    async def enable(self, principal: Principal, trigger_id: uuid.UUID) -> Trigger:
        """Switch it on. A schedule fires from its next slot: none it missed while off."""
        return await self._switch(principal, trigger_id, True)

    async def disable(self, principal: Principal, trigger_id: uuid.UUID) -> Trigger:
        """Switch it off: it fires nothing (a firing already queued is logged as skipped)."""
        return await self._switch(principal, trigger_id, False)

    async def _switch(self, principal: Principal, trigger_id: uuid.UUID, active: bool) -> Trigger:
        _require_admin(principal)
        async with self._db.transaction(principal) as conn:
            trigger = await self._triggers.get_for_update(conn, trigger_id)
            if trigger is None:
                raise NotFound("workflow trigger", trigger_id)
            if trigger.active == active:
                return trigger  # nothing changes, nothing to audit
            switched = await self._triggers.set_active(conn, trigger_id, active, self._clock.now())
            action = "WORKFLOW_TRIGGER_ENABLED" if active else "WORKFLOW_TRIGGER_DISABLED"
            await self._audit(conn, principal, action, switched)
        return switched

    async def list(self, principal: Principal, tenant_id: uuid.UUID | None = None) -> list[Trigger]:
        """Triggers on and off: a tenant's, or (market operations, no tenant) all of them."""
        _require_admin(principal)
        async with self._db.transaction(principal) as conn:
            return await self._triggers.list(conn, tenant_id=tenant_id, active_only=False)

    async def delete(self, principal: Principal, trigger_id: uuid.UUID) -> Trigger:
        _require_admin(principal)
        async with self._db.transaction(principal) as conn:
            trigger = await self._triggers.get(conn, trigger_id)
            if trigger is None or not await self._triggers.delete(conn, trigger_id):
                raise NotFound("workflow trigger", trigger_id)
            await self._audit(conn, principal, "WORKFLOW_TRIGGER_DELETED", trigger)
        return trigger

    async def runs(
        self,
        principal: Principal,
        trigger_id: uuid.UUID,
        *,
        first: int,
        after: RunCursor | None = None,
    ) -> RunPage:
        """A trigger's runs, newest first."""
        _require_admin(principal)
        async with self._db.transaction(principal) as conn:
            if await self._triggers.get(conn, trigger_id) is None:
                raise NotFound("workflow trigger", trigger_id)
            return await self._runs.page(conn, trigger_id, first=first, after=after)

    # -- running a trigger with an input (a person; a webhook: inbound_hooks) -------------

    async def run(
        self,
        principal: Principal,
        trigger_id: uuid.UUID,
        given: object,
        *,
        correlation_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> TriggerRun:
        """Run a manual trigger with `given` as its input: VALIDATION_FAILED at the input's
        paths (nothing started, nothing logged), else the run: the workflow it started, or
        why it started none. A retry with the same idempotency key answers the first run."""
        _require_admin(principal)
        if idempotency_key is not None and not (
            1 <= len(idempotency_key) <= MAX_RUN_KEY_LENGTH and idempotency_key.isprintable()
        ):
            raise ValidationFailed(
                "invalid idempotency key",
                [
                    FieldError(
                        ("idempotencyKey",),
                        f"must be 1 to {MAX_RUN_KEY_LENGTH} printable characters",
                    )
                ],
            )
        async with self._db.transaction(principal) as conn:
            trigger = await self._triggers.get(conn, trigger_id)
            if trigger is None:
                raise NotFound("workflow trigger", trigger_id)
            fire_key = f"manual:{idempotency_key}" if idempotency_key else None
            if fire_key and (first := await self._runs.of_firing(conn, trigger.id, fire_key)):
                return first
        if trigger.kind != "manual":
            raise InvalidTransition(
                f"a {trigger.kind} trigger is not run by hand: only a manual one is",
                action="RUN",
            )
        if not trigger.active:
            raise InvalidTransition("the trigger is disabled: enable it first", action="RUN")
        request = RunRequest(
            input=given,
            correlation_id=correlation_id,
            fired_by={"type": "manual", "runBy": str(principal.user_id)},
            fire_key=fire_key,
            workflow_key=f"run:{trigger.id}:{idempotency_key}" if idempotency_key else None,
        )
        run = await self.start_with_input(principal, trigger, request)
        if run is None:  # the same key, run meanwhile by a concurrent retry
            async with self._db.transaction(principal) as conn:
                assert fire_key is not None
                run = await self._runs.of_firing(conn, trigger.id, fire_key)
            assert run is not None
        async with self._db.transaction(principal) as conn:
            await self._audit(
                conn,
                principal,
                "WORKFLOW_TRIGGER_RUN",
                trigger,
                run={
                    "id": str(run.id),
                    "outcome": run.outcome,
                    "workflowId": str(run.workflow_id) if run.workflow_id else None,
                },
            )
        return run

    async def start_with_input(
        self, principal: Principal, trigger: Trigger, request: RunRequest
    ) -> TriggerRun | None:
        """Check the input (VALIDATION_FAILED at its paths, nothing logged), start the
        trigger's workflow with the variables mapped from it and log the run (skipped: an
        onboarding exists; failed: the workflow cannot be started, e.g. its template was
        withdrawn); None when the run's key (webhook-id, idempotency key) was taken
        meanwhile by another."""
        assert trigger.tenant_id is not None  # manual and webhook triggers are a tenant's
        variables = trigger_input_of(trigger).variables_of(request.input, at=request.at_path)
        outcome: RunOutcome = "started"
        workflow_id: uuid.UUID | None = None
        reason: str | None = None
        try:
            state = await self._workflows.create_workflow(
                principal,
                market_role=trigger.market_role,
                template_key=trigger.template_key,
                tenant_id=trigger.tenant_id,
                trigger={
                    **request.fired_by,
                    "triggerId": str(trigger.id),
                    "name": trigger.name,
                    **({"webhookId": request.webhook_id} if request.webhook_id else {}),
                },
                variables=variables,
                correlation_id=request.correlation_id,
                idempotency_key=request.workflow_key,
            )
            workflow_id = uuid.UUID(state.id)
            # a run starts what it creates: a vendor's system has no one to press start
            await self._workflows.execute(
                principal,
                workflow_id,
                StartWorkflow(),
                correlation_id=request.correlation_id,
                idempotency_key=f"{request.workflow_key}:start" if request.workflow_key else None,
            )
        except OnboardingExists as exists:
            # retrying cannot help: the tenant is onboarded, or being onboarded, for the role
            outcome, reason = "skipped", exists.message
        except FINAL_ERRORS as error:
            # the input was right, the platform cannot start it (a template withdrawn)
            outcome, reason = "failed", error.message
        async with self._db.transaction(principal) as conn:
            return await self._runs.record(
                conn,
                trigger_id=trigger.id,
                tenant_id=trigger.tenant_id,
                kind=trigger.kind,
                outcome=outcome,
                workflow_id=workflow_id,
                reason=reason,
                correlation_id=request.correlation_id,
                webhook_id=request.webhook_id,
                fire_key=request.fire_key,
                at=self._clock.now(),
            )

    async def log_run(
        self,
        trigger: Trigger,
        outcome: RunOutcome,
        *,
        tenant_id: uuid.UUID | None = None,
        reason: str | None = None,
        correlation_id: str | None = None,
        webhook_id: str | None = None,
        fire_key: str | None = None,
    ) -> TriggerRun | None:
        """Log a run that started nothing (as the platform: no user asked for it)."""
        tenant = trigger.tenant_id or tenant_id
        if tenant is None:
            return None
        async with self._db.transaction(self._platform) as conn:
            return await self._runs.record(
                conn,
                trigger_id=trigger.id,
                tenant_id=tenant,
                kind=trigger.kind,
                outcome=outcome,
                reason=reason,
                correlation_id=correlation_id,
                webhook_id=webhook_id,
                fire_key=fire_key,
                at=self._clock.now(),
            )

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
        was down fires the latest missed slot only, not every one it missed; a trigger
        switched on again fires none of the slots before it was."""
        started: builtins.list[str] = []
        async with self._db.transaction(self._platform) as conn:
            for trigger in await self._triggers.list(conn, kind="schedule"):
                assert trigger.cron is not None
                assert trigger.timezone is not None
                slot = latest_slot(trigger.cron, trigger.timezone, now)
                if slot < max(trigger.created_at, trigger.enabled_at):
                    continue  # no slot of this trigger has come since it was switched on
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
        """Start the workflow of a claimed firing (once: the firing is its idempotency key)
        and log the run. `tenant_id`: the tenant a platform trigger fired for. A firing of a
        trigger switched off since, one that would start a second onboarding for a market
        role (audited), and one whose template or tenant is gone are logged as skipped or
        failed, not retried: retrying cannot help."""
        async with self._db.transaction(self._platform) as conn:
            trigger = await self._triggers.get(conn, trigger_id)
        if trigger is None:
            return
        key = jobs.firing_key(str(trigger.id), fire_key)
        correlation = correlation_id or key
        # a platform trigger starts the workflow in the tenant the event is about
        tenant = trigger.tenant_id or tenant_id

        async def started_nothing(outcome: RunOutcome, reason: str) -> None:
            await self.log_run(
                trigger,
                outcome,
                tenant_id=tenant,
                reason=reason,
                correlation_id=correlation,
                fire_key=fire_key,
            )

        if not trigger.active:
            await started_nothing("skipped", "the trigger is disabled")
            return
        try:
            state = await self._workflows.create_workflow(
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
                correlation_id=correlation,
                idempotency_key=key,
            )
        except OnboardingExists as exists:
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
            await started_nothing("skipped", exists.message)
            return
        except FINAL_ERRORS as error:
            log.warning("trigger_failed", trigger=str(trigger.id), reason=error.message)
            await started_nothing("failed", error.message)
            return
        async with self._db.transaction(self._platform) as conn:
            await self._runs.record(
                conn,
                trigger_id=trigger.id,
                tenant_id=tenant or uuid.UUID(state.tenant_id),
                kind=trigger.kind,
                outcome="started",
                workflow_id=uuid.UUID(state.id),
                correlation_id=correlation,
                fire_key=fire_key,
                at=self._clock.now(),
            )

    # -- helpers ----------------------------------------------------------------------------

    async def _require_template(self, conn: Executor, spec: TriggerSpec) -> None:
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

    async def _audit(
        self,
        conn: Executor,
        principal: Principal,
        action: str,
        trigger: Trigger,
        **more: Any,
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
                "inputSchema": trigger.input_schema,
                "variables": trigger.variables,
                "templateKey": trigger.template_key,
                "marketRole": trigger.market_role,
                "active": trigger.active,
                **more,
            },
        )


def _require_admin(principal: Principal) -> None:
    authorize(principal, Permission.TRIGGERS_MANAGE)
