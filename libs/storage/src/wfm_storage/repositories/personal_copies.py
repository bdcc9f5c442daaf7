"""The rows of PostgreSQL that copy a workflow's data out of the event log, as erasure reads
and rewrites them (migration 0023): each webhook delivery's message as sent (kept for
replays) with the receiver's answers to it, and each notification's rendered texts. Found by
tenant and workflow; rewritten in place, row by row, the rest of each row kept."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wfm_storage.postgres import Executor


@dataclass(frozen=True)
class DeliveryCopy:
    id: uuid.UUID
    payload: Any  # the message as sent: {type, timestamp, data}
    last_error: str | None  # may quote the receiver's answer


@dataclass(frozen=True)
class AttemptCopy:
    id: int
    error: str  # "HTTP 4xx: <the receiver's answer>", or the transport's error


@dataclass(frozen=True)
class NotificationCopy:
    id: uuid.UUID
    subject: str
    body: str


class PersonalCopies:
    async def deliveries(
        self, ex: Executor, tenant_id: uuid.UUID, workflow_ids: Sequence[uuid.UUID]
    ) -> list[DeliveryCopy]:
        """The tenant's deliveries of messages about these workflows (their events' and their
        webhook steps'), locked for the rewrite."""
        rows = await ex.fetch(
            """
            SELECT id, payload, last_error FROM wfm.webhook_deliveries
             WHERE tenant_id = $1 AND (payload -> 'data' ->> 'workflowId') = ANY($2::text[])
             ORDER BY id FOR UPDATE
            """,
            tenant_id,
            [str(w) for w in workflow_ids],
        )
        return [DeliveryCopy(**dict(row)) for row in rows]

    async def attempts(self, ex: Executor, delivery_ids: Sequence[uuid.UUID]) -> list[AttemptCopy]:
        """The attempts at these deliveries that recorded an error."""
        rows = await ex.fetch(
            """
            SELECT id, error FROM wfm.webhook_attempts
             WHERE delivery_id = ANY($1::uuid[]) AND error IS NOT NULL
             ORDER BY id FOR UPDATE
            """,
            list(delivery_ids),
        )
        return [AttemptCopy(**dict(row)) for row in rows]

    async def notifications(
        self, ex: Executor, workflow_ids: Sequence[uuid.UUID]
    ) -> list[NotificationCopy]:
        """Every notification about these workflows, whoever it was for (market operations'
        carry no tenant: the workflow ids are the tenant's)."""
        rows = await ex.fetch(
            """
            SELECT id, subject, body FROM wfm.notifications
             WHERE workflow_id = ANY($1::uuid[])
             ORDER BY id FOR UPDATE
            """,
            list(workflow_ids),
        )
        return [NotificationCopy(**dict(row)) for row in rows]

    async def rewrite_delivery(self, ex: Executor, copy: DeliveryCopy) -> None:
        await ex.execute(
            "UPDATE wfm.webhook_deliveries SET payload = $2, last_error = $3 WHERE id = $1",
            copy.id,
            copy.payload,
            copy.last_error,
        )

    async def rewrite_attempt(self, ex: Executor, copy: AttemptCopy) -> None:
        await ex.execute(
            "UPDATE wfm.webhook_attempts SET error = $2 WHERE id = $1", copy.id, copy.error
        )

    async def rewrite_notification(self, ex: Executor, copy: NotificationCopy) -> None:
        await ex.execute(
            "UPDATE wfm.notifications SET subject = $2, body = $3 WHERE id = $1",
            copy.id,
            copy.subject,
            copy.body,
        )
