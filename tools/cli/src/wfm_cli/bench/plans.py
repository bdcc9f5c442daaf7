"""Query plans of what the benchmarks' requests run, and the full scans among them.

PostgreSQL: the repositories' own SQL, explained as `wfm_app` under RLS. MongoDB-wire
reads: the filters the repositories issue on the server at hand (single-key equalities on
FerretDB, `$in` on MongoDB), explained with the `explain` command. FerretDB answers with
its PostgreSQL backend's plan (`queryPlanner.Plan`), MongoDB with its plan's stages.

A sequential scan (MongoDB: COLLSCAN) of a table of more than LARGE_TABLE_ROWS rows is a
full scan, and fails the scenario whose plans show it; tiny tables (tenants, templates)
may be scanned.

The work queue (`workItems`: a page and its totalCount, as market operations, a supervisor
and a tenant see it, and its filters) and the `workflows` filters are explained too, with
values the dataset holds. A count is explained where its filter leaves a part of the
workflows: counting (nearly) all of them reads them all, whatever the index.

An attachment's paths (B6): the `wfm.files` row an upload inserts (rolled back) and a
download reads, the files document and a chunk read by `_id`."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from wfm_bootstrap import bootstrap
from wfm_shared.principal import Principal
from wfm_shared.settings import Settings
from wfm_storage.bootstrap import Storage
from wfm_storage.documents import document_to_event, document_to_state, event_id
from wfm_storage.file_bytes import chunk_id
from wfm_storage.mongo_indexes import EVENTS, FILE_CHUNKS, FILES, INSTANCES
from wfm_storage.repositories.files import NewFile
from wfm_storage.repositories.instance_index import InstanceFilter
from wfm_workflows.projections import Projector
from wfm_workflows.work_queue import WorkItemFilter, WorkQueueService

# The template of every workflow of the datasets (wfm_cli.bench.dataset.TEMPLATE_KEY).
TEMPLATE_KEY = "contract-onboarding"
# Tables estimated at more rows than this must not be read by a sequential scan.
LARGE_TABLE_ROWS = 10_000
PAGE = 100
MONGO_INDEX_STAGES = {"IXSCAN", "IDHACK", "EXPRESS_IXSCAN", "EXPRESS_IDHACK"}
EXPLAINABLE = ("SELECT", "WITH", "INSERT", "UPDATE", "DELETE")

Plan = dict[str, Any]  # one explained statement or read: {"server", "path", "nodes", ...}
Read = tuple[str, Mapping[str, Any]]  # (collection, filter)


class TableSizes:
    """Estimated rows of PostgreSQL tables (`pg_class.reltuples`; counted when the table
    was never analyzed), asked on an owner's connection to the database the plans are of."""

    def __init__(self, conn: asyncpg.Connection | None, default_schema: str) -> None:
        self._conn = conn
        self._default_schema = default_schema
        self._known: dict[tuple[str, str], int] = {}

    async def rows(self, schema: str | None, table: str, planned: float) -> int:
        """`planned`: the plan's own estimate, used when there is no connection to ask."""
        key = (schema or self._default_schema, table)
        if self._conn is None:
            return int(planned)
        if key not in self._known:
            estimate = await self._conn.fetchval(
                "SELECT c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = $1 AND c.relname = $2",
                *key,
            )
            if estimate is None or estimate < 0:  # never analyzed
                quoted = ".".join('"' + part.replace('"', '""') + '"' for part in key)
                estimate = await self._conn.fetchval(f"SELECT count(*) FROM {quoted}")  # noqa: S608 - quoted identifiers
            self._known[key] = int(estimate or 0)
        return self._known[key]


def _walk(plan: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _walk(child)


async def _postgres_plan(
    server: str, path: str, plan: Mapping[str, Any], sizes: TableSizes
) -> Plan:
    """The nodes of a PostgreSQL plan, and its sequential scans with their tables' sizes."""
    nodes: set[str] = set()
    scans = []
    for node in _walk(plan):
        name = str(node["Node Type"])
        nodes.add(f"{name} using {node['Index Name']}" if "Index Name" in node else name)
        if name == "Seq Scan":
            relation = str(node.get("Relation Name", "?"))
            rows = await sizes.rows(node.get("Schema"), relation, float(node.get("Plan Rows", 0)))
            scans.append({"relation": relation, "rows": rows, "large": rows > LARGE_TABLE_ROWS})
    return {
        "server": server,
        "path": path,
        "nodes": sorted(nodes),
        "seq_scans": scans,
        "uses_index": any("Index" in n for n in nodes),
    }


def full_scans(plans: Sequence[Plan]) -> list[str]:
    """Each full scan of a large table, as a reason a scenario is not met."""
    found = []
    for plan in plans:
        for scan in plan.get("seq_scans", []):
            if scan["large"]:
                found.append(
                    f"{plan['server']}: {scan['relation']} ({scan['rows']:,} rows) read by a "
                    f"sequential scan for {plan['path']}"
                )
    return found


class Explaining:
    """An executor that explains each statement before running it (`EXPLAIN` without
    ANALYZE: explaining executes nothing)."""

    def __init__(self, conn: Any, sizes: TableSizes) -> None:
        self._conn = conn
        self._sizes = sizes
        self.plans: list[Plan] = []

    async def _explain(self, sql: str, args: tuple[Any, ...]) -> None:
        if not sql.lstrip().upper().startswith(EXPLAINABLE):
            return
        raw = await self._conn.fetchval(f"EXPLAIN (FORMAT JSON, VERBOSE) {sql}", *args)
        plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
        path = " ".join(sql.split())[:160]
        self.plans.append(await _postgres_plan("postgres", path, plan, self._sizes))

    async def fetch(self, sql: str, *args: Any) -> Any:
        await self._explain(sql, args)
        return await self._conn.fetch(sql, *args)

    async def fetchrow(self, sql: str, *args: Any) -> Any:
        await self._explain(sql, args)
        return await self._conn.fetchrow(sql, *args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        await self._explain(sql, args)
        return await self._conn.fetchval(sql, *args)

    async def execute(self, sql: str, *args: Any) -> Any:
        await self._explain(sql, args)
        return await self._conn.execute(sql, *args)


class _RolledBack(Exception):
    """Raised inside a transaction to end it without committing."""


# -- the MongoDB reads of each path, as the repositories issue them -----------------------------


def page_reads(mongo_ids: Sequence[str], single_key: bool) -> dict[str, Read]:
    """A page's documents, which hold each workflow's latest events: one read per workflow
    on FerretDB (each is explained by the first), one `$in` on MongoDB."""
    if single_key:
        return {"state of a page's workflow: {_id}": (INSTANCES, {"_id": mongo_ids[0]})}
    return {"states of a page: {_id: $in}": (INSTANCES, {"_id": {"$in": list(mongo_ids)}})}


def history_reads(mongo_id: str, single_key: bool) -> dict[str, Read]:
    if single_key:
        return {"one history: {workflowInstanceId}": (EVENTS, {"workflowInstanceId": mongo_id})}
    return {
        "one history: {workflowInstanceId: $in}": (
            EVENTS,
            {"workflowInstanceId": {"$in": [mongo_id]}},
        )
    }


def command_reads(mongo_id: str, version: int, single_key: bool) -> dict[str, Read]:
    """What a command on a workflow at `version` reads, and the filter of its guarded
    document replace."""
    return {
        "the document: {_id}": (INSTANCES, {"_id": mongo_id}),
        "the catch-up probe: {_id: <instance>:<seq>}": (
            EVENTS,
            {"_id": event_id(mongo_id, version + 1)},
        ),
        "an idempotency key: {workflowInstanceId, idempotencyKey}": (
            EVENTS,
            {"workflowInstanceId": mongo_id, "idempotencyKey": "bench-key"},
        ),
        "the guarded replace: {_id, version: {$lt}}": (
            INSTANCES,
            {"_id": mongo_id, "version": {"$lt": version + 1}},
        ),
        **{
            name.replace("one history", "the log behind a lagging document"): read
            for name, read in history_reads(mongo_id, single_key).items()
        },
    }


def file_reads(file_id: uuid.UUID) -> dict[str, Read]:
    """What a download reads in MongoDB: the files document, then each chunk by its `_id`
    (the first explains them all)."""
    return {
        "a file's files document: {_id}": (FILES, {"_id": str(file_id)}),
        "a chunk of a file: {_id: <file id>:<n>}": (FILE_CHUNKS, {"_id": chunk_id(file_id, 0)}),
    }


# -- the explainer ------------------------------------------------------------------------------


@dataclass
class Explainer:
    storage: Storage
    projector: Projector
    work_queue: WorkQueueService
    postgres_sizes: TableSizes
    mongo_sizes: TableSizes | None  # FerretDB's tables; None on MongoDB

    @property
    def single_key(self) -> bool:
        return self.storage.mongo.single_key_reads

    async def page(self, principal: Principal) -> tuple[list[Plan], list[str]]:
        """The statements of a dashboard page (the Postgres-only page runs a subset of
        them), and the MongoDB ids of its workflows."""
        storage = self.storage
        async with storage.db.transaction(principal) as conn:
            explaining = Explaining(conn, self.postgres_sizes)
            page = await storage.index.page(explaining, InstanceFilter(), first=PAGE, after=None)
            rows = page.rows
            tenant_ids = list({r.tenant_id for r in rows}) or [uuid.uuid4()]
            await storage.tenants.by_ids(explaining, tenant_ids)
            await storage.tenants.market_roles(explaining, tenant_ids)
            await storage.templates.by_ids(
                explaining, list({r.template_id for r in rows}) or [uuid.uuid4()]
            )
        return explaining.plans, [r.mongo_id for r in rows]

    async def work_items(self, ops: Principal, admin: Principal) -> list[Plan]:
        """`workItems` pages and their totalCount: market operations' queue, with its
        filters; a supervisor's view of every role's work; a tenant administrator's."""
        now = datetime.now(UTC)
        asked = [
            (ops, WorkItemFilter(), True),
            (ops, WorkItemFilter(assigned_to_me=True), True),
            (ops, WorkItemFilter(overdue=True), True),
            (ops, WorkItemFilter(kind="SUBMISSION", template_key=TEMPLATE_KEY), False),
            (ops, WorkItemFilter(any_role=True, step_id="contacts"), True),
            (ops, WorkItemFilter(any_role=True), False),
            (admin, WorkItemFilter(), True),
            (admin, WorkItemFilter(any_role=True, unassigned=True), True),
        ]
        async with self.storage.db.transaction(ops) as conn:
            explaining = Explaining(conn, self.postgres_sizes)
            for principal, where, counted in asked:
                query = self.work_queue.query_for(principal, where, now)
                await self.storage.index.work_page(explaining, query, first=PAGE, after=None)
                if counted:
                    await self.storage.index.work_count(explaining, query)
        return explaining.plans

    async def workflow_filters(self, principal: Principal, tenant_name: str) -> list[Plan]:
        """`workflows` pages under each new filter, and the totalCount of those that leave a
        part of the workflows (`tenant_name`: a part of a tenant's name)."""
        now = datetime.now(UTC)
        month = timedelta(days=30)
        asked = [
            (InstanceFilter(template_key=TEMPLATE_KEY), False),  # every workflow's template
            (InstanceFilter(template_key="portfolio-management"), True),
            (InstanceFilter(current_step="contacts"), True),
            (InstanceFilter(template_key=TEMPLATE_KEY, current_step="contacts"), True),
            (InstanceFilter(assignee_id=uuid.uuid4()), True),
            (InstanceFilter(created_from=now - 3 * month, created_to=now - 2 * month), True),
            (InstanceFilter(updated_from=now - 3 * month, updated_to=now - 2 * month), True),
            (InstanceFilter(overdue=True, now=now), True),
            (InstanceFilter(tenant_name=tenant_name), True),
        ]
        async with self.storage.db.transaction(principal) as conn:
            explaining = Explaining(conn, self.postgres_sizes)
            for where, counted in asked:
                await self.storage.index.page(explaining, where, first=PAGE, after=None)
                if counted:
                    await self.storage.index.count(explaining, where)
        return explaining.plans

    async def history(self, principal: Principal, instance_id: uuid.UUID) -> list[Plan]:
        async with self.storage.db.transaction(principal) as conn:
            explaining = Explaining(conn, self.postgres_sizes)
            await self.storage.index.by_ids(explaining, [instance_id])
        return explaining.plans

    async def command(
        self,
        principal: Principal,
        instance_id: uuid.UUID,
        document: Mapping[str, Any],
        event: Mapping[str, Any],
    ) -> list[Plan]:
        """The statements of the command path on this workflow: loading it, then projecting
        `event` (which brings it to `document`) in a transaction that is rolled back."""
        storage = self.storage
        plans: list[Plan] = []
        try:
            async with storage.db.transaction(principal) as conn:
                explaining = Explaining(conn, self.postgres_sizes)
                plans = explaining.plans
                row = await storage.index.get(explaining, instance_id)
                if row is None:
                    raise LookupError(f"workflow {instance_id} is not in the index")
                record = (await storage.templates.by_ids(explaining, [row.template_id]))[
                    row.template_id
                ]
                await storage.tenants.get(explaining, row.tenant_id)
                await self.projector.project(
                    explaining,
                    principal,
                    document_to_state(document),
                    [document_to_event(event)],
                    record.template,
                )
                raise _RolledBack
        except _RolledBack:
            pass
        return plans

    async def file_row(self, principal: Principal, new: NewFile) -> list[Plan]:
        """The `wfm.files` statements of an attachment: the row an upload of `new` inserts
        (in a transaction that is rolled back), and the row a download reads."""
        plans: list[Plan] = []
        try:
            async with self.storage.db.transaction(principal) as conn:
                explaining = Explaining(conn, self.postgres_sizes)
                plans = explaining.plans
                if await self.storage.files.add(explaining, new) is None:
                    raise LookupError(f"workflow {new.workflow_id} takes no file")
                await self.storage.files.get(explaining, new.id)
                raise _RolledBack
        except _RolledBack:
            pass
        return plans

    async def reads(self, reads: Mapping[str, Read]) -> list[Plan]:
        found = []
        for path, (collection, query) in reads.items():
            explained = await self.storage.mongo.db.command(
                {"explain": {"find": collection, "filter": query}, "verbosity": "queryPlanner"}
            )
            found.append(await self._read_plan(path, collection, explained))
        return found

    async def _read_plan(self, path: str, collection: str, explained: Mapping[str, Any]) -> Plan:
        planner = explained.get("queryPlanner", {})
        backend = planner.get("Plan") if isinstance(planner, Mapping) else None
        if isinstance(backend, Mapping) and "Node Type" in backend:  # FerretDB on PostgreSQL
            assert self.mongo_sizes is not None
            plan = await _postgres_plan("ferretdb", path, backend, self.mongo_sizes)
            plan["filter_pushdown"] = explained.get("filterPushdown")
            return plan
        stages = sorted(set(_stages(planner)))
        scans = []
        if "COLLSCAN" in stages:
            rows = await self.storage.mongo.db[collection].estimated_document_count()
            scans.append({"relation": collection, "rows": rows, "large": rows > LARGE_TABLE_ROWS})
        return {
            "server": "mongodb",
            "path": path,
            "nodes": stages,
            "seq_scans": scans,
            "uses_index": bool(MONGO_INDEX_STAGES & set(stages)),
        }


def _stages(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        stage = value.get("stage")
        if isinstance(stage, str):
            yield stage
        for inner in value.values():
            yield from _stages(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _stages(inner)


@asynccontextmanager
async def explainer(settings: Settings) -> AsyncIterator[Explainer]:
    """The storage of `settings`, with owner connections to read the sizes of the tables
    its plans scan (the platform's database, and FerretDB's when it stores in PostgreSQL)."""
    assert settings.database_url
    services = await bootstrap(settings)
    storage = services.storage
    owner = ferretdb = None
    try:
        owner = await asyncpg.connect(settings.database_url)
        if storage.mongo.single_key_reads and settings.ferretdb_postgresql_url:
            ferretdb = await asyncpg.connect(settings.ferretdb_postgresql_url)
        yield Explainer(
            storage,
            services.projector,
            services.work_queue,
            TableSizes(owner, "wfm"),
            TableSizes(ferretdb, settings.mongodb_database)
            if storage.mongo.single_key_reads
            else None,
        )
    finally:
        for conn in (owner, ferretdb):
            if conn is not None:
                await conn.close()
        await services.close()
