"""Jobs of the queue, as market operations inspect them: what waits, what failed and why
(pgqueuer's tables in the schema `wfm_queue`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
from pgqueuer.domain.types import JobId

from wfm_storage.postgres import Executor
from wfm_storage.queue import queue_queries

# pgqueuer's statuses; a job that gave up is held as `failed` (the dead letter).
JOB_STATUSES = ("queued", "picked", "successful", "exception", "canceled", "deleted", "failed")

_JOB_COLUMNS = """
    j.id, j.entrypoint, j.status::text AS status, j.attempts, j.priority, j.dedupe_key,
    j.created, j.updated, j.execute_after, j.payload, e.traceback
"""
# The newest logged failure of each job (pgqueuer logs a traceback with it).
_LAST_FAILURE = """
    LEFT JOIN LATERAL (
        SELECT l.traceback FROM wfm_queue.pgqueuer_log l
         WHERE l.job_id = j.id AND l.traceback IS NOT NULL
         ORDER BY l.created DESC, l.id DESC LIMIT 1
    ) e ON true
"""
_JOBS = (
    "SELECT"
    + _JOB_COLUMNS
    + "FROM wfm_queue.pgqueuer j"
    + _LAST_FAILURE
    + "WHERE ($1::text IS NULL OR j.status::text = $1) AND ($2::text IS NULL OR j.entrypoint = $2) "
    "ORDER BY j.id DESC LIMIT $3"
)
_JOB = "SELECT" + _JOB_COLUMNS + "FROM wfm_queue.pgqueuer j" + _LAST_FAILURE + "WHERE j.id = $1"


@dataclass(frozen=True)
class QueuedJob:
    id: int
    entrypoint: str
    status: str
    attempts: int
    priority: int
    dedupe_key: str | None
    created: datetime
    updated: datetime
    execute_after: datetime
    payload: Any
    last_error: str | None  # "ExceptionType: message" of the newest logged failure

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> QueuedJob:
        values = dict(row)
        return cls(
            **{k: v for k, v in values.items() if k not in ("payload", "traceback")},
            payload=_decode_payload(values["payload"]),
            last_error=_failure(values["traceback"]),
        )


def _decode_payload(raw: bytes | None) -> Any:
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return bytes(raw).decode("utf-8", "replace")


def _failure(traceback: Any) -> str | None:
    """pgqueuer's TracebackRecord, stored as a jsonb object (or, by some drivers, as text)."""
    if isinstance(traceback, str):
        try:
            traceback = json.loads(traceback)
        except ValueError:
            return str(traceback)
    if not isinstance(traceback, Mapping):
        return None
    kind = traceback.get("exception_type") or "Error"
    message = traceback.get("exception_message") or ""
    return f"{kind}: {message}" if message else str(kind)


async def matching(
    ex: Executor, *, status: str | None, entrypoint: str | None, limit: int
) -> list[QueuedJob]:
    rows = await ex.fetch(_JOBS, status, entrypoint, limit)
    return [QueuedJob.from_row(r) for r in rows]


async def get(ex: Executor, job_id: int) -> QueuedJob | None:
    row = await ex.fetchrow(_JOB, job_id)
    return QueuedJob.from_row(row) if row else None


async def lock_status(ex: Executor, job_id: int) -> str | None:
    status: str | None = await ex.fetchval(
        "SELECT status::text FROM wfm_queue.pgqueuer WHERE id = $1 FOR UPDATE", job_id
    )
    return status


async def requeue(conn: asyncpg.Connection, job_id: int) -> None:
    """A held failed job back to queued, with a fresh attempt budget (pgqueuer's own query)."""
    await queue_queries(conn).requeue_jobs([JobId(job_id)])


async def times_retried(ex: Executor, job_id: int) -> int:
    """How often market operations queued the job again (each audited as JOB_RETRIED)."""
    count: int = await ex.fetchval(
        "SELECT count(*) FROM wfm.audit_log "
        "WHERE target_type = 'job' AND target_id = $1 AND action = 'JOB_RETRIED'",
        str(job_id),
    )
    return count
