"""The market roles a tenant holds, suspended, terminated or reactivated by market operations
with a reason (kept on the role and in the audit trail).

A role is pending while its onboarding runs and active once approved (`wfm_workflows`
activates it). Then: active -> suspended -> active; pending, active or suspended ->
terminated, which is final (the database refuses any change of a terminated role). Each
change also revokes or restores the role's API credential, through the worker."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from wfm_directory.tenants import reason_given
from wfm_engine import MARKET_ROLES
from wfm_shared.authorization import Permission, authorize
from wfm_shared.errors import FieldError, InvalidTransition, NotFound, ValidationFailed
from wfm_shared.principal import Principal
from wfm_storage import jobs
from wfm_storage.postgres import Database
from wfm_storage.queue import JobQueue
from wfm_storage.records import TenantMarketRole
from wfm_storage.repositories.audit import AuditLog
from wfm_storage.repositories.tenants import TenantRepository


@dataclass(frozen=True)
class RoleChange:
    """A change market operations make: from which statuses, to which, under what name."""

    action: str  # suspend, terminate, reactivate
    allowed_from: frozenset[str]
    status: str
    audit_action: str


SUSPEND = RoleChange("suspend", frozenset({"active"}), "suspended", "MARKET_ROLE_SUSPENDED")
TERMINATE = RoleChange(
    "terminate",
    frozenset({"pending", "active", "suspended"}),
    "terminated",
    "MARKET_ROLE_TERMINATED",
)
REACTIVATE = RoleChange("reactivate", frozenset({"suspended"}), "active", "MARKET_ROLE_REACTIVATED")


def market_role_given(market_role: str) -> str:
    code = market_role.strip().upper()
    if code not in MARKET_ROLES:
        raise ValidationFailed(
            "unknown market role",
            [FieldError(("marketRole",), f"must be one of {', '.join(MARKET_ROLES)}")],
        )
    return code


class MarketRoleService:
    def __init__(
        self, db: Database, *, tenants: TenantRepository, audit: AuditLog, jobs: JobQueue
    ) -> None:
        self._db = db
        self._tenants = tenants
        self._audit = audit
        self._jobs = jobs

    async def suspend(
        self, principal: Principal, tenant_id: uuid.UUID, market_role: str, *, reason: str
    ) -> TenantMarketRole:
        """An active role suspended: its API credential is revoked. Again: no change."""
        return await self.change(principal, tenant_id, market_role, SUSPEND, reason=reason)

    async def terminate(
        self, principal: Principal, tenant_id: uuid.UUID, market_role: str, *, reason: str
    ) -> TenantMarketRole:
        """A role ended for good (an application withdrawn, a contract ended): its API
        credential is revoked and it can never be reactivated."""
        return await self.change(principal, tenant_id, market_role, TERMINATE, reason=reason)

    async def reactivate(
        self, principal: Principal, tenant_id: uuid.UUID, market_role: str, *, reason: str
    ) -> TenantMarketRole:
        """A suspended role active again, with a new API credential (its key is read once).
        A pending role is activated by its onboarding's approval, a terminated one never."""
        return await self.change(principal, tenant_id, market_role, REACTIVATE, reason=reason)

    async def change(
        self,
        principal: Principal,
        tenant_id: uuid.UUID,
        market_role: str,
        change: RoleChange,
        *,
        reason: str,
    ) -> TenantMarketRole:
        """A role moved to `change.status` if it may be (suspend, terminate, reactivate)."""
        authorize(principal, Permission.TENANTS_MANAGE, tenant_id=tenant_id)
        role = market_role_given(market_role)
        why = reason_given(reason)
        assert why is not None
        async with self._db.transaction(principal) as conn:
            if await self._tenants.get(conn, tenant_id) is None:
                raise NotFound("tenant", tenant_id)
            held = await self._tenants.lock_market_role(conn, tenant_id, role)
            if held is None:
                raise NotFound("market role of the tenant", role)
            if held.status != change.status:
                if held.status not in change.allowed_from:
                    raise InvalidTransition(
                        f"the {role} market role is {held.status}: it cannot be "
                        f"{change.status} (only when {' or '.join(sorted(change.allowed_from))})",
                        status=held.status,
                        action=change.action,
                    )
                await self._tenants.set_market_role_status(
                    conn, tenant_id, role, change.status, why
                )
                await self._audit.append(
                    conn,
                    principal=principal,
                    tenant_id=tenant_id,
                    action=change.audit_action,
                    target_type="market_role",
                    target_id=f"{tenant_id}:{role}",
                    details={"marketRole": role, "previousStatus": held.status, "reason": why},
                )
                # in the same transaction: the worker revokes or restores its API credential
                await self._jobs.enqueue(
                    conn, jobs.SYNC_API_ACCESS, {"tenantId": str(tenant_id), "marketRole": role}
                )
            roles = (await self._tenants.market_roles(conn, [tenant_id]))[tenant_id]
        return next(r for r in roles if r.role == role)
