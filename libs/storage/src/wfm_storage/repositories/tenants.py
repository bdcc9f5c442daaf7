"""Tenants and the market roles they hold (Postgres, under RLS)."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence

import asyncpg

from wfm_shared.errors import Conflict
from wfm_storage.postgres import Executor
from wfm_storage.records import Tenant, TenantMarketRole

_TENANT_COLUMNS = (
    "id, slug, company_name, vat_number, status, feature_flags, config, created_at, updated_at"
)


def _tenant(row: asyncpg.Record) -> Tenant:
    return Tenant(**dict(row))


class TenantRepository:
    async def by_ids(self, ex: Executor, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Tenant]:
        rows = await ex.fetch(
            f"SELECT {_TENANT_COLUMNS} FROM wfm.tenants WHERE id = ANY($1::uuid[]) AND deleted_at IS NULL",
            list(ids),
        )
        return {row["id"]: _tenant(row) for row in rows}

    async def get(self, ex: Executor, tenant_id: uuid.UUID) -> Tenant | None:
        return (await self.by_ids(ex, [tenant_id])).get(tenant_id)

    async def by_slug(self, ex: Executor, slug: str) -> Tenant | None:
        row = await ex.fetchrow(
            f"SELECT {_TENANT_COLUMNS} FROM wfm.tenants WHERE slug = $1 AND deleted_at IS NULL",
            slug,
        )
        return _tenant(row) if row else None

    async def list(self, ex: Executor, *, limit: int) -> list[Tenant]:
        rows = await ex.fetch(
            f"SELECT {_TENANT_COLUMNS} FROM wfm.tenants WHERE deleted_at IS NULL "
            "ORDER BY company_name, id LIMIT $1",
            limit,
        )
        return [_tenant(row) for row in rows]

    async def create(
        self,
        ex: Executor,
        *,
        tenant_id: uuid.UUID,
        slug: str,
        company_name: str,
        vat_number: str | None,
        status: str = "active",
    ) -> Tenant:
        """Insert a tenant, or return the existing one with that id (idempotent seeding).
        Another tenant with the same slug is a conflict."""
        try:
            row = await ex.fetchrow(
                f"""
                INSERT INTO wfm.tenants (id, slug, company_name, vat_number, status)
                VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (id) DO UPDATE SET updated_at = wfm.tenants.updated_at
                RETURNING {_TENANT_COLUMNS}
                """,
                tenant_id,
                slug,
                company_name,
                vat_number,
                status,
            )
        except asyncpg.UniqueViolationError:
            raise Conflict(f"a tenant with slug {slug!r} exists") from None
        assert row is not None
        return _tenant(row)

    async def set_status(self, ex: Executor, tenant_id: uuid.UUID, status: str) -> Tenant | None:
        """A tenant that is not active ends its users' sessions: each request checks it."""
        row = await ex.fetchrow(
            f"UPDATE wfm.tenants SET status = $2, updated_at = now() "
            f"WHERE id = $1 AND deleted_at IS NULL RETURNING {_TENANT_COLUMNS}",
            tenant_id,
            status,
        )
        return _tenant(row) if row else None

    async def market_roles(
        self, ex: Executor, tenant_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, builtins.list[TenantMarketRole]]:
        rows = await ex.fetch(
            "SELECT tenant_id, role, status, contract_reference, created_at, updated_at "
            "FROM wfm.tenant_market_roles WHERE tenant_id = ANY($1::uuid[]) ORDER BY role",
            list(tenant_ids),
        )
        found: dict[uuid.UUID, builtins.list[TenantMarketRole]] = {tid: [] for tid in tenant_ids}
        for row in rows:
            found.setdefault(row["tenant_id"], []).append(TenantMarketRole(**dict(row)))
        return found

    async def apply_for_market_role(self, ex: Executor, tenant_id: uuid.UUID, role: str) -> None:
        await ex.execute(
            "INSERT INTO wfm.tenant_market_roles (tenant_id, role, status) VALUES ($1, $2, 'pending') "
            "ON CONFLICT (tenant_id, role) DO NOTHING",
            tenant_id,
            role,
        )

    async def activate_market_role(
        self, ex: Executor, tenant_id: uuid.UUID, role: str, contract_reference: str | None
    ) -> str | None:
        """Make `role` active under `contract_reference`; a reference already in force is
        kept, never replaced. Returns the reference the role holds now."""
        held: str | None = await ex.fetchval(
            """
            INSERT INTO wfm.tenant_market_roles AS r (tenant_id, role, status, contract_reference)
            VALUES ($1, $2, 'active', $3)
            ON CONFLICT (tenant_id, role) DO UPDATE
               SET status = 'active',
                   contract_reference = COALESCE(r.contract_reference, EXCLUDED.contract_reference),
                   updated_at = now()
            RETURNING contract_reference
            """,
            tenant_id,
            role,
            contract_reference,
        )
        return held
