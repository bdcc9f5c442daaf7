"""Triggers that start workflows (schedules, platform events, manual runs, inbound webhooks),
and their firings (Postgres)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wfm_storage.postgres import Executor

_COLUMNS = (
    "id, tenant_id, name, kind, cron, timezone, event_type, filter, template_key, market_role, "
    "input_schema, variables, signing_secret, active, enabled_at, created_by, created_at, "
    "updated_at"
)
# what `update` may change
CHANGEABLE = ("name", "cron", "timezone", "event_type", "filter", "input_schema", "variables")


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
    # manual and webhook triggers: the JSON Schema of the input (None: any object) and
    # the variables of the new workflow, each a path into the input
    input_schema: dict[str, Any] | None
    variables: dict[str, str]
    signing_secret: str | None  # webhook triggers: sealed (wfm_shared.sealing)
    active: bool
    enabled_at: datetime  # the latest time it was switched on
    created_by: uuid.UUID
    created_at: datetime
    updated_at: datetime


class TriggerRepository:
    async def create(self, ex: Executor, **values: Any) -> Trigger:
        row = await ex.fetchrow(
            f"""
            INSERT INTO wfm.workflow_triggers
                   (id, tenant_id, name, kind, cron, timezone, event_type, filter, template_key,
                    market_role, input_schema, variables, signing_secret, created_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            RETURNING {_COLUMNS}
            """,
            values.get("trigger_id") or uuid.uuid4(),
            values["tenant_id"],
            values["name"],
            values["kind"],
            values.get("cron"),
            values.get("timezone"),
            values.get("event_type"),
            values.get("filter") or {},
            values["template_key"],
            values["market_role"],
            values.get("input_schema"),
            values.get("variables") or {},
            values.get("signing_secret"),
            values["created_by"],
        )
        assert row is not None
        return Trigger(**dict(row))

    async def get(self, ex: Executor, trigger_id: uuid.UUID) -> Trigger | None:
        row = await ex.fetchrow(
            f"SELECT {_COLUMNS} FROM wfm.workflow_triggers WHERE id = $1", trigger_id
        )
        return Trigger(**dict(row)) if row else None

    async def get_for_update(self, ex: Executor, trigger_id: uuid.UUID) -> Trigger | None:
        """The trigger, locked until the transaction ends (a change reads what it changes)."""
        row = await ex.fetchrow(
            f"SELECT {_COLUMNS} FROM wfm.workflow_triggers WHERE id = $1 FOR UPDATE", trigger_id
        )
        return Trigger(**dict(row)) if row else None

    async def update(
        self, ex: Executor, trigger_id: uuid.UUID, changes: dict[str, Any], at: datetime
    ) -> Trigger:
        """Set the columns of `changes` (names of CHANGEABLE; None writes NULL)."""
        assert set(changes) <= set(CHANGEABLE), changes
        names = list(changes)
        assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(names, start=3))
        # column names from CHANGEABLE; the values are bound
        row = await ex.fetchrow(
            f"UPDATE wfm.workflow_triggers SET {assignments}{', ' if names else ''}updated_at = $2 "
            f"WHERE id = $1 RETURNING {_COLUMNS}",
            trigger_id,
            at,
            *(changes[name] for name in names),
        )
        assert row is not None
        return Trigger(**dict(row))

    async def set_active(
        self, ex: Executor, trigger_id: uuid.UUID, active: bool, at: datetime
    ) -> Trigger:
        """Switch it on (from `at`: a schedule fires no slot before it) or off."""
        row = await ex.fetchrow(
            f"""
            UPDATE wfm.workflow_triggers
               SET active = $2,
                   enabled_at = CASE WHEN $2 AND NOT active THEN $3 ELSE enabled_at END,
                   updated_at = $3
             WHERE id = $1 RETURNING {_COLUMNS}
            """,
            trigger_id,
            active,
            at,
        )
        assert row is not None
        return Trigger(**dict(row))

    async def delete(self, ex: Executor, trigger_id: uuid.UUID) -> bool:
        return (
            await ex.execute("DELETE FROM wfm.workflow_triggers WHERE id = $1", trigger_id)
        ).endswith(" 1")

    async def signing_secrets_page(
        self, ex: Executor, *, after: uuid.UUID | None, limit: int
    ) -> list[tuple[uuid.UUID, str]]:
        """Every webhook trigger's sealed signing secret (id, sealed) in id order, `limit`
        past `after`: for `wfm secrets rotate-key`."""
        rows = await ex.fetch(
            "SELECT id, signing_secret FROM wfm.workflow_triggers "
            "WHERE signing_secret IS NOT NULL AND ($1::uuid IS NULL OR id > $1) "
            "ORDER BY id LIMIT $2",
            after,
            limit,
        )
        return [(r["id"], r["signing_secret"]) for r in rows]

    async def replace_signing_secret(
        self, ex: Executor, trigger_id: uuid.UUID, sealed: str, resealed: str
    ) -> bool:
        """Keep the secret as `resealed`, unless it changed since it was read as `sealed`."""
        result = await ex.execute(
            "UPDATE wfm.workflow_triggers SET signing_secret = $3 "
            "WHERE id = $1 AND signing_secret = $2",
            trigger_id,
            sealed,
            resealed,
        )
        return result.endswith(" 1")

    async def list(
        self,
        ex: Executor,
        *,
        kind: str | None = None,
        tenant_id: uuid.UUID | None = None,
        active_only: bool = True,
    ) -> list[Trigger]:
        # `active` written out, so that the firing paths' reads use the index on active ones
        rows = await ex.fetch(
            f"SELECT {_COLUMNS} FROM wfm.workflow_triggers WHERE {'active' if active_only else 'true'} "
            "AND ($1::text IS NULL OR kind = $1) AND ($2::uuid IS NULL OR tenant_id = $2) "
            "ORDER BY created_at, id",
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
