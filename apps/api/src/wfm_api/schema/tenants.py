"""Tenants (market participants) and the market roles they hold."""

from __future__ import annotations

from datetime import datetime

import strawberry

from wfm_api.schema.common import Info, MarketRole, described_field, page_size, parse_id
from wfm_shared.errors import NotFound
from wfm_storage.records import Tenant as TenantRecord


@strawberry.type
class TenantMarketRole:
    role: MarketRole
    status: str
    contract_reference: str | None
    updated_at: datetime


@strawberry.type
class Tenant:
    record: strawberry.Private[TenantRecord]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.record.id))

    @strawberry.field
    def slug(self) -> str:
        return self.record.slug

    @strawberry.field
    def company_name(self) -> str:
        return self.record.company_name

    @strawberry.field
    def vat_number(self) -> str | None:
        return self.record.vat_number

    @strawberry.field
    def status(self) -> str:
        return self.record.status

    @strawberry.field
    def created_at(self) -> datetime:
        return self.record.created_at

    @strawberry.field
    async def market_roles(self, info: Info) -> list[TenantMarketRole]:
        roles = await info.context.loaders.load_market_roles(self.record.id)
        return [
            TenantMarketRole(
                role=MarketRole(r.role),
                status=r.status,
                contract_reference=r.contract_reference,
                updated_at=r.updated_at,
            )
            for r in roles
        ]


async def load_tenant(info: Info, tenant_id: object) -> Tenant:
    record = await info.context.loaders.load_tenant(tenant_id)  # type: ignore[arg-type]
    if record is None:
        raise NotFound("tenant", tenant_id)
    return Tenant(record=record)


@strawberry.type
class TenantQueries:
    @described_field("Tenants you may see: your own, or all for market operations")
    async def tenants(self, info: Info, first: int = 50) -> list[Tenant]:
        records = await info.context.services.storage.tenants.list(
            info.context.session, limit=page_size(info, first)
        )
        for record in records:
            info.context.loaders.tenant.prime(record.id, record)
        return [Tenant(record=r) for r in records]

    @strawberry.field
    async def tenant(self, info: Info, id: strawberry.ID) -> Tenant:
        info.context.authenticate()
        return await load_tenant(info, parse_id(id))
