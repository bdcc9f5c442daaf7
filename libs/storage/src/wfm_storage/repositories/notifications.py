"""In-app notifications of users (Postgres; each user sees only their own)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from wfm_storage.postgres import Executor

_COLUMNS = "id, tenant_id, user_id, workflow_id, kind, subject, body, locale, read_at, created_at"


@dataclass(frozen=True)
class Notification:
    id: uuid.UUID
    tenant_id: uuid.UUID | None
    user_id: uuid.UUID
    workflow_id: uuid.UUID | None
    kind: str
    subject: str
    body: str
    locale: str
    read_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class Addressee:
    """A user to notify, with the language they read."""

    user_id: uuid.UUID
    tenant_id: uuid.UUID | None
    email: str
    locale: str
    display_name: str | None


class NotificationRepository:
    async def add(
        self,
        ex: Executor,
        *,
        user: Addressee,
        workflow_id: uuid.UUID | None,
        kind: str,
        subject: str,
        body: str,
        dedupe_key: str,
    ) -> bool:
        """False when this notification was stored before (a retried job)."""
        result = await ex.execute(
            """
            INSERT INTO wfm.notifications (id, tenant_id, user_id, workflow_id, kind, subject, body, locale, dedupe_key)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (user_id, dedupe_key) DO NOTHING
            """,
            uuid.uuid4(),
            user.tenant_id,
            user.user_id,
            workflow_id,
            kind,
            subject,
            body,
            user.locale,
            dedupe_key,
        )
        return result.endswith(" 1")

    async def delivered(self, ex: Executor, user_id: uuid.UUID, dedupe_key: str) -> bool:
        return bool(
            await ex.fetchval(
                "SELECT 1 FROM wfm.notifications WHERE user_id = $1 AND dedupe_key = $2",
                user_id,
                dedupe_key,
            )
        )

    async def for_user(
        self, ex: Executor, user_id: uuid.UUID, *, unread_only: bool, limit: int
    ) -> list[Notification]:
        """A user's notifications, newest first."""
        rows = await ex.fetch(
            f"SELECT {_COLUMNS} FROM wfm.notifications WHERE user_id = $1 AND ($2 = false OR read_at IS NULL) "
            "ORDER BY created_at DESC, id DESC LIMIT $3",
            user_id,
            unread_only,
            limit,
        )
        return [Notification(**dict(r)) for r in rows]

    async def mark_read(
        self, ex: Executor, user_id: uuid.UUID, ids: list[uuid.UUID], at: datetime
    ) -> int:
        result = await ex.execute(
            "UPDATE wfm.notifications SET read_at = $3 "
            "WHERE user_id = $1 AND id = ANY($2::uuid[]) AND read_at IS NULL",
            user_id,
            ids,
            at,
        )
        return int(result.split()[-1])

    async def addressees(
        self, ex: Executor, *, role: str, tenant_id: uuid.UUID | None
    ) -> list[Addressee]:
        """Active users holding `role` (market_ops: all of them; a tenant role: the tenant's)."""
        rows = await ex.fetch(
            """
            SELECT id AS user_id, tenant_id, email, locale, display_name FROM wfm.users
             WHERE status = 'active' AND role = $1 AND ($1 = 'market_ops' OR tenant_id = $2)
             ORDER BY email
            """,
            role,
            tenant_id,
        )
        return [Addressee(**dict(r)) for r in rows]

    async def addressee(self, ex: Executor, user_id: uuid.UUID) -> Addressee | None:
        row = await ex.fetchrow(
            "SELECT id AS user_id, tenant_id, email, locale, display_name FROM wfm.users WHERE id = $1 AND status = 'active'",
            user_id,
        )
        return Addressee(**dict(row)) if row else None
