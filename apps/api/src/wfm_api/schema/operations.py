"""Operating the automation: the job queue, webhook subscriptions and deliveries, in-app
notifications and workflow triggers. A subscription's secret is shown only when created."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum

import strawberry

from wfm_api.schema.common import JSON, Info, MarketRole, page_size, parse_id
from wfm_api.schema.tenants import Tenant, load_tenant
from wfm_integrations.subscriptions import DeliveryHistory
from wfm_shared.errors import FieldError, ValidationFailed
from wfm_storage.repositories.notifications import Notification as NotificationRecord
from wfm_storage.repositories.triggers import Trigger
from wfm_storage.repositories.webhooks import Subscription
from wfm_workflows.operations import QueuedJob, TriggerSpec


@strawberry.enum(description="Where a background job is (FAILED: held after its last attempt)")
class JobStatus(Enum):
    QUEUED = "queued"
    PICKED = "picked"
    SUCCESSFUL = "successful"
    EXCEPTION = "exception"
    CANCELED = "canceled"
    DELETED = "deleted"
    FAILED = "failed"


@strawberry.enum
class WebhookDeliveryStatus(Enum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@strawberry.enum(description="What starts a triggered workflow")
class TriggerKind(Enum):
    SCHEDULE = "schedule"
    EVENT = "event"


def _id(value: object) -> strawberry.ID:
    return strawberry.ID(str(value))


def _job_id(value: strawberry.ID) -> int:
    if not str(value).isdigit():
        raise ValidationFailed(
            "id is not a valid job id", [FieldError(("id",), "must be a number")]
        )
    return int(value)


# ids one argument may list: a body under the size cap still holds tens of thousands
MAX_IDS = 500


def _ids(values: list[strawberry.ID], field: str) -> list[uuid.UUID]:
    if len(values) > MAX_IDS:
        raise ValidationFailed(
            f"{field} lists too many ids", [FieldError((field,), f"at most {MAX_IDS} ids")]
        )
    parsed: list[uuid.UUID] = []
    problems: list[FieldError] = []
    for i, value in enumerate(values):
        try:
            parsed.append(uuid.UUID(str(value)))
        except ValueError:
            problems.append(FieldError((field, i), "must be a UUID"))
    if problems:
        raise ValidationFailed(f"{field} are not valid ids", problems)
    return parsed


@strawberry.type(description="A background job of the worker")
class Job:
    record: strawberry.Private[QueuedJob]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _id(self.record.id)

    @strawberry.field
    def entrypoint(self) -> str:
        return self.record.entrypoint

    @strawberry.field
    def status(self) -> JobStatus:
        return JobStatus(self.record.status)

    @strawberry.field(description="Attempts made so far")
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

    @strawberry.field(description="Not run before this time")
    def execute_after(self) -> datetime:
        return self.record.execute_after

    @strawberry.field
    def payload(self) -> JSON | None:
        return self.record.payload

    @strawberry.field(description="The newest failure: exception type and message")
    def last_error(self) -> str | None:
        return self.record.last_error


@strawberry.type(description="Where a tenant's webhooks go; its signing secret is never shown here")
class WebhookSubscription:
    record: strawberry.Private[Subscription]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _id(self.record.id)

    @strawberry.field
    def tenant_id(self) -> strawberry.ID:
        return _id(self.record.tenant_id)

    @strawberry.field
    async def tenant(self, info: Info) -> Tenant:
        return await load_tenant(info, self.record.tenant_id)

    @strawberry.field
    def url(self) -> str:
        return self.record.url

    @strawberry.field(description="`*` or names like workflow.approved")
    def event_types(self) -> list[str]:
        return list(self.record.event_types)

    @strawberry.field
    def description(self) -> str | None:
        return self.record.description

    @strawberry.field
    def active(self) -> bool:
        return self.record.active

    @strawberry.field
    def created_by(self) -> strawberry.ID:
        return _id(self.record.created_by)

    @strawberry.field
    def created_at(self) -> datetime:
        return self.record.created_at

    @strawberry.field
    def updated_at(self) -> datetime:
        return self.record.updated_at


@strawberry.type
class NewWebhookSubscription:
    subscription: WebhookSubscription
    secret: str = strawberry.field(
        description="Signs every delivery (Standard Webhooks); shown only now, keep it"
    )


@strawberry.type
class WebhookAttempt:
    attempt: int
    status_code: int | None
    error: str | None
    duration_ms: int
    attempted_at: datetime


@strawberry.type(description="One message to one subscription, with every attempt at it")
class WebhookDelivery:
    history: strawberry.Private[DeliveryHistory]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _id(self.history.delivery.id)

    @strawberry.field
    def subscription_id(self) -> strawberry.ID:
        return _id(self.history.delivery.subscription_id)

    @strawberry.field
    def tenant_id(self) -> strawberry.ID:
        return _id(self.history.delivery.tenant_id)

    @strawberry.field(description="The webhook-id header; the same on every attempt and replay")
    def message_id(self) -> str:
        return self.history.delivery.message_id

    @strawberry.field
    def event_type(self) -> str:
        return self.history.delivery.event_type

    @strawberry.field
    def payload(self) -> JSON:
        return self.history.delivery.payload

    @strawberry.field
    def status(self) -> WebhookDeliveryStatus:
        return WebhookDeliveryStatus(self.history.delivery.status)

    @strawberry.field(description="Attempts since it was queued or last replayed")
    def attempt_count(self) -> int:
        return self.history.delivery.attempts

    @strawberry.field
    def last_status_code(self) -> int | None:
        return self.history.delivery.last_status_code

    @strawberry.field
    def last_error(self) -> str | None:
        return self.history.delivery.last_error

    @strawberry.field
    def last_attempt_at(self) -> datetime | None:
        return self.history.delivery.last_attempt_at

    @strawberry.field
    def delivered_at(self) -> datetime | None:
        return self.history.delivery.delivered_at

    @strawberry.field
    def created_at(self) -> datetime:
        return self.history.delivery.created_at

    @strawberry.field(description="Every attempt, oldest first")
    def attempts(self) -> list[WebhookAttempt]:
        return [
            WebhookAttempt(
                attempt=a.attempt,
                status_code=a.status_code,
                error=a.error,
                duration_ms=a.duration_ms,
                attempted_at=a.attempted_at,
            )
            for a in self.history.attempts
        ]


@strawberry.type(description="An in-app notification of the asking user")
class Notification:
    record: strawberry.Private[NotificationRecord]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _id(self.record.id)

    @strawberry.field
    def kind(self) -> str:
        return self.record.kind

    @strawberry.field
    def subject(self) -> str:
        return self.record.subject

    @strawberry.field
    def body(self) -> str:
        return self.record.body

    @strawberry.field
    def locale(self) -> str:
        return self.record.locale

    @strawberry.field
    def workflow_id(self) -> strawberry.ID | None:
        return _id(self.record.workflow_id) if self.record.workflow_id else None

    @strawberry.field
    def read(self) -> bool:
        return self.record.read_at is not None

    @strawberry.field
    def read_at(self) -> datetime | None:
        return self.record.read_at

    @strawberry.field
    def created_at(self) -> datetime:
        return self.record.created_at


@strawberry.type(description="Starts workflows on a schedule or on a platform event")
class WorkflowTrigger:
    record: strawberry.Private[Trigger]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _id(self.record.id)

    @strawberry.field(description="Null: a platform trigger of market operations, for every tenant")
    def tenant_id(self) -> strawberry.ID | None:
        return _id(self.record.tenant_id) if self.record.tenant_id else None

    @strawberry.field
    def name(self) -> str:
        return self.record.name

    @strawberry.field
    def kind(self) -> TriggerKind:
        return TriggerKind(self.record.kind)

    @strawberry.field(description="Schedules: minute hour day month weekday")
    def cron(self) -> str | None:
        return self.record.cron

    @strawberry.field(description="Schedules: the IANA time zone the cron expression is read in")
    def timezone(self) -> str | None:
        return self.record.timezone

    @strawberry.field(description="Event triggers: the event, like workflow.approved")
    def event_type(self) -> str | None:
        return self.record.event_type

    @strawberry.field(description="Event triggers: templateKey, marketRole and stepId to match")
    def filter(self) -> JSON:
        return self.record.filter

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
        return _id(self.record.created_by)

    @strawberry.field
    def created_at(self) -> datetime:
        return self.record.created_at


def _tenant(tenant_id: strawberry.ID | None) -> uuid.UUID | None:
    return parse_id(tenant_id, "tenantId") if tenant_id is not None else None


@strawberry.type
class OperationsQueries:
    @strawberry.field(description="Background jobs, newest first (market operations)")
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

    @strawberry.field(
        description="Webhook subscriptions: your tenant's (tenant_admin), or any tenant's (market operations)"
    )
    async def webhook_subscriptions(
        self, info: Info, tenant_id: strawberry.ID | None = None
    ) -> list[WebhookSubscription]:
        found = await info.context.services.webhooks.subscriptions(
            info.context.principal, _tenant(tenant_id)
        )
        return [WebhookSubscription(record=s) for s in found]

    @strawberry.field(
        description="Webhook deliveries newest first, with attempts (market operations)"
    )
    async def webhook_deliveries(
        self,
        info: Info,
        status: WebhookDeliveryStatus | None = None,
        subscription_id: strawberry.ID | None = None,
        first: int = 50,
    ) -> list[WebhookDelivery]:
        found = await info.context.services.webhooks.deliveries(
            info.context.principal,
            status=status.value if status else None,
            subscription_id=parse_id(subscription_id, "subscriptionId")
            if subscription_id is not None
            else None,
            first=page_size(info, first),
        )
        return [WebhookDelivery(history=h) for h in found]

    @strawberry.field(description="Your in-app notifications, newest first")
    async def notifications(
        self, info: Info, unread_only: bool = False, first: int = 20
    ) -> list[Notification]:
        found = await info.context.services.notifications.inbox(
            info.context.principal, unread_only=unread_only, first=page_size(info, first)
        )
        return [Notification(record=n) for n in found]

    @strawberry.field(
        description="Active workflow triggers: your tenant's (tenant_admin), or any (market operations)"
    )
    async def workflow_triggers(
        self, info: Info, tenant_id: strawberry.ID | None = None
    ) -> list[WorkflowTrigger]:
        found = await info.context.services.triggers.list(
            info.context.principal, _tenant(tenant_id)
        )
        return [WorkflowTrigger(record=t) for t in found]


@strawberry.type
class OperationsMutations:
    @strawberry.mutation(description="Queue a held failed job again (market operations)")
    async def retry_job(self, info: Info, id: strawberry.ID) -> Job:
        principal = info.context.principal
        return Job(record=await info.context.services.jobs.retry(principal, _job_id(id)))

    @strawberry.mutation(
        description="Subscribe a URL to events; the answer holds the signing secret, shown only this once"
    )
    async def create_webhook_subscription(
        self,
        info: Info,
        url: str,
        event_types: list[str],
        tenant_id: strawberry.ID | None = None,
        description: str | None = None,
    ) -> NewWebhookSubscription:
        subscription, secret = await info.context.services.webhooks.create(
            info.context.principal, _tenant(tenant_id), url, event_types, description
        )
        return NewWebhookSubscription(
            subscription=WebhookSubscription(record=subscription), secret=secret
        )

    @strawberry.mutation(
        description="Change what is given; an empty description removes it; the secret stays"
    )
    async def update_webhook_subscription(
        self,
        info: Info,
        id: strawberry.ID,
        url: str | None = None,
        event_types: list[str] | None = None,
        description: str | None = None,
        active: bool | None = None,
    ) -> WebhookSubscription:
        subscription = await info.context.services.webhooks.update(
            info.context.principal,
            parse_id(id),
            url=url,
            event_types=event_types,
            description=description,
            active=active,
        )
        return WebhookSubscription(record=subscription)

    @strawberry.mutation(description="Remove a subscription and its deliveries; returns its id")
    async def delete_webhook_subscription(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        removed = await info.context.services.webhooks.delete(info.context.principal, parse_id(id))
        return _id(removed.id)

    @strawberry.mutation(
        description="Deliver again under the same message id, from a fresh attempt budget (market operations)"
    )
    async def replay_webhook_delivery(self, info: Info, id: strawberry.ID) -> WebhookDelivery:
        history = await info.context.services.webhooks.replay(info.context.principal, parse_id(id))
        return WebhookDelivery(history=history)

    @strawberry.mutation(
        description="Mark your notifications read; returns how many were unread. Others' ids change nothing"
    )
    async def mark_notifications_read(self, info: Info, ids: list[strawberry.ID]) -> int:
        principal = info.context.principal
        return await info.context.services.notifications.mark_read(principal, _ids(ids, "ids"))

    @strawberry.mutation(
        description="Start workflows on a schedule (cron, timezone) or on an event (eventType, filter)"
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
            info.context.principal, _tenant(tenant_id), spec
        )
        return WorkflowTrigger(record=trigger)

    @strawberry.mutation(description="Stop and remove a workflow trigger; returns its id")
    async def delete_workflow_trigger(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        removed = await info.context.services.triggers.delete(info.context.principal, parse_id(id))
        return _id(removed.id)
