"""Triggers that start workflows (schedules, platform events), and their firings (Postgres)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wfm_storage.postgres import Executor

_COLUMNS = (
    "id, tenant_id, name, kind, cron, timezone, event_type, filter, template_key, market_role, active, "
    "created_by, created_at"
)


@dataclass(frozen=True)
class Trigger:
    id: uuid.UUID
    tenant_id: uuid.UUID | None
    name: str
    kind: str
    cron: str | None
    timezone: str | None
    event_type: str | None
    filter: dict[str, Any]
    template_key: str
    market_role: str
    active: bool
    created_by: uuid.UUID
    created_at: datetime


class TriggerRepository:
    async def create(self, ex: Executor, **values: Any) -> Trigger:
        row = await ex.fetchrow(
            f"""
            INSERT INTO wfm.workflow_triggers
                   (id, tenant_id, name, kind, cron, timezone, event_type, filter, template_key, market_role, created_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING {_COLUMNS}
            """,
            uuid.uuid4(),
            values["tenant_id"],
            values["name"],
            values["kind"],
            values.get("cron"),
            values.get("timezone"),
            values.get("event_type"),
            values.get("filter") or {},
            values["template_key"],
            values["market_role"],
            values["created_by"],
        )
        assert row is not None
        return Trigger(**dict(row))

    async def get(self, ex: Executor, trigger_id: uuid.UUID) -> Trigger | None:
        row = await ex.fetchrow(
            f"SELECT {_COLUMNS} FROM wfm.workflow_triggers WHERE id = $1", trigger_id
        )
        return Trigger(**dict(row)) if row else None

    async def delete(self, ex: Executor, trigger_id: uuid.UUID) -> bool:
        return (
            await ex.execute("DELETE FROM wfm.workflow_triggers WHERE id = $1", trigger_id)
        ).endswith(" 1")

    async def list(
        self, ex: Executor, *, kind: str | None = None, tenant_id: uuid.UUID | None = None
    ) -> list[Trigger]:
        rows = await ex.fetch(
            f"SELECT {_COLUMNS} FROM wfm.workflow_triggers WHERE active "
            "AND ($1::text IS NULL OR kind = $1) AND ($2::uuid IS NULL OR tenant_id = $2) ORDER BY created_at, id",
            kind,
            tenant_id,
        )
        return [Trigger(**dict(r)) for r in rows]

    async def claim(
        self, ex: Executor, trigger: Trigger, fire_key: str, tenant_id: uuid.UUID | None = None
    ) -> bool:
        """True for the one caller that records this firing first."""
        result = await ex.execute(
            "INSERT INTO wfm.trigger_firings (trigger_id, fire_key, tenant_id) "
            "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            trigger.id,
            fire_key,
            tenant_id or trigger.tenant_id,
        )
        return result.endswith(" 1")

    async def last_firing(self, ex: Executor, trigger_id: uuid.UUID) -> datetime | None:
        value: datetime | None = await ex.fetchval(
            "SELECT max(fired_at) FROM wfm.trigger_firings WHERE trigger_id = $1", trigger_id
        )
        return value
