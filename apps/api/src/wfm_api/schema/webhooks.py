"""Webhook subscriptions (a tenant's administrators) and their deliveries (market
operations). A subscription's secret is shown only when created."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from wfm_api.schema.common import (
    JSON,
    Info,
    described_field,
    described_mutation,
    page_size,
    parse_id,
    tenant_argument,
    to_id,
)
from wfm_api.schema.tenants import Tenant, load_tenant
from wfm_integrations.subscriptions import DeliveryHistory
from wfm_storage.repositories.webhooks import Subscription


@strawberry.enum
class WebhookDeliveryStatus(Enum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@strawberry.type(description="Where a tenant's webhooks go; its signing secret is never shown here")
class WebhookSubscription:
    record: strawberry.Private[Subscription]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return to_id(self.record.id)

    @strawberry.field
    def tenant_id(self) -> strawberry.ID:
        return to_id(self.record.tenant_id)

    @strawberry.field
    async def tenant(self, info: Info) -> Tenant:
        return await load_tenant(info, self.record.tenant_id)

    @strawberry.field
    def url(self) -> str:
        return self.record.url

    @described_field("`*` or names like workflow.approved")
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
        return to_id(self.record.created_by)

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
        return to_id(self.history.delivery.id)

    @strawberry.field
    def subscription_id(self) -> strawberry.ID:
        return to_id(self.history.delivery.subscription_id)

    @strawberry.field
    def tenant_id(self) -> strawberry.ID:
        return to_id(self.history.delivery.tenant_id)

    @described_field("The webhook-id header; the same on every attempt and replay")
    def message_id(self) -> str:
        return self.history.delivery.message_id

    @strawberry.field
    def event_type(self) -> str:
        return self.history.delivery.event_type

    @strawberry.field
    def payload(self) -> JSON:
        return JSON(self.history.delivery.payload)

    @strawberry.field
    def status(self) -> WebhookDeliveryStatus:
        return WebhookDeliveryStatus(self.history.delivery.status)

    @described_field("Attempts since it was queued or last replayed")
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

    @described_field("Every attempt, oldest first")
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


@strawberry.type
class WebhookQueries:
    @described_field(
        "Webhook subscriptions: your tenant's (tenant_admin), or any tenant's (market operations)"
    )
    async def webhook_subscriptions(
        self, info: Info, tenant_id: strawberry.ID | None = None
    ) -> list[WebhookSubscription]:
        found = await info.context.services.webhooks.subscriptions(
            info.context.principal, tenant_argument(tenant_id)
        )
        return [WebhookSubscription(record=s) for s in found]

    @described_field("Webhook deliveries newest first, with attempts (market operations)")
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


@strawberry.type
class WebhookMutations:
    @described_mutation(
        "Subscribe a URL to events; the answer holds the signing secret, shown only this once"
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
            info.context.principal, tenant_argument(tenant_id), url, event_types, description
        )
        return NewWebhookSubscription(
            subscription=WebhookSubscription(record=subscription), secret=secret
        )

    @described_mutation("Change what is given; an empty description removes it; the secret stays")
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

    @described_mutation("Remove a subscription and its deliveries; returns its id")
    async def delete_webhook_subscription(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        removed = await info.context.services.webhooks.delete(info.context.principal, parse_id(id))
        return to_id(removed.id)

    @described_mutation(
        "Deliver again under the same message id, from a fresh attempt budget (market operations)"
    )
    async def replay_webhook_delivery(self, info: Info, id: strawberry.ID) -> WebhookDelivery:
        history = await info.context.services.webhooks.replay(info.context.principal, parse_id(id))
        return WebhookDelivery(history=history)
