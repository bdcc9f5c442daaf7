"""The audit trail: searching it, exporting it, and the entries of refusals (FORBIDDEN
answers, refused logins), which no service writes since nothing changed.

Market operations read every entry; a tenant administrator its tenant's (row-level security
on `wfm.audit_log` keeps the rest out of sight whatever the filter says)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass

from wfm_shared.authorization import PLATFORM_ROLES, Permission, authorize
from wfm_shared.errors import FieldError, ValidationFailed
from wfm_shared.principal import Principal
from wfm_storage.postgres import Database, Executor
from wfm_storage.records import User
from wfm_storage.repositories.audit import AuditCursor, AuditEntry, AuditFilter, AuditLog, AuditPage
from wfm_storage.repositories.user_tokens import ResetAddressee

# Refusals recorded for one request at most: a list whose every item is refused would
# otherwise write as many entries as the page has items.
MAX_REFUSALS_PER_REQUEST = 10
EXPORT_BATCH_SIZE = 1000


async def audit_user(
    log: AuditLog,
    conn: Executor,
    principal: Principal | None,
    user: User | ResetAddressee,
    action: str,
    **details: object,
) -> None:
    """An entry about `user`, under its tenant and naming its e-mail address, in the caller's
    transaction (the directory's and sign-in's changes to a user)."""
    await log.append(
        conn,
        principal=principal,
        tenant_id=user.tenant_id,
        action=action,
        target_type="user",
        target_id=str(user.id),
        details={"email": user.email, **details},
    )


async def audit_tenant(
    log: AuditLog,
    conn: Executor,
    principal: Principal,
    tenant_id: uuid.UUID,
    action: str,
    **details: object,
) -> None:
    """An entry about a tenant, under that tenant, in the caller's transaction."""
    await log.append(
        conn,
        principal=principal,
        tenant_id=tenant_id,
        action=action,
        target_type="tenant",
        target_id=str(tenant_id),
        details=details,
    )


@dataclass(frozen=True)
class Refusal:
    """A FORBIDDEN answer: the operation refused (`mutation createTenant`), where in the
    response, and what the caller was told (which names the permission it lacks)."""

    operation: str
    path: str
    message: str


class AuditService:
    def __init__(self, db: Database, *, audit: AuditLog) -> None:
        self._db = db
        self._audit = audit

    async def query(
        self,
        principal: Principal,
        where: AuditFilter,
        *,
        first: int,
        after: AuditCursor | None = None,
    ) -> AuditPage:
        """A page of the entries the principal may read, newest first, with their count."""
        authorize(principal, Permission.AUDIT_READ, tenant_id=where.tenant_id)
        where = _within_reach(principal, where)
        async with self._db.transaction(principal) as conn:
            return await self._audit.page(conn, where, first=first, after=after)

    async def export(
        self, principal: Principal, where: AuditFilter, *, batch_size: int = EXPORT_BATCH_SIZE
    ) -> AsyncGenerator[AuditEntry, None]:
        """Every entry the principal may read that matches, newest first, streamed from a
        server-side cursor `batch_size` rows at a time, in one transaction (one snapshot)."""
        authorize(principal, Permission.AUDIT_READ, tenant_id=where.tenant_id)
        where = _within_reach(principal, where)
        if batch_size < 1:
            raise ValidationFailed(
                "invalid batch size", [FieldError(("batchSize",), "must be at least 1")]
            )
        async with self._db.transaction(principal) as conn:
            async for entry in self._audit.stream(conn, where, batch_size=batch_size):
                yield entry

    async def record_refusals(
        self, principal: Principal, refusals: Sequence[Refusal], *, request_id: str | None
    ) -> None:
        """FORBIDDEN answers, one `refused` entry each under the caller's own tenant, in a
        transaction of their own (the refused action's, if it opened one, rolled back)."""
        distinct = list(dict.fromkeys(refusals))[:MAX_REFUSALS_PER_REQUEST]
        if not distinct:
            return
        async with self._db.transaction(principal) as conn:
            for refusal in distinct:
                await self._audit.append(
                    conn,
                    principal=principal,
                    tenant_id=principal.tenant_id,
                    action="ACCESS_REFUSED",
                    target_type="operation",
                    target_id=refusal.operation,
                    details={"path": refusal.path, "message": refusal.message},
                    request_id=request_id,
                    outcome="refused",
                )

    async def record_refused_login(
        self,
        email: str,
        *,
        throttled: bool,
        client_address: str | None,
        request_id: str | None = None,
    ) -> None:
        """A login throttled (`refused`) or whose credentials did not hold (`failed`). The
        e-mail only finds the account: it is not stored, nor is anything of the password."""
        async with self._db.connection() as conn:
            await self._audit.append_refused_login(
                conn,
                email=email,
                throttled=throttled,
                client_address=client_address,
                request_id=request_id,
            )


def _within_reach(principal: Principal, where: AuditFilter) -> AuditFilter:
    """A tenant role reads its own tenant's entries (RLS says so too; saying it here lets
    the tenant's index serve the query)."""
    if where.since is not None and where.until is not None and where.until <= where.since:
        raise ValidationFailed(
            "the time range is empty", [FieldError(("filter", "until"), "must be after since")]
        )
    if principal.role in PLATFORM_ROLES:
        return where
    return dataclasses.replace(where, tenant_id=principal.tenant_id)
