"""The append-only audit log (Postgres; UPDATE and DELETE are refused by a trigger)."""

from __future__ import annotations

import uuid
from typing import Any

from wfm_shared.principal import Principal
from wfm_storage.postgres import Executor


class AuditLog:
    async def append(
        self,
        ex: Executor,
        *,
        principal: Principal | None,
        tenant_id: uuid.UUID | None,
        action: str,
        target_type: str,
        target_id: str,
        details: dict[str, Any] | None = None,
        request_id: str | None = None,
    ) -> None:
        await ex.execute(
            """
            INSERT INTO wfm.audit_log
                   (tenant_id, actor_id, actor_role, action, target_type, target_id, details, request_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """,
            tenant_id,
            principal.user_id if principal else None,
            principal.role if principal else None,
            action,
            target_type,
            target_id,
            details or {},
            request_id,
        )
