"""Per-tenant and per-market-role workflow configuration (Postgres, versioned, under RLS)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from wfm_shared.errors import Conflict
from wfm_storage.postgres import Executor


@dataclass(frozen=True)
class ConfigLayer:
    tenant_id: uuid.UUID | None
    market_role: str
    template_key: str
    version: int
    flags: dict[str, Any]
    settings: dict[str, Any]
    created_by: uuid.UUID
    created_at: datetime

    def as_layer(self) -> dict[str, Any]:
        return {"flags": self.flags, "settings": self.settings}


_COLUMNS = "tenant_id, market_role, template_key, version, flags, settings, created_by, created_at"


class ConfigRepository:
    async def current(
        self, ex: Executor, *, tenant_id: uuid.UUID | None, market_role: str, template_key: str
    ) -> ConfigLayer | None:
        """The version in force for one scope (tenant_id None: the market role's)."""
        row = await ex.fetchrow(
            f"""
            SELECT {_COLUMNS} FROM wfm.workflow_configs
             WHERE template_key = $1 AND market_role = $2 AND tenant_id IS NOT DISTINCT FROM $3
             ORDER BY version DESC LIMIT 1
            """,
            template_key,
            market_role,
            tenant_id,
        )
        return ConfigLayer(**dict(row)) if row else None

    async def append(
        self,
        ex: Executor,
        *,
        tenant_id: uuid.UUID | None,
        market_role: str,
        template_key: str,
        flags: dict[str, Any],
        settings: dict[str, Any],
        created_by: uuid.UUID,
        expected_version: int | None,
    ) -> ConfigLayer:
        """Store the next version of a scope; `expected_version` guards against lost updates."""
        current = await self.current(
            ex, tenant_id=tenant_id, market_role=market_role, template_key=template_key
        )
        version = current.version if current else 0
        if expected_version is not None and expected_version != version:
            raise Conflict(f"the configuration is at version {version}, not {expected_version}")
        try:
            row = await ex.fetchrow(
                f"""
                INSERT INTO wfm.workflow_configs
                       (tenant_id, market_role, template_key, version, flags, settings, created_by)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                RETURNING {_COLUMNS}
                """,
                tenant_id,
                market_role,
                template_key,
                version + 1,
                flags,
                settings,
                created_by,
            )
        except asyncpg.UniqueViolationError:
            raise Conflict("the configuration was changed concurrently; reload and retry") from None
        assert row is not None
        return ConfigLayer(**dict(row))
