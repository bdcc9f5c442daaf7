"""Workflow triggers: start workflows on a schedule, on a platform event, when a person runs
one (manual) or when a vendor's system calls its URL (webhook); switch them off and on; read
the log of their runs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry

from wfm_api.schema.common import (
    JSON,
    Info,
    MarketRole,
    described_field,
    described_mutation,
    page_size,
    parse_id,
    tenant_argument,
    to_id,
)
from wfm_api.schema.connections import Connection, Edge
from wfm_api.schema.workflows import Workflow, load_workflow
from wfm_shared.errors import FieldError, ValidationFailed
from wfm_storage.repositories.trigger_runs import RunCursor
from wfm_storage.repositories.trigger_runs import TriggerRun as RunRecord
from wfm_storage.repositories.triggers import Trigger
from wfm_workflows.triggers import TriggerChanges, TriggerSpec

HOOKS_PATH = "/hooks"


@strawberry.enum(description="What starts a triggered workflow")
class TriggerKind(Enum):
    SCHEDULE = "schedule"
    EVENT = "event"
    MANUAL = "manual"
    WEBHOOK = "webhook"


@strawberry.type(
    description="Starts workflows on a schedule, on a platform event, by hand or by webhook"
)
class WorkflowTrigger:
    record: strawberry.Private[Trigger]
    # a webhook trigger's signing secret: in createWorkflowTrigger's answer only
    secret: strawberry.Private[str | None] = None

    @strawberry.field
    def id(self) -> strawberry.ID:
        return to_id(self.record.id)

    @described_field("Null: a platform trigger of market operations, for every tenant")
    def tenant_id(self) -> strawberry.ID | None:
        return to_id(self.record.tenant_id) if self.record.tenant_id else None

    @strawberry.field
    def name(self) -> str:
        return self.record.name

    @strawberry.field
    def kind(self) -> TriggerKind:
        return TriggerKind(self.record.kind)

    @described_field("Schedules: minute hour day month weekday")
    def cron(self) -> str | None:
        return self.record.cron

    @described_field("Schedules: the IANA time zone the cron expression is read in")
    def timezone(self) -> str | None:
        return self.record.timezone

    @described_field("Event triggers: the event, like workflow.approved")
    def event_type(self) -> str | None:
        return self.record.event_type

    @described_field("Event triggers: templateKey, marketRole and stepId to match")
    def filter(self) -> JSON:
        return JSON(self.record.filter)

    @described_field(
        "Manual and webhook triggers: the JSON Schema (Draft 2020-12) their input must meet; "
        "null: any JSON object"
    )
    def input_schema(self) -> JSON | None:
        return JSON(self.record.input_schema) if self.record.input_schema is not None else None

    @described_field(
        "Manual and webhook triggers: the new workflow's variables, each a path into the input, "
        'like {"ean": "input.accessPoint.ean"}'
    )
    def variables(self) -> JSON:
        return JSON(self.record.variables)

    @described_field("Webhook triggers: where a vendor's system POSTs its signed requests")
    def hook_url(self, info: Info) -> str | None:
        if self.record.kind != "webhook":
            return None
        base = info.context.services.settings.public_url.rstrip("/")
        return f"{base}{HOOKS_PATH}/{self.record.id}"

    @described_field(
        "Webhook triggers: the Standard Webhooks signing secret (whsec_…), in "
        "createWorkflowTrigger's answer only: it is never shown again"
    )
    def signing_secret(self) -> str | None:
        return self.secret

    @strawberry.field
    def template_key(self) -> str:
        return self.record.template_key

    @strawberry.field
    def market_role(self) -> MarketRole:
        return MarketRole(self.record.market_role)

    @described_field("Whether it fires: disableWorkflowTrigger switches it off")
    def active(self) -> bool:
        return self.record.active

    @described_field("When it was last switched on (a schedule fires no slot before it)")
    def enabled_at(self) -> datetime:
        return self.record.enabled_at

    @strawberry.field
    def created_by(self) -> strawberry.ID:
        return to_id(self.record.created_by)

    @strawberry.field
    def created_at(self) -> datetime:
        return self.record.created_at

    @strawberry.field
    def updated_at(self) -> datetime:
        return self.record.updated_at


@strawberry.enum(description="How a trigger's run ended")
class TriggerRunOutcome(Enum):
    STARTED = "started"  # a workflow started
    SKIPPED = "skipped"  # nothing to start: e.g. the onboarding exists, the trigger is off
    FAILED = "failed"  # refused: a request not verified, an input not valid, no template
    DUPLICATE = "duplicate"  # a webhook-id received before: answered with its first run


@strawberry.type(description="One run of a trigger: what it started, or why it started nothing")
class TriggerRun:
    run: strawberry.Private[RunRecord]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return to_id(self.run.id)

    @strawberry.field
    def trigger_id(self) -> strawberry.ID:
        return to_id(self.run.trigger_id)

    @described_field("The tenant the workflow was started for")
    def tenant_id(self) -> strawberry.ID:
        return to_id(self.run.tenant_id)

    @described_field("What fired it: the trigger's kind")
    def kind(self) -> TriggerKind:
        return TriggerKind(self.run.kind)

    @strawberry.field
    def outcome(self) -> TriggerRunOutcome:
        return TriggerRunOutcome(self.run.outcome)

    @described_field("The workflow it started; null: none")
    def workflow_id(self) -> strawberry.ID | None:
        return to_id(self.run.workflow_id) if self.run.workflow_id else None

    @described_field("The workflow it started, as you may see it; null: none")
    async def workflow(self, info: Info) -> Workflow | None:
        if self.run.workflow_id is None:
            return None
        return await load_workflow(info, self.run.workflow_id)

    @described_field("Why it was skipped or failed; for a duplicate, the run it repeats")
    def reason(self) -> str | None:
        return self.run.reason

    @described_field("Carried by the workflow's events (a webhook's run: its webhook-id)")
    def correlation_id(self) -> str | None:
        return self.run.correlation_id

    @described_field("Webhook runs: the webhook-id header of a verified request")
    def webhook_id(self) -> str | None:
        return self.run.webhook_id

    @strawberry.field
    def at(self) -> datetime:
        return self.run.at


@strawberry.type
class TriggerRunEdge(Edge[TriggerRun]):
    pass


@strawberry.type
class TriggerRunConnection(Connection[TriggerRun]):
    edges: Sequence[TriggerRunEdge]


KEY = strawberry.argument(
    description="Retrying with the same key answers the first run and starts nothing"
)


def _object_argument(name: str, value: Any) -> dict[str, Any] | None:
    if value is not None and not isinstance(value, dict):
        raise ValidationFailed(
            f"{name} must be an object", [FieldError((name,), "must be a JSON object")]
        )
    return value


@strawberry.type
class TriggerQueries:
    @described_field(
        "Workflow triggers, on and off: your tenant's (tenant_admin), or any (market operations)"
    )
    async def workflow_triggers(
        self, info: Info, tenant_id: strawberry.ID | None = None
    ) -> list[WorkflowTrigger]:
        found = await info.context.services.triggers.list(
            info.context.principal, tenant_argument(tenant_id)
        )
        return [WorkflowTrigger(record=t) for t in found]

    @described_field("A trigger's runs newest first, as a Relay-style connection")
    async def trigger_runs(
        self,
        info: Info,
        trigger_id: strawberry.ID,
        first: int = 20,
        after: str | None = None,
    ) -> TriggerRunConnection:
        page = await info.context.services.triggers.runs(
            info.context.principal,
            parse_id(trigger_id, "triggerId"),
            first=page_size(info, first),
            after=RunCursor.decode(after) if after else None,
        )
        edges = [
            TriggerRunEdge(cursor=RunCursor.of(run).encode(), node=TriggerRun(run=run))
            for run in page.runs
        ]
        return TriggerRunConnection.of(edges, has_next=page.has_next, total=page.total_count)


@strawberry.type
class TriggerMutations:
    @described_mutation(
        "Start workflows on a schedule (cron, timezone), on an event (eventType, filter), by "
        "hand (MANUAL) or by webhook (WEBHOOK: the answer's signingSecret is shown only now); "
        "MANUAL and WEBHOOK take an inputSchema and variables mapped from the input"
    )
    async def create_workflow_trigger(
        self,
        info: Info,
        name: str,
        kind: TriggerKind,
        template_key: str,
        market_role: MarketRole,
        tenant_id: strawberry.ID | None = None,
        cron: str | None = None,
        timezone: str | None = None,
        event_type: str | None = None,
        filter: JSON | None = None,
        input_schema: JSON | None = None,
        variables: JSON | None = None,
    ) -> WorkflowTrigger:
        spec = TriggerSpec(
            name=name,
            kind=kind.value,
            template_key=template_key,
            market_role=market_role.value,
            cron=cron,
            timezone=timezone,
            event_type=event_type,
            filter=_object_argument("filter", filter),
            input_schema=_object_argument("inputSchema", input_schema),
            variables=_object_argument("variables", variables),
        )
        created = await info.context.services.triggers.create(
            info.context.principal, tenant_argument(tenant_id), spec
        )
        return WorkflowTrigger(record=created.trigger, secret=created.signing_secret)

    @described_mutation(
        "Change what is given, checked as on creation (every problem at once); the kind, "
        "template and tenant stay; an empty filter or variables removes them"
    )
    async def update_workflow_trigger(
        self,
        info: Info,
        id: strawberry.ID,
        name: str | None = None,
        cron: str | None = None,
        timezone: str | None = None,
        event_type: str | None = None,
        filter: JSON | None = None,
        input_schema: JSON | None = None,
        variables: JSON | None = None,
    ) -> WorkflowTrigger:
        changes = TriggerChanges(
            name=name,
            cron=cron,
            timezone=timezone,
            event_type=event_type,
            filter=_object_argument("filter", filter),
            input_schema=_object_argument("inputSchema", input_schema),
            variables=_object_argument("variables", variables),
        )
        trigger = await info.context.services.triggers.update(
            info.context.principal, parse_id(id), changes
        )
        return WorkflowTrigger(record=trigger)

    @described_mutation(
        "Switch a trigger on; a schedule fires from its next slot (none it missed while off)"
    )
    async def enable_workflow_trigger(self, info: Info, id: strawberry.ID) -> WorkflowTrigger:
        trigger = await info.context.services.triggers.enable(info.context.principal, parse_id(id))
        return WorkflowTrigger(record=trigger)

    @described_mutation("Switch a trigger off: it fires nothing until switched on again")
    async def disable_workflow_trigger(self, info: Info, id: strawberry.ID) -> WorkflowTrigger:
        trigger = await info.context.services.triggers.disable(info.context.principal, parse_id(id))
        return WorkflowTrigger(record=trigger)

    @described_mutation("Stop and remove a workflow trigger and its runs; returns its id")
    async def delete_workflow_trigger(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        removed = await info.context.services.triggers.delete(info.context.principal, parse_id(id))
        return to_id(removed.id)

    @described_mutation(
        "Run a manual trigger: the input is checked against its inputSchema (problems at "
        "their paths under input), and its workflow started with the variables mapped from it"
    )
    async def run_trigger(
        self,
        info: Info,
        trigger_id: strawberry.ID,
        input: JSON,
        idempotency_key: Annotated[str | None, KEY] = None,
    ) -> TriggerRun:
        run = await info.context.services.triggers.run(
            info.context.principal,
            parse_id(trigger_id, "triggerId"),
            input,
            correlation_id=info.context.request_id,
            idempotency_key=idempotency_key,
        )
        return TriggerRun(run=run)
