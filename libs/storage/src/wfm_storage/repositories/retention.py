"""Retention (migration 0022): the tenants' retention policies, and the finished workflows
whose personal data is due for erasure, under row-level security.

A workflow's period is the most specific that applies: its tenant's policy for its template,
else its tenant's policy for every template, else its template's default (the `retention`
of the version it runs on), else none (kept)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from wfm_engine.definitions import RETENTION_MIN_DAYS
from wfm_storage.postgres import Executor

_COLUMNS = "tenant_id, template_key, after_days, updated_at, updated_by"


@dataclass(frozen=True)
class RetentionPolicy:
    tenant_id: uuid.UUID
    template_key: str | None  # None: every template of the tenant
    after_days: int
    updated_at: datetime
    updated_by: uuid.UUID


@dataclass(frozen=True)
class DueWorkflow:
    """A finished workflow past its retention period, its personal data not yet erased."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    template_key: str
    mongo_id: str
    status: str
    finished_at: datetime
    after_days: int
    # where the period comes from: "template" (its default), "tenant" (the tenant's policy
    # for every template), "tenant-template" (the tenant's policy for this template)
    source: str


def _policy(row: asyncpg.Record) -> RetentionPolicy:
    return RetentionPolicy(**dict(row))


# Finished, not swept, and past the period that applies to it (as of $1), longest finished
# first: $2 of them, after the position ($3, $4) when given.
_DUE = f"""
SELECT i.id, i.tenant_id, i.template_key, i.mongo_id, i.status,
       coalesce(i.completed_at, i.updated_at) AS finished_at,
       coalesce(p.after_days, d.after_days) AS after_days,
       CASE WHEN p.template_key IS NOT NULL THEN 'tenant-template'
            WHEN p.after_days IS NOT NULL THEN 'tenant'
            ELSE 'template' END AS source
  FROM wfm.workflow_instances_index i
  JOIN wfm.workflow_templates t ON t.id = i.template_id
  CROSS JOIN LATERAL (
      SELECT (t.definition -> 'retention' ->> 'afterDays')::integer AS after_days
  ) d
  LEFT JOIN LATERAL (
      SELECT r.template_key, r.after_days
        FROM wfm.retention_policies r
       WHERE r.tenant_id = i.tenant_id
         AND (r.template_key = i.template_key OR r.template_key IS NULL)
       ORDER BY r.template_key NULLS LAST
       LIMIT 1
  ) p ON true
 WHERE i.status IN ('COMPLETED', 'CANCELLED')
   AND i.personal_data_erased_at IS NULL
   -- the partial index's range: nothing that finished within the shortest period is due
   AND coalesce(i.completed_at, i.updated_at)
       <= $1::timestamptz - make_interval(days => {RETENTION_MIN_DAYS})
   AND coalesce(p.after_days, d.after_days) IS NOT NULL
   AND coalesce(i.completed_at, i.updated_at)
       + make_interval(days => coalesce(p.after_days, d.after_days)) <= $1::timestamptz
   AND ($3::timestamptz IS NULL
        OR (coalesce(i.completed_at, i.updated_at), i.id) > ($3::timestamptz, $4::uuid))
 ORDER BY coalesce(i.completed_at, i.updated_at), i.id
 LIMIT $2
"""


class RetentionRepository:
    async def policies(self, ex: Executor, tenant_id: uuid.UUID) -> list[RetentionPolicy]:
        """The tenant's policies: the one for every template first, then by template key."""
        rows = await ex.fetch(
            f"SELECT {_COLUMNS} FROM wfm.retention_policies WHERE tenant_id = $1 "
            "ORDER BY template_key NULLS FIRST",
            tenant_id,
        )
        return [_policy(row) for row in rows]

    async def put(
        self,
        ex: Executor,
        tenant_id: uuid.UUID,
        template_key: str | None,
        after_days: int,
        *,
        at: datetime,
        by: uuid.UUID,
    ) -> RetentionPolicy:
        """Set the tenant's policy for `template_key` (None: every template), over the one
        it had."""
        row = await ex.fetchrow(
            f"""
            INSERT INTO wfm.retention_policies ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT ON CONSTRAINT retention_policies_scope DO UPDATE
               SET after_days = EXCLUDED.after_days, updated_at = EXCLUDED.updated_at,
                   updated_by = EXCLUDED.updated_by
            RETURNING {_COLUMNS}
            """,
            tenant_id,
            template_key,
            after_days,
            at,
            by,
        )
        assert row is not None
        return _policy(row)

    async def delete(
        self, ex: Executor, tenant_id: uuid.UUID, template_key: str | None
    ) -> RetentionPolicy | None:
        """Remove the tenant's policy for `template_key` (None: for every template); the
        policy removed, or None when there was none."""
        row = await ex.fetchrow(
            f"DELETE FROM wfm.retention_policies "
            f"WHERE tenant_id = $1 AND template_key IS NOT DISTINCT FROM $2 "
            f"RETURNING {_COLUMNS}",
            tenant_id,
            template_key,
        )
        return _policy(row) if row else None

    async def due(
        self,
        ex: Executor,
        now: datetime,
        *,
        limit: int,
        after: tuple[datetime, uuid.UUID] | None = None,
    ) -> list[DueWorkflow]:
        """The finished workflows past their period at `now`, longest finished first;
        `after`: those after this (finished_at, id), to page through them."""
        rows = await ex.fetch(_DUE, now, limit, *(after or (None, None)))
        return [DueWorkflow(**dict(row)) for row in rows]

    async def mark_erased(
        self, ex: Executor, workflow_ids: Sequence[uuid.UUID], at: datetime
    ) -> int:
        """Stamp the workflows' index rows: their personal data is erased (once)."""
        status = await ex.execute(
            "UPDATE wfm.workflow_instances_index SET personal_data_erased_at = $2 "
            "WHERE id = ANY($1::uuid[]) AND personal_data_erased_at IS NULL",
            list(workflow_ids),
            at,
        )
        return int(status.split()[-1])
