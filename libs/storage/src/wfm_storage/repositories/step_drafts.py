"""Step drafts (migration 0016): form data saved on a step and not yet completed, one per
(workflow, step), under row-level security. Not events: nothing here touches the log."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from wfm_storage.postgres import Executor

COLUMNS = "workflow_id, step_id, data, saved_by, saved_at"


@dataclass(frozen=True)
class StepDraft:
    workflow_id: uuid.UUID
    step_id: str
    data: Mapping[str, Any]
    saved_by: uuid.UUID
    saved_at: datetime

    @classmethod
    def of(cls, row: asyncpg.Record) -> StepDraft:
        return cls(**dict(row))


class StepDraftRepository:
    async def lock_workflow(self, ex: Executor, workflow_id: uuid.UUID) -> int | None:
        """The version of the workflow's index row, which stays locked against its projection
        until the transaction ends (so a step completed meanwhile deletes the draft after it
        is written, never before). None: no such workflow for the caller."""
        version: int | None = await ex.fetchval(
            "SELECT version FROM wfm.workflow_instances_index WHERE id = $1 FOR SHARE",
            workflow_id,
        )
        return version

    async def save(
        self,
        ex: Executor,
        workflow_id: uuid.UUID,
        step_id: str,
        data: Mapping[str, Any],
        *,
        saved_by: uuid.UUID,
        saved_at: datetime,
    ) -> StepDraft | None:
        """Write the draft, over the one the step had; under the workflow's tenant. None: no
        such workflow for the caller."""
        row = await ex.fetchrow(
            f"""
            INSERT INTO wfm.step_drafts AS d ({COLUMNS}, tenant_id)
            SELECT i.id, $2, $3::jsonb, $4, $5, i.tenant_id
              FROM wfm.workflow_instances_index i
             WHERE i.id = $1
            ON CONFLICT (workflow_id, step_id) DO UPDATE
               SET data = EXCLUDED.data, saved_by = EXCLUDED.saved_by,
                   saved_at = EXCLUDED.saved_at
            RETURNING {COLUMNS}
            """,
            workflow_id,
            step_id,
            dict(data),
            saved_by,
            saved_at,
        )
        return StepDraft.of(row) if row else None

    async def discard(self, ex: Executor, workflow_id: uuid.UUID, step_ids: Sequence[str]) -> bool:
        """Delete the drafts of `step_ids`; whether there was one."""
        deleted = await ex.fetch(
            "DELETE FROM wfm.step_drafts WHERE workflow_id = $1 AND step_id = ANY($2::text[]) "
            "RETURNING step_id",
            workflow_id,
            list(step_ids),
        )
        return bool(deleted)

    async def discard_all(self, ex: Executor, workflow_id: uuid.UUID) -> None:
        await ex.execute("DELETE FROM wfm.step_drafts WHERE workflow_id = $1", workflow_id)

    async def discard_for_workflows(
        self, ex: Executor, workflow_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, int]:
        """Delete every draft of the workflows (retention); how many each had."""
        rows = await ex.fetch(
            "DELETE FROM wfm.step_drafts WHERE workflow_id = ANY($1::uuid[]) RETURNING workflow_id",
            list(workflow_ids),
        )
        deleted: dict[uuid.UUID, int] = {}
        for row in rows:
            deleted[row["workflow_id"]] = deleted.get(row["workflow_id"], 0) + 1
        return deleted

    async def of_tenant(self, ex: Executor, tenant_id: uuid.UUID) -> list[StepDraft]:
        """Every draft of the tenant's workflows (what a data subject's erasure looks through:
        drafts are few, one per step being filled in)."""
        rows = await ex.fetch(
            f"SELECT {COLUMNS} FROM wfm.step_drafts WHERE tenant_id = $1 "
            "ORDER BY workflow_id, step_id",
            tenant_id,
        )
        return [StepDraft.of(row) for row in rows]

    async def for_workflows(
        self, ex: Executor, workflow_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[StepDraft]]:
        """The drafts of each workflow the caller sees, by step id (one query for all)."""
        rows = await ex.fetch(
            f"SELECT {COLUMNS} FROM wfm.step_drafts WHERE workflow_id = ANY($1::uuid[]) "
            "ORDER BY workflow_id, step_id",
            list(workflow_ids),
        )
        found: dict[uuid.UUID, list[StepDraft]] = {}
        for row in rows:
            found.setdefault(row["workflow_id"], []).append(StepDraft.of(row))
        return found
