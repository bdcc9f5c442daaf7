"""Webhook subscriptions of tenants, and every delivery with its attempts (Postgres)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wfm_storage.postgres import Executor

_SUBSCRIPTION = (
    "id, tenant_id, url, secret, sealed_secret, event_types, description, active, created_by, "
    "created_at, updated_at"
)
_DELIVERY = (
    "id, subscription_id, tenant_id, message_id, event_type, payload, status, attempts, "
    "last_status_code, last_error, last_attempt_at, delivered_at, created_at"
)


@dataclass(frozen=True)
class Subscription:
    id: uuid.UUID
    tenant_id: uuid.UUID
    url: str
    # the signing secret, sealed (wfm_shared.sealing); or, stored before migration 0017 and
    # not yet sealed by `wfm secrets rotate-key`, as it was: exactly one of the two is set
    secret: str | None
    sealed_secret: str | None
    event_types: list[str]
    description: str | None
    active: bool
    created_by: uuid.UUID
    created_at: datetime
    updated_at: datetime

    def wants(self, event_type: str) -> bool:
        return "*" in self.event_types or event_type in self.event_types


@dataclass(frozen=True)
class StoredSigningSecret:
    """A subscription's signing secret as stored, where `wfm secrets rotate-key` finds it."""

    id: uuid.UUID
    secret: str | None
    sealed_secret: str | None


@dataclass(frozen=True)
class Delivery:
    id: uuid.UUID
    subscription_id: uuid.UUID
    tenant_id: uuid.UUID
    message_id: str
    event_type: str
    payload: dict[str, Any]
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime


class WebhookRepository:
    async def create_subscription(
        self,
        ex: Executor,
        *,
        tenant_id: uuid.UUID,
        url: str,
        sealed_secret: str,
        event_types: list[str],
        description: str | None,
        created_by: uuid.UUID,
    ) -> Subscription:
        row = await ex.fetchrow(
            f"""
            INSERT INTO wfm.webhook_subscriptions (id, tenant_id, url, sealed_secret, event_types, description, created_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {_SUBSCRIPTION}
            """,
            uuid.uuid4(),
            tenant_id,
            url,
            sealed_secret,
            event_types,
            description,
            created_by,
        )
        assert row is not None
        return Subscription(**dict(row))

    async def update_subscription(
        self,
        ex: Executor,
        subscription_id: uuid.UUID,
        *,
        url: str,
        event_types: list[str],
        description: str | None,
        active: bool,
    ) -> Subscription | None:
        row = await ex.fetchrow(
            f"""
            UPDATE wfm.webhook_subscriptions SET url = $2, event_types = $3, description = $4, active = $5, updated_at = now()
             WHERE id = $1 RETURNING {_SUBSCRIPTION}
            """,
            subscription_id,
            url,
            event_types,
            description,
            active,
        )
        return Subscription(**dict(row)) if row else None

    async def delete_subscription(self, ex: Executor, subscription_id: uuid.UUID) -> bool:
        result = await ex.execute(
            "DELETE FROM wfm.webhook_subscriptions WHERE id = $1", subscription_id
        )
        return result.endswith(" 1")

    async def subscription(self, ex: Executor, subscription_id: uuid.UUID) -> Subscription | None:
        row = await ex.fetchrow(
            f"SELECT {_SUBSCRIPTION} FROM wfm.webhook_subscriptions WHERE id = $1", subscription_id
        )
        return Subscription(**dict(row)) if row else None

    async def subscriptions(
        self, ex: Executor, *, tenant_id: uuid.UUID | None, active_only: bool = False
    ) -> list[Subscription]:
        rows = await ex.fetch(
            f"SELECT {_SUBSCRIPTION} FROM wfm.webhook_subscriptions "
            "WHERE ($1::uuid IS NULL OR tenant_id = $1) AND ($2 = false OR active) ORDER BY created_at, id",
            tenant_id,
            active_only,
        )
        return [Subscription(**dict(r)) for r in rows]

    async def signing_secrets_page(
        self, ex: Executor, *, after: uuid.UUID | None, limit: int
    ) -> list[StoredSigningSecret]:
        """Every subscription's signing secret in id order, `limit` past `after`."""
        rows = await ex.fetch(
            "SELECT id, secret, sealed_secret FROM wfm.webhook_subscriptions "
            "WHERE $1::uuid IS NULL OR id > $1 ORDER BY id LIMIT $2",
            after,
            limit,
        )
        return [StoredSigningSecret(**dict(r)) for r in rows]

    async def replace_signing_secret(
        self, ex: Executor, stored: StoredSigningSecret, sealed_secret: str
    ) -> bool:
        """Keep the secret sealed as given (a plaintext one is cleared), unless it changed
        since it was read."""
        result = await ex.execute(
            "UPDATE wfm.webhook_subscriptions SET sealed_secret = $4, secret = NULL "
            "WHERE id = $1 AND secret IS NOT DISTINCT FROM $2 "
            "AND sealed_secret IS NOT DISTINCT FROM $3",
            stored.id,
            stored.secret,
            stored.sealed_secret,
            sealed_secret,
        )
        return result.endswith(" 1")

    async def add_delivery(
        self,
        ex: Executor,
        subscription: Subscription,
        *,
        message_id: str,
        event_type: str,
        payload: dict[str, Any],
    ) -> uuid.UUID | None:
        """The new delivery's id, or None when this message went to this subscription already."""
        delivery_id: uuid.UUID | None = await ex.fetchval(
            """
            INSERT INTO wfm.webhook_deliveries (id, subscription_id, tenant_id, message_id, event_type, payload)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (subscription_id, message_id) DO NOTHING
            RETURNING id
            """,
            uuid.uuid4(),
            subscription.id,
            subscription.tenant_id,
            message_id,
            event_type,
            payload,
        )
        return delivery_id

    async def delivery(self, ex: Executor, delivery_id: uuid.UUID) -> Delivery | None:
        row = await ex.fetchrow(
            f"SELECT {_DELIVERY} FROM wfm.webhook_deliveries WHERE id = $1", delivery_id
        )
        return Delivery(**dict(row)) if row else None

    async def deliveries(
        self, ex: Executor, *, status: str | None, subscription_id: uuid.UUID | None, limit: int
    ) -> list[Delivery]:
        rows = await ex.fetch(
            f"SELECT {_DELIVERY} FROM wfm.webhook_deliveries "
            "WHERE ($1::text IS NULL OR status = $1) AND ($2::uuid IS NULL OR subscription_id = $2) "
            "ORDER BY created_at DESC, id DESC LIMIT $3",
            status,
            subscription_id,
            limit,
        )
        return [Delivery(**dict(r)) for r in rows]

    async def record_attempt(
        self,
        ex: Executor,
        delivery: Delivery,
        *,
        status_code: int | None,
        error: str | None,
        duration_ms: int,
        delivered: bool,
        gave_up: bool,
        at: datetime,
    ) -> None:
        attempt = delivery.attempts + 1
        await ex.execute(
            """
            INSERT INTO wfm.webhook_attempts (delivery_id, tenant_id, attempt, status_code, error, duration_ms, attempted_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """,
            delivery.id,
            delivery.tenant_id,
            attempt,
            status_code,
            error,
            duration_ms,
            at,
        )
        status = "delivered" if delivered else ("failed" if gave_up else "pending")
        await ex.execute(
            """
            UPDATE wfm.webhook_deliveries
               SET attempts = $2, status = $3, last_status_code = $4, last_error = $5, last_attempt_at = $6,
                   delivered_at = CASE WHEN $3 = 'delivered' THEN $6 ELSE delivered_at END
             WHERE id = $1
            """,
            delivery.id,
            attempt,
            status,
            status_code,
            error,
            at,
        )

    async def reset_for_replay(self, ex: Executor, delivery_id: uuid.UUID) -> Delivery | None:
        row = await ex.fetchrow(
            f"UPDATE wfm.webhook_deliveries SET status = 'pending', attempts = 0 WHERE id = $1 RETURNING {_DELIVERY}",
            delivery_id,
        )
        return Delivery(**dict(row)) if row else None

    async def attempts(
        self, ex: Executor, delivery_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, list[dict[str, Any]]]:
        rows = await ex.fetch(
            "SELECT delivery_id, attempt, status_code, error, duration_ms, attempted_at FROM wfm.webhook_attempts "
            "WHERE delivery_id = ANY($1::uuid[]) ORDER BY delivery_id, attempt",
            delivery_ids,
        )
        found: dict[uuid.UUID, list[dict[str, Any]]] = {i: [] for i in delivery_ids}
        for row in rows:
            found[row["delivery_id"]].append(dict(row))
        return found
