"""Tenants, the market roles they hold and the API credentials of those roles (Postgres,
under RLS). Archived tenants (`deleted_at` set) are kept and hidden: every lookup leaves
them out unless it says otherwise."""

from __future__ import annotations

import builtins
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from wfm_shared.errors import Conflict
from wfm_storage.paging import Arguments, Key, Listing, decode_cursor, encode_cursor, like_pattern
from wfm_storage.postgres import Executor
from wfm_storage.records import Tenant, TenantMarketRole

_TENANT_COLUMNS = (
    "id, slug, company_name, vat_number, status, feature_flags, config, created_at, "
    "updated_at, status_reason, deleted_at"
)
_ROLE_COLUMNS = "tenant_id, role, status, contract_reference, created_at, updated_at, status_reason"
_ACCESS_COLUMNS = (
    "tenant_id, market_role, consumer_username, consumer_id, credential_id, status, "
    "pending_key, provisioned_at, revealed_at, rotated_at, revoked_at"
)


def _tenant(row: asyncpg.Record) -> Tenant:
    return Tenant(**dict(row))


# by company name, the order of the tenants' page index (migration 0010)
_BY_NAME = Listing("wfm.tenants", _TENANT_COLUMNS, (Key("company_name"), Key("id")), _tenant)


@dataclass(frozen=True)
class TenantFilter:
    """`search`: part of the company name, slug or VAT number (any case); `vat_search`: the
    same text as a VAT number is stored (separators removed, upper case); `status`."""

    search: str | None = None
    vat_search: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class TenantCursor:
    """Keyset position in the list's order (company name, then id): opaque to clients."""

    company_name: str
    id: uuid.UUID

    def encode(self) -> str:
        return encode_cursor(json.dumps(["tenant", self.company_name, str(self.id)]))

    @classmethod
    def decode(cls, value: str) -> TenantCursor:
        def parse(position: str) -> TenantCursor:
            kind, name, ident = json.loads(position)
            if kind != "tenant" or not isinstance(name, str):
                raise ValueError(kind)
            return cls(name, uuid.UUID(ident))

        return decode_cursor(value, parse)

    @classmethod
    def of(cls, tenant: Tenant) -> TenantCursor:
        return cls(tenant.company_name, tenant.id)


@dataclass(frozen=True)
class TenantPage:
    tenants: list[Tenant]
    has_next: bool
    total_count: int


@dataclass(frozen=True)
class ApiAccess:
    """A market role's API credential (wfm.api_access). `pending_key` is encrypted."""

    tenant_id: uuid.UUID
    market_role: str
    consumer_username: str
    consumer_id: str | None
    credential_id: uuid.UUID
    status: str  # provisioning, active, revoked
    pending_key: str | None
    provisioned_at: datetime
    revealed_at: datetime | None
    rotated_at: datetime | None
    revoked_at: datetime | None


def _where(where: TenantFilter, arg: Arguments) -> list[str]:
    """The filter as SQL conditions on non-archived tenants, its values numbered in `arg`."""
    conditions = ["deleted_at IS NULL"]
    if where.status is not None:
        conditions.append(f"status = {arg(where.status)}")
    if where.search:
        pattern = arg(like_pattern(where.search))
        matches = [f"company_name ILIKE {pattern}", f"slug ILIKE {pattern}"]
        if where.vat_search:
            matches.append(f"vat_number LIKE {arg(like_pattern(where.vat_search))}")
        conditions.append(f"({' OR '.join(matches)})")
    return conditions


class TenantRepository:
    async def by_ids(
        self, ex: Executor, ids: Sequence[uuid.UUID], *, include_archived: bool = False
    ) -> dict[uuid.UUID, Tenant]:
        """`include_archived`: also archived tenants (what a kept workflow belongs to)."""
        rows = await ex.fetch(
            f"SELECT {_TENANT_COLUMNS} FROM wfm.tenants WHERE id = ANY($1::uuid[])"
            + ("" if include_archived else " AND deleted_at IS NULL"),
            list(ids),
        )
        return {row["id"]: _tenant(row) for row in rows}

    async def get(self, ex: Executor, tenant_id: uuid.UUID) -> Tenant | None:
        return (await self.by_ids(ex, [tenant_id])).get(tenant_id)

    async def lock(self, ex: Executor, tenant_id: uuid.UUID) -> Tenant | None:
        """The tenant, its row locked until the transaction ends (status changes in turn)."""
        row = await ex.fetchrow(
            f"SELECT {_TENANT_COLUMNS} FROM wfm.tenants WHERE id = $1 AND deleted_at IS NULL "
            "FOR UPDATE",
            tenant_id,
        )
        return _tenant(row) if row else None

    async def by_slug(self, ex: Executor, slug: str) -> Tenant | None:
        row = await ex.fetchrow(
            f"SELECT {_TENANT_COLUMNS} FROM wfm.tenants WHERE slug = $1 AND deleted_at IS NULL",
            slug,
        )
        return _tenant(row) if row else None

    async def slug_taken(self, ex: Executor, slug: str) -> bool:
        """Whether any tenant, archived ones included, has `slug` (slugs are never reused)."""
        taken: bool = await ex.fetchval(
            "SELECT EXISTS (SELECT 1 FROM wfm.tenants WHERE slug = $1)", slug
        )
        return taken

    async def holder_of_vat(self, ex: Executor, vat_number: str) -> Tenant | None:
        """The tenant (not archived) holding `vat_number`, once no other transaction can
        give it to another tenant: the lock is held until this transaction ends."""
        await ex.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended('wfm.tenants.vat_number:' || $1, 0))",
            vat_number,
        )
        row = await ex.fetchrow(
            f"SELECT {_TENANT_COLUMNS} FROM wfm.tenants "
            "WHERE vat_number = $1 AND deleted_at IS NULL LIMIT 1",
            vat_number,
        )
        return _tenant(row) if row else None

    async def list(self, ex: Executor, *, limit: int) -> list[Tenant]:
        rows = await ex.fetch(
            f"SELECT {_TENANT_COLUMNS} FROM wfm.tenants WHERE deleted_at IS NULL "
            "ORDER BY company_name, id LIMIT $1",
            limit,
        )
        return [_tenant(row) for row in rows]

    async def page(
        self, ex: Executor, where: TenantFilter, *, first: int, after: TenantCursor | None
    ) -> TenantPage:
        """By company name, `first` tenants after the cursor, and how many match in all."""
        arg = Arguments()
        conditions = _where(where, arg)
        tenants, has_next, total = await _BY_NAME.counted_page(
            ex,
            conditions,
            arg,
            first=first,
            after=None if after is None else (after.company_name, after.id),
        )
        return TenantPage(tenants, has_next, total)

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

    async def update(
        self, ex: Executor, tenant_id: uuid.UUID, *, company_name: str, vat_number: str | None
    ) -> Tenant | None:
        row = await ex.fetchrow(
            f"UPDATE wfm.tenants SET company_name = $2, vat_number = $3, updated_at = now() "
            f"WHERE id = $1 AND deleted_at IS NULL RETURNING {_TENANT_COLUMNS}",
            tenant_id,
            company_name,
            vat_number,
        )
        return _tenant(row) if row else None

    async def set_status(
        self, ex: Executor, tenant_id: uuid.UUID, status: str, reason: str | None = None
    ) -> Tenant | None:
        """A tenant that is not active ends its users' sessions: each request checks it."""
        row = await ex.fetchrow(
            f"UPDATE wfm.tenants SET status = $2, status_reason = $3, updated_at = now() "
            f"WHERE id = $1 AND deleted_at IS NULL RETURNING {_TENANT_COLUMNS}",
            tenant_id,
            status,
            reason,
        )
        return _tenant(row) if row else None

    async def archive(self, ex: Executor, tenant_id: uuid.UUID, reason: str) -> Tenant | None:
        """Hide the tenant for good, keeping its data; its users can no longer log in."""
        row = await ex.fetchrow(
            f"UPDATE wfm.tenants SET deleted_at = now(), status_reason = $2, updated_at = now() "
            f"WHERE id = $1 AND deleted_at IS NULL RETURNING {_TENANT_COLUMNS}",
            tenant_id,
            reason,
        )
        return _tenant(row) if row else None

    # -- market roles -------------------------------------------------------------------

    async def market_roles(
        self, ex: Executor, tenant_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, builtins.list[TenantMarketRole]]:
        """Each tenant's market roles, with their API credential's status."""
        rows = await ex.fetch(
            "SELECT r.tenant_id, r.role, r.status, r.contract_reference, r.created_at, "
            "r.updated_at, r.status_reason, a.status AS api_credential, "
            "coalesce(a.pending_key IS NOT NULL AND a.status = 'active', false) "
            "AS key_awaiting_reveal "
            "FROM wfm.tenant_market_roles r "
            "LEFT JOIN wfm.api_access a ON a.tenant_id = r.tenant_id AND a.market_role = r.role "
            "WHERE r.tenant_id = ANY($1::uuid[]) ORDER BY r.role",
            list(tenant_ids),
        )
        found: dict[uuid.UUID, builtins.list[TenantMarketRole]] = {tid: [] for tid in tenant_ids}
        for row in rows:
            found.setdefault(row["tenant_id"], []).append(TenantMarketRole(**dict(row)))
        return found

    async def lock_market_role(
        self, ex: Executor, tenant_id: uuid.UUID, role: str
    ) -> TenantMarketRole | None:
        """The tenant's `role`, locked until the transaction ends."""
        row = await ex.fetchrow(
            f"SELECT {_ROLE_COLUMNS} FROM wfm.tenant_market_roles "
            "WHERE tenant_id = $1 AND role = $2 FOR UPDATE",
            tenant_id,
            role,
        )
        return TenantMarketRole(**dict(row)) if row else None

    async def set_market_role_status(
        self, ex: Executor, tenant_id: uuid.UUID, role: str, status: str, reason: str
    ) -> TenantMarketRole | None:
        row = await ex.fetchrow(
            "UPDATE wfm.tenant_market_roles SET status = $3, status_reason = $4, "
            "updated_at = now() WHERE tenant_id = $1 AND role = $2 "
            f"RETURNING {_ROLE_COLUMNS}",
            tenant_id,
            role,
            status,
            reason,
        )
        return TenantMarketRole(**dict(row)) if row else None

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
        kept, never replaced. A suspended role stays suspended (market operations lift a
        suspension) and a terminated one terminated: then None. Returns the reference the
        role holds now."""
        held: str | None = await ex.fetchval(
            """
            INSERT INTO wfm.tenant_market_roles AS r (tenant_id, role, status, contract_reference)
            VALUES ($1, $2, 'active', $3)
            ON CONFLICT (tenant_id, role) DO UPDATE
               SET status = 'active',
                   contract_reference = COALESCE(r.contract_reference, EXCLUDED.contract_reference),
                   updated_at = now()
             WHERE r.status IN ('pending', 'active')
            RETURNING contract_reference
            """,
            tenant_id,
            role,
            contract_reference,
        )
        return held

    async def api_credential_wanted(self, ex: Executor, tenant_id: uuid.UUID, role: str) -> bool:
        """Whether the role should have a live API credential: the role active, in an
        active tenant that is not archived."""
        wanted: bool = await ex.fetchval(
            "SELECT EXISTS (SELECT 1 FROM wfm.tenant_market_roles r "
            "JOIN wfm.tenants t ON t.id = r.tenant_id "
            "WHERE r.tenant_id = $1 AND r.role = $2 AND r.status = 'active' "
            "AND t.status = 'active' AND t.deleted_at IS NULL)",
            tenant_id,
            role,
        )
        return wanted

    # -- API credentials ------------------------------------------------------------------

    async def api_access(
        self, ex: Executor, tenant_id: uuid.UUID, role: str, *, lock: bool = False
    ) -> ApiAccess | None:
        """`lock`: held until the transaction ends (one change of a credential at a time)."""
        row = await ex.fetchrow(
            f"SELECT {_ACCESS_COLUMNS} FROM wfm.api_access "
            "WHERE tenant_id = $1 AND market_role = $2" + (" FOR UPDATE" if lock else ""),
            tenant_id,
            role,
        )
        return ApiAccess(**dict(row)) if row else None

    async def choose_api_credential(
        self,
        ex: Executor,
        *,
        tenant_id: uuid.UUID,
        role: str,
        username: str,
        credential_id: uuid.UUID,
        sealed_key: str,
    ) -> None:
        """A new credential for the role, to be created in Kong: the one before it, if any,
        is forgotten (it was revoked)."""
        await ex.execute(
            """
            INSERT INTO wfm.api_access AS a
                   (tenant_id, market_role, consumer_username, credential_id, status, pending_key)
            VALUES ($1, $2, $3, $4, 'provisioning', $5)
            ON CONFLICT (tenant_id, market_role) DO UPDATE
               SET consumer_username = EXCLUDED.consumer_username,
                   credential_id = EXCLUDED.credential_id, status = 'provisioning',
                   pending_key = EXCLUDED.pending_key, provisioned_at = now(),
                   revealed_at = NULL, rotated_at = NULL, revoked_at = NULL, updated_at = now()
            """,
            tenant_id,
            role,
            username,
            credential_id,
            sealed_key,
        )

    async def confirm_api_credential(
        self,
        ex: Executor,
        *,
        tenant_id: uuid.UUID,
        role: str,
        credential_id: uuid.UUID,
        consumer_id: str | None,
    ) -> bool:
        """Kong holds the credential: active, unless it was revoked or replaced meanwhile
        (False: then it must be deleted again)."""
        result = await ex.execute(
            "UPDATE wfm.api_access SET status = 'active', consumer_id = $4, "
            "provisioned_at = now(), updated_at = now() "
            "WHERE tenant_id = $1 AND market_role = $2 AND credential_id = $3 "
            "AND status = 'provisioning'",
            tenant_id,
            role,
            credential_id,
            consumer_id,
        )
        return result == "UPDATE 1"

    async def revoke_api_credential(self, ex: Executor, tenant_id: uuid.UUID, role: str) -> None:
        """The credential is to be deleted from Kong; a key nobody read is dropped."""
        await ex.execute(
            "UPDATE wfm.api_access SET status = 'revoked', pending_key = NULL, "
            "revoked_at = coalesce(revoked_at, now()), updated_at = now() "
            "WHERE tenant_id = $1 AND market_role = $2",
            tenant_id,
            role,
        )

    async def take_pending_key(self, ex: Executor, tenant_id: uuid.UUID, role: str) -> str | None:
        """The sealed key waiting to be read, cleared in the same statement: read once."""
        sealed: str | None = await ex.fetchval(
            """
            UPDATE wfm.api_access a SET pending_key = NULL, revealed_at = now(), updated_at = now()
              FROM (SELECT pending_key FROM wfm.api_access
                     WHERE tenant_id = $1 AND market_role = $2 AND status = 'active'
                       AND pending_key IS NOT NULL FOR UPDATE) AS before
             WHERE a.tenant_id = $1 AND a.market_role = $2
            RETURNING before.pending_key
            """,
            tenant_id,
            role,
        )
        return sealed

    async def record_rotation(self, ex: Executor, tenant_id: uuid.UUID, role: str) -> None:
        """The credential got a new key, handed to the caller: a key waiting to be read is
        no longer the credential's, so it is dropped."""
        await ex.execute(
            "UPDATE wfm.api_access SET pending_key = NULL, rotated_at = now(), updated_at = now() "
            "WHERE tenant_id = $1 AND market_role = $2",
            tenant_id,
            role,
        )
