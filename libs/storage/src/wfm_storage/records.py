"""Rows of the Postgres index, as plain data."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wfm_engine import WorkflowTemplate


@dataclass(frozen=True)
class Tenant:
    id: uuid.UUID
    slug: str
    company_name: str
    vat_number: str | None
    status: str
    feature_flags: dict[str, Any]
    config: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    status_reason: str | None = None  # why it was last suspended, reactivated or archived
    deleted_at: datetime | None = None  # archived: hidden from lists and lookups, data kept

    def as_context(self) -> dict[str, Any]:
        """What conditions and validators may know of the tenant."""
        return {
            "id": str(self.id),
            "slug": self.slug,
            "company_name": self.company_name,
            "vat_number": self.vat_number,
            "feature_flags": self.feature_flags,
        }


@dataclass(frozen=True)
class TenantMarketRole:
    tenant_id: uuid.UUID
    role: str
    status: str
    contract_reference: str | None
    created_at: datetime
    updated_at: datetime
    status_reason: str | None = None  # why it was last suspended, terminated or reactivated
    # its API credential (migration 0010): None, provisioning, active or revoked; and
    # whether a key waits to be read once
    api_credential: str | None = None
    key_awaiting_reveal: bool = False


@dataclass(frozen=True)
class User:
    id: uuid.UUID
    tenant_id: uuid.UUID | None
    email: str
    role: str
    status: str
    display_name: str | None
    locale: str
    created_at: datetime
    token_version: int = 1  # the version its access tokens must carry (migration 0008)


@dataclass(frozen=True)
class LoginRecord:
    id: uuid.UUID
    tenant_id: uuid.UUID | None
    email: str
    password_hash: str
    role: str
    status: str
    tenant_status: str | None
    token_version: int

    @property
    def may_log_in(self) -> bool:
        return self.status == "active" and (
            self.tenant_id is None or self.tenant_status == "active"
        )


@dataclass(frozen=True)
class TemplateRecord:
    id: uuid.UUID
    key: str
    version: int
    market_role: str | None
    extends: str | None
    status: str
    checksum: str
    created_at: datetime
    template: WorkflowTemplate


@dataclass(frozen=True)
class InstanceIndexRow:
    id: uuid.UUID
    tenant_id: uuid.UUID
    template_id: uuid.UUID
    market_role: str
    mongo_id: str
    status: str
    current_step: str | None
    version: int
    projected_version: int
    created_by: uuid.UUID
    created_at: datetime
    updated_at: datetime
    idempotency_key: str | None = None
    # the work queue (migration 0013): what waits for a person, written by the projection
    template_key: str | None = None
    work_kind: str | None = None  # STEP, APPROVAL, SUBMISSION, FAILURE; None: nothing waits
    work_step: str | None = None  # None: the submission
    waiting_since: datetime | None = None
    due_at: datetime | None = None
    work_roles: Sequence[str] = ()
    escalated_to: str | None = None
    assignee_id: uuid.UUID | None = None
    work_version: int = 0  # 0: not written yet (a row from before 0013: the reconciler does)

    def overdue_at(self, now: datetime) -> bool:
        """Whether what waits on it is past its due date at `now`: the index's `overdue`
        filter (`wfm_storage.repositories.instance_index`), for a row in hand."""
        return self.due_at is not None and self.due_at < now
