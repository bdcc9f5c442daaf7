"""Webhook subscriptions as tenants manage them, and their deliveries as market operations
inspect and replay them. The signing secret is shown once, when a subscription is created,
and kept sealed under the keyring of the settings (wfm_shared.sealing).

Fanning a message out to the subscriptions that want it, and delivering it, live here too
(the worker's jobs call them). The names of the events a subscription may ask for: each
workflow event is sent as `workflow.<event>` (WORKFLOW_APPROVED -> workflow.approved,
STEP_COMPLETED -> workflow.step_completed), and `tenant.created` when a tenant is created."""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from wfm_engine import Event, InstanceState
from wfm_engine.events import PUBLIC_EVENT_NAMES, public_event_name
from wfm_integrations.webhooks import WebhookMessage, deliver, new_secret
from wfm_shared.authorization import Permission, authorize
from wfm_shared.clock import Clock
from wfm_shared.errors import FieldError, NotFound, ValidationFailed
from wfm_shared.principal import Principal, system_principal
from wfm_shared.sealing import SecretBox
from wfm_shared.url_policy import OutgoingUrlPolicy
from wfm_storage import jobs
from wfm_storage.postgres import Database, Executor
from wfm_storage.queue import JobQueue
from wfm_storage.repositories.audit import AuditLog
from wfm_storage.repositories.tenants import TenantRepository
from wfm_storage.repositories.webhooks import Delivery, Subscription, WebhookRepository

ALL_EVENTS = "*"
EVENT_TYPE_PATTERN = re.compile(r"^(\*|[a-z]+\.[a-z_]+)$")
DELIVERY_STATUSES = ("pending", "delivered", "failed")
MAX_URL_LENGTH = 2048
MAX_DESCRIPTION_LENGTH = 500
MAX_EVENT_TYPES = 50
# What an update may change: (argument, attribute)
_EDITABLE = (
    ("url", "url"),
    ("eventTypes", "event_types"),
    ("description", "description"),
    ("active", "active"),
)


WEBHOOK_EVENT_TYPES = PUBLIC_EVENT_NAMES


def event_type_problems(event_types: Sequence[str], field: str) -> list[FieldError]:
    """What is wrong with a list of event-type names (`*`, or like `workflow.approved`)."""
    if not event_types:
        return [FieldError((field,), "must name at least one event type")]
    if len(event_types) > MAX_EVENT_TYPES:
        return [FieldError((field,), f"must name at most {MAX_EVENT_TYPES} event types")]
    return [
        FieldError((field, i), f"{name!r} is not an event type (`*`, or like `workflow.approved`)")
        for i, name in enumerate(event_types)
        if not EVENT_TYPE_PATTERN.match(name)
    ]


def url_problems(url: str, policy: OutgoingUrlPolicy, field: str = "url") -> list[FieldError]:
    if len(url) > MAX_URL_LENGTH:
        return [FieldError((field,), f"must be at most {MAX_URL_LENGTH} characters")]
    problem = policy.url_problem(url)
    return [FieldError((field,), problem)] if problem else []


def description_problems(description: str | None) -> list[FieldError]:
    if description is not None and len(description) > MAX_DESCRIPTION_LENGTH:
        return [
            FieldError(("description",), f"must be at most {MAX_DESCRIPTION_LENGTH} characters")
        ]
    return []


def _unique(names: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(names))


@dataclass(frozen=True)
class DeliveryAttempt:
    attempt: int
    status_code: int | None
    error: str | None
    duration_ms: int
    attempted_at: datetime


@dataclass(frozen=True)
class DeliveryHistory:
    """A delivery with every attempt made at it, oldest first."""

    delivery: Delivery
    attempts: list[DeliveryAttempt]


@dataclass(frozen=True)
class DeliveryOutcome:
    """One attempt at a delivery, recorded: whether another attempt should follow."""

    attempt: int  # of this delivery, since it was queued or last replayed
    retry: bool
    reason: str | None = None


def workflow_event_message(state: InstanceState, event: Event) -> WebhookMessage:
    """The message a workflow event sends to the subscriptions that want it (its id is the
    same for every subscription and every retry: receivers deduplicate on it)."""
    return WebhookMessage(
        id=f"msg_{state.id}_{event.seq}",
        type=public_event_name(event.type),
        timestamp=event.occurred_at,
        data={
            "workflowId": state.id,
            "tenantId": state.tenant_id,
            "templateKey": state.template_key,
            "templateVersion": state.template_version,
            "marketRole": state.market_role,
            "seq": event.seq,
            "eventType": event.type.value,
            "stepId": event.step_id,
            "data": dict(event.data),
        },
    )


class WebhookService:
    def __init__(
        self,
        db: Database,
        *,
        webhooks: WebhookRepository,
        tenants: TenantRepository,
        jobs: JobQueue,
        audit: AuditLog,
        url_policy: OutgoingUrlPolicy,
        outgoing: httpx.AsyncClient,
        timeout_seconds: float,
        max_attempts: int,
        clock: Clock,
        box: SecretBox,
    ) -> None:
        self._db = db
        self._webhooks = webhooks
        self._box = box
        self._tenants = tenants
        self._jobs = jobs
        self._audit_log = audit
        self._url_policy = url_policy
        self._outgoing = outgoing  # under the outgoing-call policy
        self._timeout_seconds = timeout_seconds
        self._max_attempts = max_attempts
        self._clock = clock
        self._platform = system_principal()

    # -- subscriptions (a tenant's administrators, or market operations) ----------------

    async def create(
        self,
        principal: Principal,
        tenant_id: uuid.UUID | None,
        url: str,
        event_types: Sequence[str],
        description: str | None = None,
    ) -> tuple[Subscription, str]:
        """The new subscription and its signing secret: the only time the secret is shown."""
        _require_admin(principal)
        if tenant_id is None:
            if principal.tenant_id is None:
                raise ValidationFailed(
                    "market operations must say for which tenant",
                    [FieldError(("tenantId",), "is required for market operations")],
                )
            tenant_id = principal.tenant_id
        problems = [
            *url_problems(url, self._url_policy),
            *event_type_problems(event_types, "eventTypes"),
            *description_problems(description),
        ]
        if problems:
            raise ValidationFailed("the webhook subscription is not valid", problems)
        secret = new_secret()
        async with self._db.transaction(principal) as conn:
            if await self._tenants.get(conn, tenant_id) is None:
                raise NotFound("tenant", tenant_id)
            subscription = await self._webhooks.create_subscription(
                conn,
                tenant_id=tenant_id,
                url=url,
                sealed_secret=self._box.seal(secret),
                event_types=_unique(event_types),
                description=description or None,
                created_by=principal.user_id,
            )
            await self._audit(
                conn,
                principal,
                "WEBHOOK_SUBSCRIPTION_CREATED",
                subscription,
                {"url": url, "eventTypes": subscription.event_types},
            )
        return subscription, secret

    async def update(
        self,
        principal: Principal,
        subscription_id: uuid.UUID,
        *,
        url: str | None = None,
        event_types: Sequence[str] | None = None,
        description: str | None = None,
        active: bool | None = None,
    ) -> Subscription:
        """Change what is given; an empty description removes it. The secret stays."""
        _require_admin(principal)
        problems = [
            *(url_problems(url, self._url_policy) if url is not None else []),
            *(event_type_problems(event_types, "eventTypes") if event_types is not None else []),
            *description_problems(description),
        ]
        if problems:
            raise ValidationFailed("the webhook subscription is not valid", problems)
        async with self._db.transaction(principal) as conn:
            current = await self._webhooks.subscription(conn, subscription_id)
            if current is None:
                raise NotFound("webhook subscription", subscription_id)
            wanted = dataclasses.replace(
                current,
                url=url if url is not None else current.url,
                event_types=_unique(event_types)
                if event_types is not None
                else current.event_types,
                description=(description or None)
                if description is not None
                else current.description,
                active=active if active is not None else current.active,
            )
            changes = {
                name: getattr(wanted, attribute)
                for name, attribute in _EDITABLE
                if getattr(current, attribute) != getattr(wanted, attribute)
            }
            if not changes:
                return current
            updated = await self._webhooks.update_subscription(
                conn,
                subscription_id,
                url=wanted.url,
                event_types=wanted.event_types,
                description=wanted.description,
                active=wanted.active,
            )
            assert updated is not None  # the row is visible in this transaction
            await self._audit(conn, principal, "WEBHOOK_SUBSCRIPTION_UPDATED", updated, changes)
        return updated

    async def delete(self, principal: Principal, subscription_id: uuid.UUID) -> Subscription:
        """Remove a subscription with its deliveries; returns what was removed."""
        _require_admin(principal)
        async with self._db.transaction(principal) as conn:
            current = await self._webhooks.subscription(conn, subscription_id)
            if current is None or not await self._webhooks.delete_subscription(
                conn, subscription_id
            ):
                raise NotFound("webhook subscription", subscription_id)
            await self._audit(
                conn,
                principal,
                "WEBHOOK_SUBSCRIPTION_DELETED",
                current,
                {"url": current.url, "eventTypes": current.event_types},
            )
        return current

    async def subscriptions(
        self, principal: Principal, tenant_id: uuid.UUID | None = None
    ) -> list[Subscription]:
        """A tenant's subscriptions (its own for a tenant admin; any or all for market ops)."""
        _require_admin(principal)
        async with self._db.transaction(principal) as conn:
            return await self._webhooks.subscriptions(conn, tenant_id=tenant_id)

    # -- deliveries (market operations) ---------------------------------------------------

    async def deliveries(
        self,
        principal: Principal,
        *,
        status: str | None = None,
        subscription_id: uuid.UUID | None = None,
        first: int = 50,
    ) -> list[DeliveryHistory]:
        """Deliveries newest first, each with its attempts."""
        authorize(principal, Permission.OPERATIONS_MANAGE)
        if status is not None and status not in DELIVERY_STATUSES:
            raise ValidationFailed(
                "unknown delivery status",
                [FieldError(("status",), f"must be one of {', '.join(DELIVERY_STATUSES)}")],
            )
        async with self._db.transaction(principal) as conn:
            found = await self._webhooks.deliveries(
                conn, status=status, subscription_id=subscription_id, limit=first
            )
            return await self._with_attempts(conn, found)

    async def replay(self, principal: Principal, delivery_id: uuid.UUID) -> DeliveryHistory:
        """Send a delivery again, from a fresh attempt budget, under the same message id
        (receivers deduplicate on it)."""
        authorize(principal, Permission.WEBHOOKS_REPLAY)
        async with self._db.transaction(principal) as conn:
            delivery = await self._webhooks.reset_for_replay(conn, delivery_id)
            if delivery is None:
                raise NotFound("webhook delivery", delivery_id)
            job_id = await self._jobs.enqueue(
                conn,
                jobs.DELIVER_WEBHOOK,
                {"deliveryId": str(delivery.id)},
                dedupe_key=jobs.delivery_key(str(delivery.id)),
            )
            await self._audit_log.append(
                conn,
                principal=principal,
                tenant_id=delivery.tenant_id,
                action="WEBHOOK_DELIVERY_REPLAYED",
                target_type="webhook_delivery",
                target_id=str(delivery.id),
                details={
                    "subscriptionId": str(delivery.subscription_id),
                    "messageId": delivery.message_id,
                    "jobId": job_id,  # None: a delivery job was already queued
                },
            )
            return (await self._with_attempts(conn, [delivery]))[0]

    # -- sending (the platform: the worker's jobs) ------------------------------------------

    async def fan_out(self, tenant_id: uuid.UUID, message: WebhookMessage) -> list[str]:
        """One delivery (and one delivery job) per active subscription of the tenant that
        wants this message; a message already fanned out to a subscription is not again."""
        created: list[str] = []
        async with self._db.transaction(self._platform) as conn:
            subscriptions = await self._webhooks.subscriptions(
                conn, tenant_id=tenant_id, active_only=True
            )
            for subscription in (s for s in subscriptions if s.wants(message.type)):
                payload = {
                    "type": message.type,
                    "timestamp": message.timestamp.isoformat(),
                    "data": dict(message.data),
                }
                delivery_id = await self._webhooks.add_delivery(
                    conn,
                    subscription,
                    message_id=message.id,
                    event_type=message.type,
                    payload=payload,
                )
                if delivery_id is not None:
                    key = jobs.delivery_key(str(delivery_id))
                    await self._jobs.enqueue(
                        conn, jobs.DELIVER_WEBHOOK, {"deliveryId": str(delivery_id)}, dedupe_key=key
                    )
                    created.append(str(delivery_id))
        return created

    async def deliver(self, delivery_id: uuid.UUID) -> DeliveryOutcome | None:
        """One signed attempt at a delivery, recorded with its outcome. None: nothing to do
        (delivered already, or removed). A refused URL, or the last attempt, gives up."""
        async with self._db.transaction(self._platform) as conn:
            delivery = await self._webhooks.delivery(conn, delivery_id)
            subscription: Subscription | None = (
                await self._webhooks.subscription(conn, delivery.subscription_id)
                if delivery
                else None
            )
        if delivery is None or subscription is None or delivery.status == "delivered":
            return None
        message = WebhookMessage(
            id=delivery.message_id,
            type=delivery.event_type,
            timestamp=datetime.fromisoformat(delivery.payload["timestamp"]),
            data=delivery.payload.get("data", {}),
        )
        outcome = await deliver(
            self._outgoing,
            subscription.url,
            self._signing_secret(subscription),
            message,
            timeout_seconds=self._timeout_seconds,
        )
        gave_up = not outcome.delivered and (
            outcome.refused or delivery.attempts + 1 >= self._max_attempts
        )
        async with self._db.transaction(self._platform) as conn:
            await self._webhooks.record_attempt(
                conn,
                delivery,
                status_code=outcome.status_code,
                error=outcome.error,
                duration_ms=outcome.duration_ms,
                delivered=outcome.delivered,
                gave_up=gave_up,
                at=self._clock.now(),
            )
        return DeliveryOutcome(
            attempt=delivery.attempts + 1,
            retry=not outcome.delivered and not gave_up,
            reason=outcome.error or (None if outcome.delivered else "not delivered"),
        )

    def _signing_secret(self, subscription: Subscription) -> str:
        if subscription.sealed_secret is not None:
            return self._box.open(subscription.sealed_secret)
        assert subscription.secret is not None  # stored before 0017, not yet sealed
        return subscription.secret

    async def _with_attempts(
        self, conn: Executor, deliveries: list[Delivery]
    ) -> list[DeliveryHistory]:
        attempts = await self._webhooks.attempts(conn, [d.id for d in deliveries])
        return [
            DeliveryHistory(d, [DeliveryAttempt(**_attempt(a)) for a in attempts[d.id]])
            for d in deliveries
        ]

    async def _audit(
        self,
        conn: Executor,
        principal: Principal,
        action: str,
        subscription: Subscription,
        details: dict[str, Any],
    ) -> None:
        # never the secret
        await self._audit_log.append(
            conn,
            principal=principal,
            tenant_id=subscription.tenant_id,
            action=action,
            target_type="webhook_subscription",
            target_id=str(subscription.id),
            details=details,
        )


def _attempt(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "delivery_id"}


def _require_admin(principal: Principal) -> None:
    authorize(principal, Permission.WEBHOOKS_MANAGE)
