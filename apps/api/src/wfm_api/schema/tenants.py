"""Tenants (market participants), the market roles they hold and those roles' API
credentials. Market operations manage tenants and roles; a tenant's administrators rotate
and read its API keys (each key shown once)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from wfm_api.schema.common import (
    Info,
    MarketRole,
    described_field,
    described_mutation,
    page_size,
    parse_id,
    tenant_argument,
    to_id,
)
from wfm_api.schema.connections import Connection, Edge
from wfm_directory import TenantProfile
from wfm_directory.market_roles import REACTIVATE, SUSPEND, TERMINATE, RoleChange
from wfm_integrations.api_access import ApiCredential as ApiCredentialValue
from wfm_shared.errors import NotFound
from wfm_storage.records import Tenant as TenantRecord
from wfm_storage.records import TenantMarketRole as TenantMarketRoleRecord
from wfm_storage.repositories.tenants import TenantCursor


@strawberry.enum(description="A tenant's status (an archived tenant is no longer listed)")
class TenantStatus(Enum):
    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"


@strawberry.type
class TenantMarketRole:
    record: strawberry.Private[TenantMarketRoleRecord]

    @strawberry.field
    def role(self) -> MarketRole:
        return MarketRole(self.record.role)

    @described_field("pending, active, suspended or terminated (final)")
    def status(self) -> str:
        return self.record.status

    @described_field("Why it was last suspended, terminated or reactivated")
    def status_reason(self) -> str | None:
        return self.record.status_reason

    @strawberry.field
    def contract_reference(self) -> str | None:
        return self.record.contract_reference

    @strawberry.field
    def updated_at(self) -> datetime:
        return self.record.updated_at

    @described_field("Its API credential (Kong): null (none), provisioning, active or revoked")
    def api_credential(self) -> str | None:
        return self.record.api_credential

    @described_field("Whether a new API key waits to be read once (revealApiCredential)")
    def api_key_awaiting_reveal(self) -> bool:
        return self.record.key_awaiting_reveal


@strawberry.type
class Tenant:
    # Plain values set when it is made (`Tenant.of`): a page names a tenant on each row, and
    # a field without a resolver of its own costs the least to answer.
    id: strawberry.ID
    slug: str
    company_name: str
    vat_number: str | None
    status: str = strawberry.field(description="pending, active or suspended")
    status_reason: str | None = strawberry.field(
        description="Why it was last suspended, reactivated or archived"
    )
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None = strawberry.field(
        description="When it was archived (what a kept workflow shows); null: it is not"
    )
    record: strawberry.Private[TenantRecord]

    @classmethod
    def of(cls, record: TenantRecord) -> Tenant:
        return cls(
            id=strawberry.ID(str(record.id)),
            slug=record.slug,
            company_name=record.company_name,
            vat_number=record.vat_number,
            status=record.status,
            status_reason=record.status_reason,
            created_at=record.created_at,
            updated_at=record.updated_at,
            archived_at=record.deleted_at,
            record=record,
        )

    @strawberry.field
    async def market_roles(self, info: Info) -> list[TenantMarketRole]:
        roles = await info.context.loaders.load_market_roles(self.record.id)
        return [TenantMarketRole(record=r) for r in roles]


async def load_tenant(info: Info, tenant_id: object) -> Tenant:
    record = await info.context.loaders.load_tenant(tenant_id)  # type: ignore[arg-type]
    if record is None:
        raise NotFound("tenant", tenant_id)
    return Tenant.of(record)


def _answer(info: Info, profile: TenantProfile) -> Tenant:
    """The tenant a mutation changed, its market roles known already."""
    info.context.loaders.market_roles.prime(profile.tenant.id, profile.market_roles)
    return Tenant.of(profile.tenant)


async def _change_market_role(
    info: Info, tenant_id: strawberry.ID, market_role: MarketRole, change: RoleChange, reason: str
) -> TenantMarketRole:
    record = await info.context.services.market_roles.change(
        info.context.authenticate(),
        parse_id(tenant_id, "tenantId"),
        market_role.value,
        change,
        reason=reason,
    )
    return TenantMarketRole(record=record)


@strawberry.input(description="Every criterion given must hold")
class TenantFilter:
    search: str | None = strawberry.field(
        default=None,
        description="Part of the company name, slug or VAT number, in any case",
    )
    status: TenantStatus | None = None


@strawberry.input
class CreateTenantInput:
    company_name: str
    vat_number: str = strawberry.field(
        description="A Belgian VAT number, in any spelling (be 0123.456.749): stored as BE0123456749"
    )
    slug: str | None = strawberry.field(
        default=None,
        description="2 to 63 lowercase letters, digits or hyphens; else made from the name",
    )
    market_roles: list[MarketRole] = strawberry.field(
        default_factory=list, description="Applied for: pending until an onboarding is approved"
    )


@strawberry.input(description="What changes; a field left out stays as it is")
class UpdateTenantInput:
    company_name: str | None = None
    vat_number: str | None = None


@strawberry.type(description="An API key, shown this once")
class ApiCredential:
    value: strawberry.Private[ApiCredentialValue]

    @strawberry.field
    def tenant_id(self) -> strawberry.ID:
        return to_id(self.value.tenant_id)

    @strawberry.field
    def market_role(self) -> MarketRole:
        return MarketRole(self.value.market_role)

    @described_field("The Kong consumer the key belongs to")
    def consumer_username(self) -> str:
        return self.value.consumer_username

    @described_field("Send it as the `apikey` header; it is not shown again")
    def key(self) -> str:
        return self.value.key


@strawberry.type
class TenantQueries:
    @described_field(
        "Tenants you may see (your own, or all for market operations; archived ones never), "
        "by company name, as a Relay-style connection"
    )
    async def tenants(
        self,
        info: Info,
        filter: TenantFilter | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[Tenant]:
        principal = info.context.authenticate()
        page = await info.context.services.tenants.page(
            principal,
            search=filter.search if filter else None,
            status=filter.status.value if filter and filter.status else None,
            first=page_size(info, first),
            after=TenantCursor.decode(after) if after else None,
        )
        edges = []
        for record in page.tenants:
            info.context.loaders.tenant.prime(record.id, record)
            edges.append(Edge(cursor=TenantCursor.of(record).encode(), node=Tenant.of(record)))
        return Connection.of(edges, has_next=page.has_next, total=page.total_count)

    @described_field("A tenant you may see; an archived one is not found")
    async def tenant(self, info: Info, id: strawberry.ID) -> Tenant:
        principal = info.context.authenticate()
        record = await info.context.services.tenants.get(principal, parse_id(id))
        return Tenant.of(record)


@strawberry.type
class TenantMutations:
    @described_mutation("Market operations: a new active tenant (VAT number checked, normalised)")
    async def create_tenant(self, info: Info, input: CreateTenantInput) -> Tenant:
        profile = await info.context.services.tenants.create(
            info.context.authenticate(),
            company_name=input.company_name,
            vat_number=input.vat_number,
            slug=input.slug,
            market_roles=[role.value for role in input.market_roles],
        )
        return _answer(info, profile)

    @described_mutation("Market operations: a tenant's company name or VAT number")
    async def update_tenant(
        self, info: Info, id: strawberry.ID, input: UpdateTenantInput
    ) -> Tenant:
        profile = await info.context.services.tenants.update(
            info.context.authenticate(),
            parse_id(id),
            company_name=input.company_name,
            vat_number=input.vat_number,
        )
        return _answer(info, profile)

    @described_mutation(
        "Market operations: its users' sessions end and logins are refused; its API "
        "credentials are revoked"
    )
    async def suspend_tenant(self, info: Info, id: strawberry.ID, reason: str) -> Tenant:
        profile = await info.context.services.tenants.suspend(
            info.context.authenticate(), parse_id(id), reason=reason
        )
        return _answer(info, profile)

    @described_mutation(
        "Market operations: a suspended tenant active again; its active market roles get "
        "new API keys"
    )
    async def reactivate_tenant(
        self, info: Info, id: strawberry.ID, reason: str | None = None
    ) -> Tenant:
        profile = await info.context.services.tenants.reactivate(
            info.context.authenticate(), parse_id(id), reason=reason
        )
        return _answer(info, profile)

    @described_mutation(
        "Market operations: archive a tenant (a soft delete: hidden, data kept, logins "
        "refused, API credentials revoked)"
    )
    async def archive_tenant(self, info: Info, id: strawberry.ID, reason: str) -> Tenant:
        profile = await info.context.services.tenants.archive(
            info.context.authenticate(), parse_id(id), reason=reason
        )
        return _answer(info, profile)

    @described_mutation("Market operations: an active market role suspended; its API key revoked")
    async def suspend_market_role(
        self, info: Info, tenant_id: strawberry.ID, market_role: MarketRole, reason: str
    ) -> TenantMarketRole:
        return await _change_market_role(info, tenant_id, market_role, SUSPEND, reason)

    @described_mutation(
        "Market operations: a market role ended for good (final); its API key revoked"
    )
    async def terminate_market_role(
        self, info: Info, tenant_id: strawberry.ID, market_role: MarketRole, reason: str
    ) -> TenantMarketRole:
        return await _change_market_role(info, tenant_id, market_role, TERMINATE, reason)

    @described_mutation(
        "Market operations: a suspended market role active again, with a new API key to read once"
    )
    async def reactivate_market_role(
        self, info: Info, tenant_id: strawberry.ID, market_role: MarketRole, reason: str
    ) -> TenantMarketRole:
        return await _change_market_role(info, tenant_id, market_role, REACTIVATE, reason)

    @described_mutation(
        "A new key for a market role's API credential, returned this once and never "
        "stored; the old key stops working (tenantId: market operations only)"
    )
    async def rotate_api_credential(
        self, info: Info, market_role: MarketRole, tenant_id: strawberry.ID | None = None
    ) -> ApiCredential:
        value = await info.context.services.api_access.rotate(
            info.context.authenticate(), tenant_argument(tenant_id), market_role.value
        )
        return ApiCredential(value=value)

    @described_mutation(
        "The key the platform generated for a market role's API credential, once: a second "
        "call answers NOT_FOUND (tenantId: market operations only)"
    )
    async def reveal_api_credential(
        self, info: Info, market_role: MarketRole, tenant_id: strawberry.ID | None = None
    ) -> ApiCredential:
        value = await info.context.services.api_access.reveal(
            info.context.authenticate(), tenant_argument(tenant_id), market_role.value
        )
        return ApiCredential(value=value)
