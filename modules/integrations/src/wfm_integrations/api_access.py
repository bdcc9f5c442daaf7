"""API access for market participants through Kong: when an onboarding that grants a market
role in `WFM_KONG_ROLES` is approved, the tenant gets a Kong consumer (`<tenant slug>-<role>`)
and a key-auth credential with a deterministic id, so a retry never rotates the key."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from wfm_engine import Event, EventType, InstanceState, WorkflowTemplate
from wfm_integrations.kong import KongAdmin, KongError
from wfm_shared.principal import system_principal
from wfm_shared.retries import TransientFailure
from wfm_storage import jobs
from wfm_storage.postgres import Database
from wfm_storage.queue import JobQueue
from wfm_storage.repositories.tenants import TenantRepository
from wfm_storage.repositories.triggers import TriggerRepository

API_ACCESS_NAMESPACE = uuid.UUID("3b1f6a1e-4f61-4c5e-9c1b-7a2d41f0c9e2")


def consumer_username(tenant_slug: str, market_role: str) -> str:
    return f"{tenant_slug}-{market_role.lower()}"


def credential_id(tenant_id: uuid.UUID, market_role: str) -> uuid.UUID:
    """The same for every attempt: the key is created once, never rotated by a retry."""
    return uuid.uuid5(API_ACCESS_NAMESPACE, f"{tenant_id}:{market_role}")


class ApiAccessService:
    def __init__(
        self,
        db: Database,
        *,
        tenants: TenantRepository,
        jobs: JobQueue,
        records: TriggerRepository,  # keeps wfm.api_access
        kong: KongAdmin | None,
        kong_roles: Collection[str],
    ) -> None:
        self._db = db
        self._tenants = tenants
        self._jobs = jobs
        self._records = records
        self._kong = kong  # None: no Kong Admin API configured
        self._kong_roles = kong_roles
        self._platform = system_principal()

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

    async def provision(self, tenant_id: uuid.UUID, market_role: str) -> None:
        """The tenant's consumer and key-auth credential for `market_role`, created if absent
        and recorded; a Kong that is briefly away raises TransientFailure."""
        kong = self._kong
        if kong is None:
            return
        async with self._db.transaction(self._platform) as conn:
            tenant = await self._tenants.get(conn, tenant_id)
        if tenant is None:
            return
        username = consumer_username(tenant.slug, market_role)
        credential = credential_id(tenant_id, market_role)
        tags = ["wfm", f"role-{market_role.lower()}"]
        try:
            consumer = await kong.ensure_consumer(username, f"{tenant_id}:{market_role}", tags)
            await kong.ensure_key_auth(username, credential, tags)
        except KongError as error:
            if error.retryable:
                raise TransientFailure(error.reason) from error
            raise
        async with self._db.transaction(self._platform) as conn:
            await self._records.record_api_access(
                conn,
                tenant_id=tenant_id,
                market_role=market_role,
                username=username,
                consumer_id=str(consumer.get("id")) if consumer.get("id") else None,
                credential_id=credential,
            )
