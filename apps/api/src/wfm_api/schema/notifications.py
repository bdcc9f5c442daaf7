"""In-app notifications: each user reads and marks their own."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from wfm_api.schema.common import Info, described_field, described_mutation, page_size, to_id
from wfm_shared.errors import FieldError, ValidationFailed
from wfm_storage.repositories.notifications import Notification as NotificationRecord

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


@strawberry.type(description="An in-app notification of the asking user")
class Notification:
    record: strawberry.Private[NotificationRecord]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return to_id(self.record.id)

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
        return to_id(self.record.workflow_id) if self.record.workflow_id else None

    @strawberry.field
    def read(self) -> bool:
        return self.record.read_at is not None

    @strawberry.field
    def read_at(self) -> datetime | None:
        return self.record.read_at

    @strawberry.field
    def created_at(self) -> datetime:
        return self.record.created_at


@strawberry.type
class NotificationQueries:
    @described_field("Your in-app notifications, newest first")
    async def notifications(
        self, info: Info, unread_only: bool = False, first: int = 20
    ) -> list[Notification]:
        found = await info.context.services.notifications.inbox(
            info.context.principal, unread_only=unread_only, first=page_size(info, first)
        )
        return [Notification(record=n) for n in found]


@strawberry.type
class NotificationMutations:
    @described_mutation(
        "Mark your notifications read; returns how many were unread. Others' ids change nothing"
    )
    async def mark_notifications_read(self, info: Info, ids: list[strawberry.ID]) -> int:
        principal = info.context.principal
        return await info.context.services.notifications.mark_read(principal, _ids(ids, "ids"))
