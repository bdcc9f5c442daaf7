"""The Postgres index of workflow instances: the fast, RLS-filtered way to find and list them."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from wfm_engine import InstanceState
from wfm_shared.errors import FieldError, ValidationFailed
from wfm_storage.postgres import Executor
from wfm_storage.records import InstanceIndexRow

_COLUMNS = (
    "id, tenant_id, template_id, market_role, mongo_id, status, current_step, version, "
    "projected_version, created_by, created_at, updated_at, idempotency_key"
)

_PREFIXED = ", ".join(f"i.{column.strip()}" for column in _COLUMNS.split(","))


@dataclass(frozen=True)
class InstanceFilter:
    status: str | None = None
    market_role: str | None = None
    tenant_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Cursor:
    """Keyset position in the newest-first order: opaque to clients."""

    created_at: datetime
    id: uuid.UUID

    def encode(self) -> str:
        raw = f"{self.created_at.isoformat()}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode("ascii")

    @classmethod
    def decode(cls, value: str) -> Cursor:
        try:
            created, ident = base64.urlsafe_b64decode(value.encode("ascii")).decode().split("|")
            return cls(datetime.fromisoformat(created), uuid.UUID(ident))
        except (ValueError, UnicodeError, binascii.Error):
            raise ValidationFailed(
                "invalid cursor", [FieldError(("after",), "is not a cursor")]
            ) from None


@dataclass(frozen=True)
class Page:
    rows: list[InstanceIndexRow]
    has_next: bool


class InstanceIndex:
    async def register(
        self,
        ex: Executor,
        *,
        instance_id: uuid.UUID,
        tenant_id: uuid.UUID,
        template_id: uuid.UUID,
        market_role: str,
        created_by: uuid.UUID,
        created_at: datetime,
        idempotency_key: str | None = None,
    ) -> InstanceIndexRow:
        """Reserve the instance before its first event, so every log has an index row.
        With an idempotency key used before in this tenant, the row reserved then."""
        row = await ex.fetchrow(
            f"""
            INSERT INTO wfm.workflow_instances_index
                   (id, tenant_id, template_id, market_role, mongo_id, status, version,
                    created_by, created_at, updated_at, idempotency_key)
            VALUES ($1, $2, $3, $4, $5, 'DRAFT', 0, $6, $7, $7, $8)
            ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING {_COLUMNS}
            """,
            instance_id,
            tenant_id,
            template_id,
            market_role,
            str(instance_id),
            created_by,
            created_at,
            idempotency_key,
        )
        if row is None:
            row = await ex.fetchrow(
                f"SELECT {_COLUMNS} FROM wfm.workflow_instances_index "
                "WHERE tenant_id = $1 AND idempotency_key = $2",
                tenant_id,
                idempotency_key,
            )
        assert row is not None
        return InstanceIndexRow(**dict(row))

    async def open_onboarding(
        self, ex: Executor, tenant_id: uuid.UUID, market_role: str, *, now: datetime
    ) -> InstanceIndexRow | None:
        """The tenant's onboarding for `market_role` that is neither completed nor cancelled,
        if any. Callers hold `lock_onboarding` so that two creates cannot both see none."""
        row = await ex.fetchrow(
            f"""
            SELECT {_PREFIXED}
              FROM wfm.workflow_instances_index i
              JOIN wfm.workflow_templates t ON t.id = i.template_id
             WHERE i.tenant_id = $1 AND i.market_role = $2
               AND i.status NOT IN ('COMPLETED', 'CANCELLED')
               AND (t.definition ->> 'grantsMarketRole')::boolean
               -- a reservation whose first event never landed is abandoned after a while
               AND (i.version > 0 OR i.created_at > $3::timestamptz - interval '5 minutes')
             ORDER BY i.created_at DESC
             LIMIT 1
            """,
            tenant_id,
            market_role,
            now,
        )
        return None if row is None else InstanceIndexRow(**dict(row))

    async def completed_onboarding(
        self, ex: Executor, tenant_id: uuid.UUID, market_role: str
    ) -> InstanceIndexRow | None:
        """The onboarding that granted the tenant `market_role`, if one did."""
        row = await ex.fetchrow(
            f"""
            SELECT {_PREFIXED}
              FROM wfm.workflow_instances_index i
              JOIN wfm.workflow_templates t ON t.id = i.template_id
             WHERE i.tenant_id = $1 AND i.market_role = $2 AND i.status = 'COMPLETED'
               AND (t.definition ->> 'grantsMarketRole')::boolean
             ORDER BY i.updated_at DESC
             LIMIT 1
            """,
            tenant_id,
            market_role,
        )
        return None if row is None else InstanceIndexRow(**dict(row))

    async def lock_onboarding(self, ex: Executor, tenant_id: uuid.UUID, market_role: str) -> None:
        """Serialise onboarding creates of one tenant and role until the transaction ends."""
        await ex.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1::uuid::text || '/' || $2::text, 7))",
            tenant_id,
            market_role,
        )

    async def advance(self, ex: Executor, state: InstanceState) -> int | None:
        """Project `state` onto its row, only ever forward: the version the row had, or None
        when it was already there. The row stays locked until the transaction ends, so the
        events in between are projected exactly once."""
        previous: int | None = await ex.fetchval(
            """
            WITH old AS (
                SELECT id, version FROM wfm.workflow_instances_index WHERE id = $1 FOR UPDATE
            )
            UPDATE wfm.workflow_instances_index t
               SET status = $2, current_step = $3, version = $4, projected_version = $4,
                   updated_at = $5
              FROM old
             WHERE t.id = old.id AND old.version < $4
            RETURNING old.version
            """,
            uuid.UUID(state.id),
            state.status.value,
            state.current_step_id,
            state.version,
            state.updated_at,
        )
        return previous

    async def scan(
        self, ex: Executor, *, after: uuid.UUID | None, limit: int
    ) -> list[InstanceIndexRow]:
        """Every row, in id order, a page at a time (the reconciler's walk)."""
        rows = await ex.fetch(
            f"SELECT {_COLUMNS} FROM wfm.workflow_instances_index "
            "WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2",
            after,
            limit,
        )
        return [InstanceIndexRow(**dict(row)) for row in rows]

    async def by_ids(
        self, ex: Executor, ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, InstanceIndexRow]:
        rows = await ex.fetch(
            f"SELECT {_COLUMNS} FROM wfm.workflow_instances_index WHERE id = ANY($1::uuid[])",
            list(ids),
        )
        return {row["id"]: InstanceIndexRow(**dict(row)) for row in rows}

    async def get(self, ex: Executor, instance_id: uuid.UUID) -> InstanceIndexRow | None:
        return (await self.by_ids(ex, [instance_id])).get(instance_id)

    async def page(
        self, ex: Executor, where: InstanceFilter, *, first: int, after: Cursor | None
    ) -> Page:
        # Only the filters given become SQL, so that the planner can use the matching index.
        conditions = ["version > 0"]  # a reserved row whose first event never landed is not listed
        args: list[object] = []

        def arg(value: object) -> str:
            args.append(value)
            return f"${len(args)}"

        if where.status is not None:
            conditions.append(f"status = {arg(where.status)}")
        if where.market_role is not None:
            conditions.append(f"market_role = {arg(where.market_role)}")
        if where.tenant_id is not None:
            conditions.append(f"tenant_id = {arg(where.tenant_id)}")
        if after is not None:
            conditions.append(f"(created_at, id) < ({arg(after.created_at)}, {arg(after.id)})")
        rows = await ex.fetch(
            f"SELECT {_COLUMNS} FROM wfm.workflow_instances_index WHERE {' AND '.join(conditions)} "
            f"ORDER BY created_at DESC, id DESC LIMIT {arg(first + 1)}",
            *args,
        )
        found = [InstanceIndexRow(**dict(row)) for row in rows]
        return Page(rows=found[:first], has_next=len(found) > first)
