"""The MongoDB index plan, in one place, for both servers the platform runs on.

On MongoDB it is the ordinary `createIndexes`. On FerretDB v1 with its PostgreSQL backend
(the embedded default) that is not enough, and this module steps outside the wire protocol:

- FerretDB sends a top-level scalar equality to PostgreSQL as `_jsonb->$1 @> $2` (the key
  is a bind parameter). The btree indexes `createIndexes` builds there, on
  `((_jsonb->'field'))`, are never used by such a read; a GIN index on the expression
  `(_jsonb->'field')` is, when PostgreSQL plans with the values (a custom plan). So for every
  field a read path filters on by equality (`EQUALITY_KEYS`), the owner's PostgreSQL
  connection to FerretDB's database creates that expression index on the collection's
  table, found in FerretDB's own metadata table (never a guessed hashed name).
- FerretDB prepares each statement once per pooled connection; a generic plan cannot use
  those indexes, so the database gets `plan_cache_mode = force_custom_plan` (connections
  opened before that keep their setting: create the indexes before FerretDB's first query,
  or restart FerretDB after `wfm migrate`).
- Indexes that only serve reads (`constraint=False`) are left out on FerretDB: its reads
  never use them and every write would pay for them. Unique indexes are created through
  the wire protocol on both servers: they are the optimistic-concurrency guard.

Everything here is idempotent."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from wfm_shared.errors import ServiceUnavailable

INSTANCES = "workflow_instances"
EVENTS = "workflow_events"
# Attachments' bytes, as a GridFS bucket (wfm_storage.file_bytes)
FILE_BUCKET = "attachments"
FILES = f"{FILE_BUCKET}.files"
FILE_CHUNKS = f"{FILE_BUCKET}.chunks"
# uploads whose row is not committed yet (ours, not GridFS's): what a crash leaves is found here
FILE_UPLOADS = f"{FILE_BUCKET}.uploads"

# FerretDB v1's PostgreSQL backend keeps, in each database's schema, one row per collection
# naming its table (`{"_id": collection, "table": name, ...}` in a `_jsonb` column).
FERRETDB_METADATA_TABLE = "_ferretdb_database_metadata"
POSTGRES_NAME_LIMIT = 63


@dataclass(frozen=True)
class PlannedIndex:
    model: IndexModel
    constraint: bool = False  # a unique index: needed on every server, reads or not

    @property
    def name(self) -> str:
        return str(self.model.document["name"])


@dataclass(frozen=True)
class CollectionPlan:
    name: str
    indexes: Sequence[PlannedIndex]
    # top-level fields that read paths filter on by equality: an expression GIN index each
    # on FerretDB (MongoDB answers them from `_id` and the indexes above)
    equality_keys: Sequence[str]


INDEX_PLAN: tuple[CollectionPlan, ...] = (
    CollectionPlan(
        INSTANCES,
        [
            PlannedIndex(
                IndexModel([("tenantId", ASCENDING), ("status", ASCENDING)], name="tenant_status")
            ),
            PlannedIndex(
                IndexModel(
                    [("tenantId", ASCENDING), ("createdAt", DESCENDING)], name="tenant_created"
                )
            ),
        ],
        equality_keys=("_id", "tenantId"),
    ),
    CollectionPlan(
        EVENTS,
        [
            PlannedIndex(
                IndexModel(
                    [("workflowInstanceId", ASCENDING), ("seq", ASCENDING)],
                    name="instance_seq_unique",
                    unique=True,
                ),
                constraint=True,
            ),
            PlannedIndex(
                IndexModel(
                    [("tenantId", ASCENDING), ("occurredAt", ASCENDING)], name="tenant_occurred"
                )
            ),
            PlannedIndex(
                IndexModel(
                    [("workflowInstanceId", ASCENDING), ("idempotencyKey", ASCENDING)],
                    name="instance_idempotency_key",
                )
            ),
        ],
        equality_keys=("_id", "workflowInstanceId"),
    ),
    # a file is read by `_id` (its files document, then each chunk: "<file id>:<n>") and
    # deleted by `files_id`; GridFS's own index serves other GridFS readers on MongoDB
    CollectionPlan(FILES, [], equality_keys=("_id",)),
    CollectionPlan(FILE_UPLOADS, [], equality_keys=("_id",)),
    CollectionPlan(
        FILE_CHUNKS,
        [
            PlannedIndex(
                IndexModel(
                    [("files_id", ASCENDING), ("n", ASCENDING)], name="files_id_1_n_1", unique=True
                )
            )
        ],
        equality_keys=("_id", "files_id"),
    ),
)


@dataclass(frozen=True)
class ServerInfo:
    """What the MongoDB-wire server says of itself (`buildInfo`)."""

    version: str
    ferretdb_version: str | None

    @property
    def is_ferretdb(self) -> bool:
        return self.ferretdb_version is not None


async def server_info(db: AsyncDatabase[Mapping[str, Any]]) -> ServerInfo:
    info = await db.client.admin.command("buildInfo")
    ferretdb = info.get("ferretdbVersion")
    return ServerInfo(version=str(info.get("version", "")), ferretdb_version=ferretdb)


class IndexPlanError(RuntimeError):
    """The index plan cannot be applied; the message says what to configure."""


def gin_index_name(table: str, field: str) -> str:
    """A name of our own, unique in the schema, within PostgreSQL's 63 characters."""
    readable = f"{table}_{field.strip('_').lower()}_wfm_gin"
    if len(readable) <= POSTGRES_NAME_LIMIT:
        return readable
    digest = hashlib.sha256(readable.encode()).hexdigest()[:8]
    return f"{readable[: POSTGRES_NAME_LIMIT - 9]}_{digest}"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


async def ensure_wire_indexes(
    db: AsyncDatabase[Mapping[str, Any]], *, ferretdb: bool, plan: Sequence[CollectionPlan]
) -> None:
    """Create the collections and their missing indexes through the wire protocol."""
    try:
        existing_collections = set(await db.list_collection_names())
        for collection in plan:
            if collection.name not in existing_collections:
                await db.create_collection(collection.name)
            wanted = [i for i in collection.indexes if i.constraint or not ferretdb]
            # FerretDB v1 fails on createIndexes for an index that exists: ask first.
            existing = await db[collection.name].index_information()
            missing = [i.model for i in wanted if i.name not in existing]
            if missing:
                await db[collection.name].create_indexes(missing)
    except PyMongoError as error:
        raise ServiceUnavailable(f"cannot prepare MongoDB: {error}") from error


async def ferretdb_tables(
    conn: asyncpg.Connection, database: str, collections: Sequence[str]
) -> dict[str, str]:
    """The PostgreSQL table of each collection, from FerretDB's metadata table."""
    exists = await conn.fetchval(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2",
        database,
        FERRETDB_METADATA_TABLE,
    )
    if not exists:
        raise IndexPlanError(
            f"FerretDB's metadata for database {database!r} is not in this PostgreSQL "
            "database: WFM_FERRETDB_POSTGRESQL_URL must name the database FerretDB stores in"
        )
    rows = await conn.fetch(
        f"SELECT _jsonb->>'_id' AS collection, _jsonb->>'table' AS table_name "  # noqa: S608 - quoted identifier
        f"FROM {_identifier(database)}.{FERRETDB_METADATA_TABLE} "
        "WHERE _jsonb->>'_id' = ANY($1::text[])",
        list(collections),
    )
    return {row["collection"]: row["table_name"] for row in rows}


async def _without_pending_list(conn: asyncpg.Connection, schema: str, index: str) -> None:
    """An index made with GIN's fast update keeps new entries in a pending list that every
    read scans until a vacuum merges it (milliseconds per read after a bulk load): turn it
    off and merge what is pending."""
    qualified = f"{_identifier(schema)}.{_identifier(index)}"
    await conn.execute(f"ALTER INDEX {qualified} SET (fastupdate = off)")
    await conn.execute("SELECT gin_clean_pending_list($1::regclass)", qualified)


async def ensure_ferretdb_indexes(
    storage_url: str, database: str, plan: Sequence[CollectionPlan]
) -> list[str]:
    """The expression GIN indexes on FerretDB's tables, and custom plans for its database;
    returns the names of the indexes created now."""
    conn = await asyncpg.connect(storage_url)
    try:
        tables = await ferretdb_tables(conn, database, [c.name for c in plan])
        created: list[str] = []
        for collection in plan:
            table = tables.get(collection.name)
            if table is None:
                raise IndexPlanError(f"FerretDB has no table for collection {collection.name!r}")
            for field in collection.equality_keys:
                name = gin_index_name(table, field)
                options = await conn.fetchrow(
                    "SELECT coalesce(c.reloptions, '{}') AS options FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = $1 AND c.relname = $2",
                    database,
                    name,
                )
                if options is not None:
                    if "fastupdate=off" not in options["options"]:
                        await _without_pending_list(conn, database, name)
                    continue
                await conn.execute(
                    f"CREATE INDEX IF NOT EXISTS {_identifier(name)} "
                    f"ON {_identifier(database)}.{_identifier(table)} "
                    f"USING gin ((_jsonb->{_literal(field)}) jsonb_path_ops) "
                    # no pending list: each insert updates the index, each read stays one lookup
                    "WITH (fastupdate = off)"
                )
                created.append(name)
        storage_database = await conn.fetchval("SELECT current_database()")
        await conn.execute(
            f"ALTER DATABASE {_identifier(storage_database)} "
            "SET plan_cache_mode = force_custom_plan"
        )
        return created
    finally:
        await conn.close()


@dataclass(frozen=True)
class AppliedPlan:
    server: ServerInfo
    created_gin_indexes: list[str]


async def apply_index_plan(
    db: AsyncDatabase[Mapping[str, Any]],
    *,
    ferretdb_storage_url: str | None,
    plan: Sequence[CollectionPlan] = INDEX_PLAN,
) -> AppliedPlan:
    """The whole plan for the server `db` lives on (what `wfm migrate` runs)."""
    server = await server_info(db)
    await ensure_wire_indexes(db, ferretdb=server.is_ferretdb, plan=plan)
    created: list[str] = []
    if server.is_ferretdb:
        if not ferretdb_storage_url:
            raise IndexPlanError(
                f"the MongoDB server is FerretDB {server.ferretdb_version}: set "
                "WFM_FERRETDB_POSTGRESQL_URL to the PostgreSQL database it stores in (an owner "
                "login), so that its reads get the expression indexes they need"
            )
        created = await ensure_ferretdb_indexes(ferretdb_storage_url, db.name, plan)
    return AppliedPlan(server, created)


async def migrate_mongo(
    url: str, database: str, *, ferretdb_storage_url: str | None, timeout_ms: int = 10_000
) -> AppliedPlan:
    """Apply the index plan to `database` on the server at `url`."""
    from pymongo import AsyncMongoClient

    client: AsyncMongoClient[Mapping[str, Any]] = AsyncMongoClient(
        url, serverSelectionTimeoutMS=timeout_ms
    )
    try:
        return await apply_index_plan(client[database], ferretdb_storage_url=ferretdb_storage_url)
    except PyMongoError as error:
        raise ServiceUnavailable(f"cannot prepare MongoDB: {error}") from error
    finally:
        await client.close()
