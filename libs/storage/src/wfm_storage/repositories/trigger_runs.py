"""The log of every run of every trigger (Postgres, `wfm.trigger_runs`, migration 0019): what
fired it, the workflow it started or why it started none, under which correlation id."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import asyncpg

from wfm_storage.paging import Arguments, Key, Listing, decode_cursor, encode_cursor
from wfm_storage.postgres import Executor

RunOutcome = Literal["started", "skipped", "failed", "duplicate"]
# what a reason may take up in the log (a longer one is cut)
MAX_REASON_LENGTH = 1000

_COLUMNS = (
    "id, trigger_id, tenant_id, kind, outcome, workflow_id, reason, correlation_id, webhook_id, "
    "fire_key, at"
)


@dataclass(frozen=True)
class TriggerRun:
    id: uuid.UUID
    trigger_id: uuid.UUID
    tenant_id: uuid.UUID
    kind: str  # the trigger's: schedule, event, manual, webhook
    outcome: RunOutcome
    workflow_id: uuid.UUID | None  # the workflow it started
    reason: str | None  # why it was skipped or failed, or which run a duplicate repeats
    correlation_id: str | None
    webhook_id: str | None
    fire_key: str | None
    at: datetime


@dataclass(frozen=True)
class RunCursor:
    """Keyset position in the newest-first order: opaque to clients."""

    at: datetime
    id: uuid.UUID

    def encode(self) -> str:
        return encode_cursor(f"run|{self.at.isoformat()}|{self.id}")

    @classmethod
    def decode(cls, value: str) -> RunCursor:
        def parse(position: str) -> RunCursor:
            kind, at, ident = position.split("|")
            if kind != "run":
                raise ValueError(kind)
            return cls(datetime.fromisoformat(at), uuid.UUID(ident))

        return decode_cursor(value, parse)

    @classmethod
    def of(cls, run: TriggerRun) -> RunCursor:
        return cls(run.at, run.id)


@dataclass(frozen=True)
class RunPage:
    runs: list[TriggerRun]
    has_next: bool
    total_count: int


def _run(row: asyncpg.Record) -> TriggerRun:
    return TriggerRun(**dict(row))


# newest first, the order of trigger_runs_page_idx
_NEWEST_FIRST = Listing("wfm.trigger_runs", _COLUMNS, (Key("at"), Key("id")), _run, descending=True)


class TriggerRunRepository:
    async def record(
        self,
        ex: Executor,
        *,
        trigger_id: uuid.UUID,
        tenant_id: uuid.UUID,
        kind: str,
        outcome: RunOutcome,
        at: datetime,
        workflow_id: uuid.UUID | None = None,
        reason: str | None = None,
        correlation_id: str | None = None,
        webhook_id: str | None = None,
        fire_key: str | None = None,
    ) -> TriggerRun | None:
        """The run, or None when its firing (`fire_key`) or its webhook-id is already a
        run's: a retry, a second worker or a replay, which the caller answers with the first."""
        row = await ex.fetchrow(
            f"""
            INSERT INTO wfm.trigger_runs
                   (id, trigger_id, tenant_id, kind, outcome, workflow_id, reason,
                    correlation_id, webhook_id, fire_key, at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            ON CONFLICT DO NOTHING RETURNING {_COLUMNS}
            """,
            uuid.uuid4(),
            trigger_id,
            tenant_id,
            kind,
            outcome,
            workflow_id,
            reason[:MAX_REASON_LENGTH] if reason else None,
            correlation_id,
            webhook_id,
            fire_key,
            at,
        )
        return _run(row) if row else None

    async def first_of_webhook(
        self, ex: Executor, trigger_id: uuid.UUID, webhook_id: str
    ) -> TriggerRun | None:
        """The run that took this webhook-id first (started or skipped a workflow)."""
        row = await ex.fetchrow(
            f"SELECT {_COLUMNS} FROM wfm.trigger_runs WHERE trigger_id = $1 AND webhook_id = $2 "
            "AND outcome IN ('started', 'skipped')",
            trigger_id,
            webhook_id,
        )
        return _run(row) if row else None

    async def of_firing(
        self, ex: Executor, trigger_id: uuid.UUID, fire_key: str
    ) -> TriggerRun | None:
        row = await ex.fetchrow(
            f"SELECT {_COLUMNS} FROM wfm.trigger_runs WHERE trigger_id = $1 AND fire_key = $2",
            trigger_id,
            fire_key,
        )
        return _run(row) if row else None

    async def page(
        self, ex: Executor, trigger_id: uuid.UUID, *, first: int, after: RunCursor | None
    ) -> RunPage:
        """One trigger's runs newest first, `first` after the cursor, and how many in all."""
        arg = Arguments()
        conditions = [f"trigger_id = {arg(trigger_id)}"]
        runs, has_next, total = await _NEWEST_FIRST.counted_page(
            ex,
            conditions,
            arg,
            first=first,
            after=None if after is None else (after.at, after.id),
        )
        return RunPage(runs, has_next, total)
