"""The job queue: pgqueuer's tables in the schema `wfm_queue`, installed and upgraded by
`wfm migrate`. Jobs are enqueued on the caller's connection, so inside the transaction that
advances the instance index (a transactional outbox); a dedupe key makes a job that is
already queued or running not be queued twice."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import asyncpg
from pgqueuer.adapters.drivers.asyncpg import AsyncpgDriver
from pgqueuer.adapters.persistence.qb import (
    QueryBuilderEnvironment,
    QueryQueueBuilder,
    QuerySchedulerBuilder,
)
from pgqueuer.adapters.persistence.queries import Queries
from pgqueuer.domain.settings import DBSettings

from wfm_storage.postgres import Executor

QUEUE_SCHEMA = "wfm_queue"


def queue_settings() -> DBSettings:
    return DBSettings(db_schema=QUEUE_SCHEMA)


def queue_queries(conn: asyncpg.Connection) -> Queries:
    settings = queue_settings()
    return Queries(
        AsyncpgDriver(conn),
        qbe=QueryBuilderEnvironment(settings),
        qbq=QueryQueueBuilder(settings),
        qbs=QuerySchedulerBuilder(settings),
    )


async def install_queue(conn: asyncpg.Connection, app_role: str) -> None:
    """Create or upgrade the queue's tables (as the owner) and let the app role use them."""
    queries = queue_queries(conn)
    if await queries.schema_is_installed():
        await queries.upgrade()
    else:
        await queries.install()
    await conn.execute(
        f"""
        GRANT USAGE ON SCHEMA {QUEUE_SCHEMA} TO {app_role};
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {QUEUE_SCHEMA} TO {app_role};
        GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {QUEUE_SCHEMA} TO {app_role};
        GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {QUEUE_SCHEMA} TO {app_role};
        """
    )


class JobQueue:
    """Enqueues on the connection it is given: the job commits or rolls back with the caller.

    It runs pgqueuer's own enqueue statement, with the headers as objects: our connections
    encode jsonb themselves, where pgqueuer's driver would send pre-encoded text."""

    def __init__(self) -> None:
        self._sql = QueryQueueBuilder(queue_settings()).build_enqueue_query("skip")

    async def enqueue(
        self,
        ex: Executor,
        entrypoint: str,
        payload: dict[str, Any],
        *,
        dedupe_key: str | None = None,
        delay: timedelta | None = None,
        priority: int = 0,
    ) -> int | None:
        """The job's id, or None when a job with this dedupe key is queued or running."""
        rows = await ex.fetch(
            self._sql,
            [priority],
            [entrypoint],
            [json.dumps(payload).encode()],
            [delay or timedelta(0)],
            [dedupe_key],
            [{}],
        )
        return int(rows[0]["id"]) if rows and rows[0]["id"] is not None else None

    async def pending(self, ex: Executor, entrypoint: str, dedupe_prefix: str) -> bool:
        """Whether a job of `entrypoint` whose dedupe key starts with `dedupe_prefix` is
        queued or running."""
        found = await ex.fetchval(
            "SELECT EXISTS (SELECT 1 FROM wfm_queue.pgqueuer "
            "WHERE entrypoint = $1 AND status IN ('queued', 'picked') "
            "AND starts_with(dedupe_key, $2))",
            entrypoint,
            dedupe_prefix,
        )
        return bool(found)


async def queue_depth(conn: asyncpg.Connection) -> dict[str, int]:
    """Jobs by status (queued, picked, failed)."""
    rows = await conn.fetch(
        "SELECT status::text AS status, count(*) AS n FROM wfm_queue.pgqueuer GROUP BY status"
    )
    return {row["status"]: int(row["n"]) for row in rows}


async def queue_lag_seconds(conn: asyncpg.Connection) -> float:
    """How long the oldest job that is due has been waiting to be picked."""
    lag = await conn.fetchval(
        "SELECT coalesce(extract(epoch FROM now() - min(execute_after)), 0) FROM wfm_queue.pgqueuer "
        "WHERE status = 'queued' AND execute_after <= now()"
    )
    return float(lag or 0)
