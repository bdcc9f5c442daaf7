"""Workflow triggers: start workflows on a schedule or on a platform event."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from wfm_api.schema.common import (
    JSON,
    Info,
    MarketRole,
    described_field,
    described_mutation,
    parse_id,
    tenant_argument,
    to_id,
)
from wfm_shared.errors import FieldError, ValidationFailed
from wfm_storage.repositories.triggers import Trigger
from wfm_workflows.triggers import TriggerSpec


@strawberry.enum(description="What starts a triggered workflow")
class TriggerKind(Enum):
    SCHEDULE = "schedule"
    EVENT = "event"


@strawberry.type(description="Starts workflows on a schedule or on a platform event")
class WorkflowTrigger:
    record: strawberry.Private[Trigger]

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

    @strawberry.field
    def template_key(self) -> str:
        return self.record.template_key

    @strawberry.field
    def market_role(self) -> MarketRole:
        return MarketRole(self.record.market_role)

    @strawberry.field
    def active(self) -> bool:
        return self.record.active

    @strawberry.field
    def created_by(self) -> strawberry.ID:
        return to_id(self.record.created_by)

    @strawberry.field
    def created_at(self) -> datetime:
        return self.record.created_at


@strawberry.type
class TriggerQueries:
    @described_field(
        "Active workflow triggers: your tenant's (tenant_admin), or any (market operations)"
    )
    async def workflow_triggers(
        self, info: Info, tenant_id: strawberry.ID | None = None
    ) -> list[WorkflowTrigger]:
        found = await info.context.services.triggers.list(
            info.context.principal, tenant_argument(tenant_id)
        )
        return [WorkflowTrigger(record=t) for t in found]


@strawberry.type
class TriggerMutations:
    @described_mutation(
        "Start workflows on a schedule (cron, timezone) or on an event (eventType, filter)"
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
    ) -> WorkflowTrigger:
        if filter is not None and not isinstance(filter, dict):
            raise ValidationFailed(
                "filter must be an object", [FieldError(("filter",), "must be a JSON object")]
            )
        spec = TriggerSpec(
            name=name,
            kind=kind.value,
            template_key=template_key,
            market_role=market_role.value,
            cron=cron,
            timezone=timezone,
            event_type=event_type,
            filter=filter,
        )
        trigger = await info.context.services.triggers.create(
            info.context.principal, tenant_argument(tenant_id), spec
        )
        return WorkflowTrigger(record=trigger)

    @described_mutation("Stop and remove a workflow trigger; returns its id")
    async def delete_workflow_trigger(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        removed = await info.context.services.triggers.delete(info.context.principal, parse_id(id))
        return to_id(removed.id)
