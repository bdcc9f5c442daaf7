"""The MongoDB adapter (pymongo's AsyncMongoClient): instance documents and the event log.

MongoDB has no row-level security: every read takes the principal and filters by tenant."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from pymongo import ASCENDING, DESCENDING, AsyncMongoClient, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure, PyMongoError

from wfm_shared.errors import ServiceUnavailable
from wfm_shared.principal import Principal
from wfm_storage.instrumentation import MongoCommandCounter

INSTANCES = "workflow_instances"
EVENTS = "workflow_events"

INDEXES: dict[str, list[IndexModel]] = {
    INSTANCES: [
        IndexModel([("tenantId", ASCENDING), ("status", ASCENDING)], name="tenant_status"),
        IndexModel([("tenantId", ASCENDING), ("createdAt", DESCENDING)], name="tenant_created"),
    ],
    EVENTS: [
        IndexModel(
            [("workflowInstanceId", ASCENDING), ("seq", ASCENDING)],
            name="instance_seq_unique",
            unique=True,
        ),
        IndexModel([("tenantId", ASCENDING), ("occurredAt", ASCENDING)], name="tenant_occurred"),
        IndexModel(
            [("workflowInstanceId", ASCENDING), ("idempotencyKey", ASCENDING)],
            name="instance_idempotency_key",
        ),
    ],
}


T = TypeVar("T")

# A busy write waits this long in all before its error reaches the caller (FerretDB itself
# has already waited its SQLite busy timeout for each attempt).
BUSY_RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4)


def write_was_busy(error: BaseException) -> bool:
    """FerretDB's SQLite backend answers a write that could not take the database's one write
    lock within its busy timeout with InternalError "database is locked (SQLITE_BUSY)". The
    write ran in a SQLite transaction that did not commit: nothing of it is stored."""
    if not isinstance(error, OperationFailure):
        return False
    message = str((error.details or {}).get("errmsg", ""))
    return "SQLITE_BUSY" in message or "database is locked" in message


async def retry_busy_write(write: Callable[[], Awaitable[T]]) -> T:
    """Run `write` again after short pauses while the server answers that it is busy; the
    last busy answer is raised (the API answers it UNAVAILABLE)."""
    for delay in BUSY_RETRY_DELAYS:
        try:
            return await write()
        except OperationFailure as error:
            if not write_was_busy(error):
                raise
        await asyncio.sleep(delay)
    return await write()


def tenant_filter(principal: Principal) -> dict[str, Any]:
    """The filter every read adds: market operations see all tenants, others their own."""
    if principal.is_market_ops:
        return {}
    if principal.tenant_id is None:
        # A tenant role without a tenant must match nothing rather than everything.
        return {"tenantId": {"$in": []}}
    return {"tenantId": str(principal.tenant_id)}


def visible_to(principal: Principal, tenant_id: str) -> bool:
    """`tenant_filter` applied to one document already read (by `_id` alone: the one filter
    FerretDB v1 hands to its backend, which stops at the first match instead of decoding the
    whole collection; MongoDB answers it from `_id` either way)."""
    if principal.is_market_ops:
        return True
    return principal.tenant_id is not None and tenant_id == str(principal.tenant_id)


class MongoStore:
    def __init__(self, client: AsyncMongoClient[Mapping[str, Any]], database: str) -> None:
        self.client = client
        self.db: AsyncDatabase[Mapping[str, Any]] = client[database]

    @classmethod
    def connect(
        cls, url: str, database: str, *, timeout_ms: int = 5000, socket_timeout_ms: int = 30_000
    ) -> MongoStore:
        client: AsyncMongoClient[Mapping[str, Any]] = AsyncMongoClient(
            url,
            tz_aware=True,
            serverSelectionTimeoutMS=timeout_ms,
            socketTimeoutMS=socket_timeout_ms,
            event_listeners=[MongoCommandCounter()],
            appname="workflow-manager",
        )
        return cls(client, database)

    @property
    def instances(self) -> AsyncCollection[Mapping[str, Any]]:
        return self.db[INSTANCES]

    @property
    def events(self) -> AsyncCollection[Mapping[str, Any]]:
        return self.db[EVENTS]

    async def ensure_indexes(self) -> None:
        """Create the collections' missing indexes; a no-op when they exist already."""
        try:
            for name, indexes in INDEXES.items():
                # FerretDB v1 fails on createIndexes for an index that exists: ask first.
                existing = await self.db[name].index_information()
                missing = [i for i in indexes if i.document["name"] not in existing]
                if missing:
                    await self.db[name].create_indexes(missing)
        except PyMongoError as error:
            raise ServiceUnavailable(f"cannot prepare MongoDB: {error}") from error

    async def ping(self) -> None:
        await self.client.admin.command("ping")

    async def close(self) -> None:
        await self.client.close()
