"""In-app notifications as their users read them: each user reads and marks only their own.
(They are sent by `wfm_integrations.notifier`.)"""

from __future__ import annotations

import uuid

from wfm_shared.clock import Clock
from wfm_shared.errors import FieldError, ValidationFailed
from wfm_shared.principal import Principal
from wfm_storage.postgres import Database
from wfm_storage.repositories.notifications import Notification, NotificationRepository

__all__ = ["Notification", "NotificationService"]


class NotificationService:
    """In-app notifications: each user reads and marks only their own."""

    MAX_MARKED = 500

    def __init__(
        self, db: Database, *, notifications: NotificationRepository, clock: Clock
    ) -> None:
        self._db = db
        self._notifications = notifications
        self._clock = clock

    async def inbox(
        self, principal: Principal, *, unread_only: bool = False, first: int = 20
    ) -> list[Notification]:
        """The asking user's notifications, newest first."""
        async with self._db.transaction(principal) as conn:
            return await self._notifications.for_user(
                conn, principal.user_id, unread_only=unread_only, limit=first
            )

    async def mark_read(self, principal: Principal, ids: list[uuid.UUID]) -> int:
        """How many of the asking user's unread notifications are now read; ids of others'
        notifications change nothing, like unknown ids."""
        if len(ids) > self.MAX_MARKED:
            raise ValidationFailed(
                "too many notifications at once",
                [FieldError(("ids",), f"must name at most {self.MAX_MARKED}")],
            )
        if not ids:
            return 0
        async with self._db.transaction(principal) as conn:
            return await self._notifications.mark_read(
                conn, principal.user_id, ids, self._clock.now()
            )
