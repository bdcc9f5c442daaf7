"""Tenant secrets (migration 0017), under row-level security: names and dates, and each
value as it was sealed (wfm_shared.sealing). Nothing here seals or opens a value."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from wfm_storage.postgres import Executor

COLUMNS = "tenant_id, name, created_by, created_at, updated_by, updated_at"


@dataclass(frozen=True)
class TenantSecret:
    """A secret as it is listed: never its value."""

    tenant_id: uuid.UUID
    name: str
    created_by: uuid.UUID
    created_at: datetime
    updated_by: uuid.UUID
    updated_at: datetime

    @classmethod
    def of(cls, row: asyncpg.Record) -> TenantSecret:
        return cls(**{name: row[name] for name in COLUMNS.split(", ")})


@dataclass(frozen=True)
class SealedSecret:
    """A stored value as sealed, where `wfm secrets rotate-key` finds it."""

    tenant_id: uuid.UUID
    name: str
    sealed_value: str


class TenantSecretRepository:
    async def put(
        self,
        ex: Executor,
        tenant_id: uuid.UUID,
        name: str,
        sealed_value: str,
        *,
        by: uuid.UUID,
        at: datetime,
    ) -> tuple[TenantSecret, bool]:
        """Create the secret, or replace its value (the creator and creation time stay);
        True: it was created."""
        row = await ex.fetchrow(
            f"""
            INSERT INTO wfm.tenant_secrets AS s
                   (tenant_id, name, sealed_value, created_by, created_at, updated_by, updated_at)
            VALUES ($1, $2, $3, $4, $5, $4, $5)
            ON CONFLICT (tenant_id, name) DO UPDATE
               SET sealed_value = EXCLUDED.sealed_value, updated_by = EXCLUDED.updated_by,
                   updated_at = EXCLUDED.updated_at
            RETURNING {COLUMNS}, (xmax = 0) AS created
            """,
            tenant_id,
            name,
            sealed_value,
            by,
            at,
        )
        assert row is not None
        return TenantSecret.of(row), bool(row["created"])

    async def delete(self, ex: Executor, tenant_id: uuid.UUID, name: str) -> TenantSecret | None:
        row = await ex.fetchrow(
            f"DELETE FROM wfm.tenant_secrets WHERE tenant_id = $1 AND name = $2 RETURNING {COLUMNS}",
            tenant_id,
            name,
        )
        return TenantSecret.of(row) if row else None

    async def of_tenant(self, ex: Executor, tenant_id: uuid.UUID) -> list[TenantSecret]:
        rows = await ex.fetch(
            f"SELECT {COLUMNS} FROM wfm.tenant_secrets WHERE tenant_id = $1 ORDER BY name",
            tenant_id,
        )
        return [TenantSecret.of(row) for row in rows]

    async def count(self, ex: Executor, tenant_id: uuid.UUID) -> int:
        found: int = await ex.fetchval(
            "SELECT count(*) FROM wfm.tenant_secrets WHERE tenant_id = $1", tenant_id
        )
        return found

    async def sealed_values(
        self, ex: Executor, tenant_id: uuid.UUID, names: Sequence[str]
    ) -> dict[str, str]:
        """The sealed values of those of `names` the tenant has."""
        rows = await ex.fetch(
            "SELECT name, sealed_value FROM wfm.tenant_secrets "
            "WHERE tenant_id = $1 AND name = ANY($2::text[])",
            tenant_id,
            list(names),
        )
        return {row["name"]: row["sealed_value"] for row in rows}

    async def sealed_page(
        self, ex: Executor, *, after: tuple[uuid.UUID, str] | None, limit: int
    ) -> list[SealedSecret]:
        """Every tenant's values in key order, `limit` past `after` (market operations)."""
        rows = await ex.fetch(
            "SELECT tenant_id, name, sealed_value FROM wfm.tenant_secrets "
            "WHERE $1::uuid IS NULL OR (tenant_id, name) > ($1, $2) "
            "ORDER BY tenant_id, name LIMIT $3",
            after[0] if after else None,
            after[1] if after else None,
            limit,
        )
        return [SealedSecret(**dict(row)) for row in rows]

    async def replace_sealed(self, ex: Executor, secret: SealedSecret, sealed_value: str) -> bool:
        """Reseal in place, unless the value changed since it was read (then its writer
        sealed it under its own keyring); the dates stay: the value did not change."""
        result = await ex.execute(
            "UPDATE wfm.tenant_secrets SET sealed_value = $4 "
            "WHERE tenant_id = $1 AND name = $2 AND sealed_value = $3",
            secret.tenant_id,
            secret.name,
            secret.sealed_value,
            sealed_value,
        )
        return result.endswith(" 1")
