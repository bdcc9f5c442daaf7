"""Rows the worker would leave behind (an in-app notification, a webhook delivery), written
directly so API tests need not run the worker."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from wfm_shared.principal import system_principal
from wfm_storage.bootstrap import Storage
from wfm_storage.repositories.notifications import Addressee
from wfm_testing.factories import Account


async def notify(storage: Storage, account: Account, subject: str) -> None:
    """An unread notification for `account`, its body "<subject>: body"."""
    user = account.user
    async with storage.db.transaction(system_principal()) as conn:
        await storage.notifications.add(
            conn,
            user=Addressee(user.id, user.tenant_id, user.email, user.locale, user.display_name),
            workflow_id=None,
            kind="WORKFLOW_APPROVED",
            subject=subject,
            body=f"{subject}: body",
            dedupe_key=uuid.uuid4().hex,
        )


async def webhook_delivery(storage: Storage, subscription_id: str) -> str:
    """A pending delivery of a `workflow.approved` message to the subscription; its id."""
    async with storage.db.transaction(system_principal()) as conn:
        subscription = await storage.webhooks.subscription(conn, uuid.UUID(subscription_id))
        if subscription is None:
            raise LookupError(f"no webhook subscription {subscription_id}")
        delivery_id = await storage.webhooks.add_delivery(
            conn,
            subscription,
            message_id=f"msg_{uuid.uuid4().hex}",
            event_type="workflow.approved",
            payload={"type": "workflow.approved", "timestamp": datetime.now(UTC).isoformat()},
        )
    return str(delivery_id)
