"""The MongoDB adapter (pymongo's AsyncMongoClient): instance documents and the event log.

MongoDB has no row-level security: every read takes the principal and filters by tenant."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure, PyMongoError

from wfm_shared.errors import ServiceUnavailable
from wfm_shared.principal import Principal
from wfm_storage.instrumentation import MongoCommandCounter
from wfm_storage.mongo_indexes import (
    EVENTS,
    INDEX_PLAN,
    INSTANCES,
    ServerInfo,
    ensure_wire_indexes,
    server_info,
)
from wfm_storage.protocols import Document, KeyedReads

FERRETDB_INTERNAL_ERROR = 1
# Single-key reads in flight at once per batch (FerretDB): enough to keep both cores busy,
# well under the client's connection pool.
SINGLE_KEY_CONCURRENCY = 16

# FerretDB answers InternalError with its PostgreSQL driver's words when the cluster it
# stores in is down or going down: the storage is unavailable, not the request at fault.
FERRETDB_BACKEND_DOWN = (
    "failed to connect to",
    "write failed:",
    "broken pipe",
    "connection reset",
    "unexpected EOF",
    "conn closed",
    "SQLSTATE 57P",  # admin shutdown, crash shutdown, cannot connect now
    "context canceled",  # a command cut by FerretDB's own shutdown
)


def backend_unavailable(error: BaseException) -> bool:
    """Whether a MongoDB-wire error says the server (or FerretDB's PostgreSQL) is away."""
    if not isinstance(error, OperationFailure):
        return False
    message = str((error.details or {}).get("errmsg", ""))
    return error.code == FERRETDB_INTERNAL_ERROR and any(
        marker in message for marker in FERRETDB_BACKEND_DOWN
    )


def visible_to(principal: Principal, tenant_id: str) -> bool:
    """The tenant filter every read applies: market operations see all tenants, others their
    own. Reads select by one indexed key (`_id`, `workflowInstanceId`) and apply this to what
    they found, so that the one key decides the plan on every server."""
    if principal.is_market_ops:
        return True
    return principal.tenant_id is not None and tenant_id == str(principal.tenant_id)


class InQueryReads:
    """A batch as one `$in` query: what MongoDB answers from its index in one round trip."""

    reads_per_key = False

    async def find(
        self,
        collection: AsyncCollection[Mapping[str, Any]],
        field: str,
        keys: Sequence[str],
        projection: Mapping[str, Any] | None = None,
    ) -> list[Document]:
        cursor = collection.find({field: {"$in": list(keys)}}, projection)
        return await cursor.batch_size(10_000).to_list()


class SingleKeyReads:
    """A batch as concurrent single-key equality reads: FerretDB hands only top-level
    equalities to its backend's index (an `$in` reads the whole collection)."""

    reads_per_key = True

    async def find(
        self,
        collection: AsyncCollection[Mapping[str, Any]],
        field: str,
        keys: Sequence[str],
        projection: Mapping[str, Any] | None = None,
    ) -> list[Document]:
        gate = asyncio.Semaphore(SINGLE_KEY_CONCURRENCY)

        async def read(key: str) -> list[Document]:
            async with gate:
                return await collection.find({field: key}, projection).to_list()

        found = await asyncio.gather(*(read(key) for key in keys))
        return [doc for docs in found for doc in docs]


IN_QUERY_READS = InQueryReads()
SINGLE_KEY_READS = SingleKeyReads()


class MongoStore:
    """The client, the database, and how batches are read on the server it speaks to: one
    `$in` query on MongoDB; concurrent single-key equality reads on FerretDB, which hands
    only top-level equalities to its backend (an `$in` reads the whole collection)."""

    def __init__(
        self,
        client: AsyncMongoClient[Mapping[str, Any]],
        database: str,
        *,
        single_key_reads: bool | None = None,
    ) -> None:
        self.client = client
        self.db: AsyncDatabase[Mapping[str, Any]] = client[database]
        self.server: ServerInfo | None = None
        self._single_key_reads = single_key_reads  # None: chosen from the server

    @classmethod
    def connect(
        cls,
        url: str,
        database: str,
        *,
        timeout_ms: int = 5000,
        socket_timeout_ms: int = 30_000,
        single_key_reads: bool | None = None,
    ) -> MongoStore:
        client: AsyncMongoClient[Mapping[str, Any]] = AsyncMongoClient(
            url,
            tz_aware=True,
            serverSelectionTimeoutMS=timeout_ms,
            socketTimeoutMS=socket_timeout_ms,
            event_listeners=[MongoCommandCounter()],
            appname="workflow-manager",
        )
        return cls(client, database, single_key_reads=single_key_reads)

    @property
    def instances(self) -> AsyncCollection[Mapping[str, Any]]:
        return self.db[INSTANCES]

    @property
    def events(self) -> AsyncCollection[Mapping[str, Any]]:
        return self.db[EVENTS]

    @property
    def single_key_reads(self) -> bool:
        """Whether batches go out as one read per key (FerretDB) instead of one `$in`."""
        if self._single_key_reads is not None:
            return self._single_key_reads
        return self.server is not None and self.server.is_ferretdb

    async def open(self) -> None:
        """Learn which server this is and create what the wire protocol can of the index
        plan (the rest, on FerretDB, is `wfm migrate`'s: `mongo_indexes`)."""
        try:
            self.server = await server_info(self.db)
        except PyMongoError as error:
            raise ServiceUnavailable(f"cannot reach MongoDB: {error}") from error
        await ensure_wire_indexes(self.db, ferretdb=self.server.is_ferretdb, plan=INDEX_PLAN)

    @property
    def reads(self) -> KeyedReads:
        """How this server is asked for a batch of keys."""
        return SINGLE_KEY_READS if self.single_key_reads else IN_QUERY_READS

    async def find_by_keys(
        self,
        collection: AsyncCollection[Mapping[str, Any]],
        field: str,
        keys: Sequence[str],
        projection: Mapping[str, Any] | None = None,
    ) -> list[Document]:
        """Every document whose `field` is one of `keys`, each read served by an index."""
        if not keys:
            return []
        return await self.reads.find(collection, field, keys, projection)

    async def ping(self) -> None:
        await self.client.admin.command("ping")

    async def close(self) -> None:
        await self.client.close()
