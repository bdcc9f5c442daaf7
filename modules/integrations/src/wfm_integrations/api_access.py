"""API access for market participants through Kong.

A market role in `WFM_KONG_ROLES` that is active, in an active tenant, has a Kong consumer
(`<tenant slug>-<role>`) and a key-auth credential whose key the platform generates. When
the role is suspended or terminated, or its tenant suspended or archived, the credential is
deleted (revoked); active again, the role gets a new credential with a new key (restored).

The participant reads a key once. A key the worker created waits, encrypted (`KeyVault`),
until `reveal` returns it and clears it; `rotate` gives the credential a new key and returns
it without storing it. Neither is ever logged or audited.

Every change of a role's or a tenant's status enqueues `sync_api_access` in its
transaction (an approved onboarding enqueues `provision_api_access`, which does the same).
`sync` brings Kong in line with what the database says now, so jobs that run late, twice
or out of order end in the same place: a revoked credential id is never used again, and a
credential created in Kong is confirmed only if it is still the role's (else it is deleted
again)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from wfm_engine import Event, EventType, InstanceState, WorkflowTemplate
from wfm_integrations.kong import KongAdmin, KongError
from wfm_integrations.vault import KeyVault
from wfm_shared.authorization import Permission, authorize
from wfm_shared.errors import Conflict, FieldError, NotFound, ServiceUnavailable, ValidationFailed
from wfm_shared.principal import Principal, system_principal
from wfm_shared.retries import TransientFailure
from wfm_storage import jobs
from wfm_storage.postgres import Database, Executor
from wfm_storage.queue import JobQueue
from wfm_storage.repositories.audit import AuditLog
from wfm_storage.repositories.tenants import ApiAccess, TenantRepository

API_KEY_BYTES = 32  # of randomness in a key: 43 URL-safe characters


def consumer_username(tenant_slug: str, market_role: str) -> str:
    return f"{tenant_slug}-{market_role.lower()}"


def new_api_key() -> str:
    return secrets.token_urlsafe(API_KEY_BYTES)


@dataclass(frozen=True)
class ApiCredential:
    """A key as its holder sees it, the one time it is shown."""

    tenant_id: uuid.UUID
    market_role: str
    consumer_username: str
    key: str


@dataclass(frozen=True)
class _Provide:
    """Create (or complete creating) this credential in Kong."""

    username: str
    credential_id: uuid.UUID
    key: str


@dataclass(frozen=True)
class _Revoke:
    username: str
    credential_id: uuid.UUID


def _tags(market_role: str) -> list[str]:
    return ["wfm", f"role-{market_role.lower()}"]


def _tenant_of(principal: Principal, tenant_id: uuid.UUID | None) -> uuid.UUID:
    """The tenant named, else the caller's own (market operations must name one)."""
    if tenant_id is not None:
        return tenant_id
    if principal.tenant_id is None:
        raise ValidationFailed(
            "market operations must say for which tenant",
            [FieldError(("tenantId",), "is required for market operations")],
        )
    return principal.tenant_id


class ApiAccessService:
    def __init__(
        self,
        db: Database,
        *,
        tenants: TenantRepository,  # keeps wfm.api_access too
        jobs: JobQueue,
        audit: AuditLog,
        kong: KongAdmin | None,
        kong_roles: Collection[str],
        vault: KeyVault,
    ) -> None:
        self._db = db
        self._tenants = tenants
        self._jobs = jobs
        self._audit = audit
        self._kong = kong  # None: no Kong Admin API configured
        self._kong_roles = kong_roles
        self._vault = vault
        self._platform = system_principal()

    async def _audit_credential(
        self,
        conn: Executor,
        principal: Principal,
        tenant_id: uuid.UUID,
        action: str,
        credential_id: uuid.UUID,
        details: dict[str, Any],
    ) -> None:
        """An entry about a tenant's API credential (never its key)."""
        await self._audit.append(
            conn,
            principal=principal,
            tenant_id=tenant_id,
            action=action,
            target_type="api_credential",
            target_id=str(credential_id),
            details=details,
        )

    async def on_workflow_event(
        self, state: InstanceState, template: WorkflowTemplate, event: Event
    ) -> None:
        """An approved onboarding for a role that comes with API access: leave the job that
        provisions it (once per tenant and role)."""
        if (
            event.type is EventType.WORKFLOW_APPROVED
            and template.grants_market_role
            and state.market_role in self._kong_roles
            and self._kong is not None
        ):
            job = {"tenantId": state.tenant_id, "marketRole": state.market_role}
            async with self._db.transaction(self._platform) as conn:
                key = jobs.api_access_key(state.tenant_id, state.market_role)
                await self._jobs.enqueue(conn, jobs.PROVISION_API_ACCESS, job, dedupe_key=key)

    # -- the worker ---------------------------------------------------------------------

    async def sync(self, tenant_id: uuid.UUID, market_role: str) -> None:
        """Bring the role's credential in Kong in line with the database: created (with a
        new key, waiting to be read) when the role should have one and has none, deleted
        when it should not. A Kong that is briefly away raises TransientFailure."""
        kong = self._kong
        if kong is None:
            return
        async with self._db.transaction(self._platform) as conn:
            access = await self._tenants.api_access(conn, tenant_id, market_role, lock=True)
            wanted = market_role in self._kong_roles and (
                await self._tenants.api_credential_wanted(conn, tenant_id, market_role)
            )
            step: _Provide | _Revoke | None
            if wanted:
                step = await self._provide_step(conn, tenant_id, market_role, access)
            elif access is None:
                step = None
            else:
                # deleted again even when already revoked: that attempt may have failed
                step = _Revoke(access.consumer_username, access.credential_id)
                if access.status != "revoked":
                    await self._tenants.revoke_api_credential(conn, tenant_id, market_role)
                    await self._audit_credential(
                        conn,
                        self._platform,
                        tenant_id,
                        "API_CREDENTIAL_REVOKED",
                        access.credential_id,
                        {"marketRole": market_role, "consumer": access.consumer_username},
                    )
        try:
            if isinstance(step, _Provide):
                await self._provide(kong, tenant_id, market_role, step)
            elif isinstance(step, _Revoke):
                await kong.delete_key_auth(step.username, step.credential_id)
        except KongError as error:
            if error.retryable:
                raise TransientFailure(error.reason) from error
            raise

    async def _provide_step(
        self, conn: Executor, tenant_id: uuid.UUID, market_role: str, access: ApiAccess | None
    ) -> _Provide | None:
        """What creating the role's credential takes: nothing when Kong has it; the key of
        an attempt that did not finish; else a new credential, recorded before Kong sees it."""
        if access is not None and access.status == "active":
            return None
        if access is not None and access.status == "provisioning" and access.pending_key:
            key = self._vault.open(access.pending_key)
            if key is not None:
                return _Provide(access.consumer_username, access.credential_id, key)
        tenant = await self._tenants.get(conn, tenant_id)
        if tenant is None:  # (a wanted credential's tenant is there; archived, it is not wanted)
            return None
        step = _Provide(consumer_username(tenant.slug, market_role), uuid.uuid4(), new_api_key())
        await self._tenants.choose_api_credential(
            conn,
            tenant_id=tenant_id,
            role=market_role,
            username=step.username,
            credential_id=step.credential_id,
            sealed_key=self._vault.seal(step.key),
        )
        return step

    async def _provide(
        self, kong: KongAdmin, tenant_id: uuid.UUID, market_role: str, step: _Provide
    ) -> None:
        tags = _tags(market_role)
        consumer = await kong.ensure_consumer(step.username, f"{tenant_id}:{market_role}", tags)
        await kong.put_key_auth(step.username, step.credential_id, step.key, tags)
        async with self._db.transaction(self._platform) as conn:
            confirmed = await self._tenants.confirm_api_credential(
                conn,
                tenant_id=tenant_id,
                role=market_role,
                credential_id=step.credential_id,
                consumer_id=str(consumer["id"]) if consumer.get("id") else None,
            )
            if confirmed:
                await self._audit_credential(
                    conn,
                    self._platform,
                    tenant_id,
                    "API_CREDENTIAL_PROVISIONED",
                    step.credential_id,
                    {"marketRole": market_role, "consumer": step.username},
                )
        if not confirmed:
            # revoked (or replaced) while Kong was creating it: take it back
            await kong.delete_key_auth(step.username, step.credential_id)

    # -- the participant (its tenant_admin) or market operations -------------------------

    async def reveal(
        self, principal: Principal, tenant_id: uuid.UUID | None, market_role: str
    ) -> ApiCredential:
        """The key the platform generated for the role's credential, once: read, it is
        gone (a second reveal answers NotFound, as does a key not yet in Kong)."""
        tenant_id = _tenant_of(principal, tenant_id)
        authorize(principal, Permission.API_CREDENTIALS_MANAGE, tenant_id=tenant_id)
        async with self._db.transaction(principal) as conn:
            access = await self._tenants.api_access(conn, tenant_id, market_role, lock=True)
            sealed = await self._tenants.take_pending_key(conn, tenant_id, market_role)
            if access is None or sealed is None:
                raise NotFound("API key waiting to be read for market role", market_role)
            key = self._vault.open(sealed)
            if key is None:
                raise Conflict(
                    f"the {market_role} API key was sealed under another WFM_CREDENTIAL_SECRET "
                    "and cannot be read: rotate the credential"
                )
            await self._audit_credential(
                conn,
                principal,
                tenant_id,
                "API_CREDENTIAL_REVEALED",
                access.credential_id,
                {"marketRole": market_role},
            )
        return ApiCredential(tenant_id, market_role, access.consumer_username, key)

    async def rotate(
        self, principal: Principal, tenant_id: uuid.UUID | None, market_role: str
    ) -> ApiCredential:
        """A new key for the role's active credential, returned and never stored; the old
        key stops working at once and a key waiting to be read is dropped. If the answer is
        lost, rotating again gives another key."""
        tenant_id = _tenant_of(principal, tenant_id)
        authorize(principal, Permission.API_CREDENTIALS_MANAGE, tenant_id=tenant_id)
        async with self._db.transaction(principal) as conn:
            # locked while Kong takes the key: a revocation waits for it, then deletes it
            access = await self._tenants.api_access(conn, tenant_id, market_role, lock=True)
            if access is None or access.status != "active":
                raise NotFound("active API credential for market role", market_role)
            if self._kong is None:
                raise ServiceUnavailable("API access (the Kong Admin API) is not configured")
            key = new_api_key()
            try:
                await self._kong.put_key_auth(
                    access.consumer_username, access.credential_id, key, _tags(market_role)
                )
            except KongError as error:
                raise ServiceUnavailable(
                    f"the API gateway did not take the new key: {error.reason}"
                ) from None
            await self._tenants.record_rotation(conn, tenant_id, market_role)
            await self._audit_credential(
                conn,
                principal,
                tenant_id,
                "API_CREDENTIAL_ROTATED",
                access.credential_id,
                {"marketRole": market_role},
            )
        return ApiCredential(tenant_id, market_role, access.consumer_username, key)
