"""Timers of workflow instances: SLAs, approval deadlines and delays (Postgres)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from wfm_storage.postgres import Executor

_COLUMNS = (
    "id, tenant_id, instance_id, kind, step_id, activation_seq, due_at, remaining, status, fired_at"
)


@dataclass(frozen=True)
class Timer:
    id: int
    tenant_id: uuid.UUID
    instance_id: uuid.UUID
    kind: str
    step_id: str | None
    activation_seq: int
    due_at: datetime | None
    remaining: timedelta | None
    status: str
    fired_at: datetime | None

    @property
    def key(self) -> tuple[str, int]:
        return self.kind, self.activation_seq


@dataclass(frozen=True)
class WantedTimer:
    kind: str
    step_id: str | None
    activation_seq: int
    due_at: datetime


class TimerRepository:
    async def open_for(self, ex: Executor, instance_id: uuid.UUID) -> list[Timer]:
        rows = await ex.fetch(
            f"SELECT {_COLUMNS} FROM wfm.workflow_timers WHERE instance_id = $1 AND status IN ('armed', 'paused')",
            instance_id,
        )
        return [Timer(**dict(r)) for r in rows]

    async def arm(
        self, ex: Executor, tenant_id: uuid.UUID, instance_id: uuid.UUID, wanted: WantedTimer
    ) -> None:
        await ex.execute(
            """
            INSERT INTO wfm.workflow_timers (tenant_id, instance_id, kind, step_id, activation_seq, due_at)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (instance_id, kind, activation_seq) DO NOTHING
            """,
            tenant_id,
            instance_id,
            wanted.kind,
            wanted.step_id,
            wanted.activation_seq,
            wanted.due_at,
        )

    async def cancel(self, ex: Executor, timer_id: int) -> None:
        await ex.execute(
            "UPDATE wfm.workflow_timers SET status = 'cancelled' WHERE id = $1", timer_id
        )

    async def pause(self, ex: Executor, timer_id: int, at: datetime) -> None:
        await ex.execute(
            """
            UPDATE wfm.workflow_timers
               SET status = 'paused', remaining = greatest(due_at - $2::timestamptz, interval '0'), due_at = NULL
             WHERE id = $1 AND status = 'armed'
            """,
            timer_id,
            at,
        )

    async def resume(self, ex: Executor, timer_id: int, at: datetime) -> None:
        await ex.execute(
            """
            UPDATE wfm.workflow_timers SET status = 'armed', due_at = $2::timestamptz + remaining, remaining = NULL
             WHERE id = $1 AND status = 'paused'
            """,
            timer_id,
            at,
        )

    async def take_due(self, ex: Executor, now: datetime, limit: int) -> list[Timer]:
        """Due timers, marked fired; locked rows are another worker's (SKIP LOCKED)."""
        rows = await ex.fetch(
            f"""
            UPDATE wfm.workflow_timers t SET status = 'fired', fired_at = $1
              FROM (SELECT id FROM wfm.workflow_timers
                     WHERE status = 'armed' AND due_at <= $1
                     ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED) due
             WHERE t.id = due.id
            RETURNING {", ".join("t." + c.strip() for c in _COLUMNS.split(","))}
            """,
            now,
            limit,
        )
        return [Timer(**dict(r)) for r in rows]
