"""B1-B4: what the API does over HTTP, against what the storage does when asked directly.

Every figure of a scenario is paired with a baseline measured in the same run on the same
data (absolute times on these machines are noisy; ratios are not)."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
from pymongo import ASCENDING, AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from wfm_cli.bench.dataset import Archetype, clone_into
from wfm_cli.bench.measure import Answer, BenchError, Client, percentiles, timed
from wfm_devkit.step_data import step_data
from wfm_storage import jobs
from wfm_storage.documents import event_id
from wfm_storage.mongo import IN_QUERY_READS, SINGLE_KEY_READS
from wfm_storage.mongo_indexes import EVENTS, INSTANCES, server_info
from wfm_storage.postgres import Executor, init_connection
from wfm_storage.queue import JobQueue
from wfm_storage.records import Tenant
from wfm_storage.repositories.audit import AuditLog
from wfm_storage.repositories.tenants import TenantRepository

HISTORY_EVENTS = 50
AUDIT, JOBS = AuditLog(), JobQueue()

DASHBOARD = """query($first: Int!) { workflows(first: $first) {
  edges { node {
    id status currentStepId version
    tenant { id companyName marketRoles { role status } }
    template { key version name }
    state { steps { id status data } }
    events(last: 5) { edges { node { seq type occurredAt } } }
  } }
  pageInfo { hasNextPage endCursor }
} }"""

# The columns the Postgres index, tenants and templates hold: no state, no events.
POSTGRES_PAGE = """query($first: Int!) { workflows(first: $first) {
  edges { node { id status currentStepId version tenant { companyName } template { key } } }
  pageInfo { hasNextPage endCursor }
} }"""

# What waits for market operations (the submissions to decide), as a queue screen shows it.
WORK_ITEMS = """query($first: Int!) { workItems(first: $first) {
  totalCount
  edges { node {
    id kind stepId stepTitle since dueAt breached roles templateKey
    tenant { id companyName } assignee { id }
  } }
  pageInfo { hasNextPage endCursor }
} }"""

# The `workflows` list under the new filters, with its totalCount.
FILTERED_WORKFLOWS = """query($first: Int!, $step: String!) {
  workflows(first: $first, filter: {templateKey: "contract-onboarding", currentStepId: $step}) {
    totalCount
    edges { node { id status currentStepId version tenant { companyName } } }
    pageInfo { hasNextPage endCursor }
  } }"""
FILTERED_STEP = "contacts"

HISTORY = """query($id: ID!) { workflow(id: $id) { id version
  events(first: 50) { totalCount edges { node { seq type stepId occurredAt data } } }
} }"""

EXECUTE = """mutation($id: ID!, $step: String!, $data: JSON!) {
  executeStep(workflowId: $id, stepId: $step, data: $data) { id version currentStepId } }"""

STATUS = "query($id: ID!) { workflow(id: $id) { version status } }"
PAUSE = """mutation($id: ID!, $v: Int!) {
  pauseWorkflow(workflowId: $id, expectedVersion: $v, reason: "contention") { version } }"""
RESUME = """mutation($id: ID!, $v: Int!) {
  resumeWorkflow(workflowId: $id, expectedVersion: $v) { version } }"""

# The archetype an instance at this form step was cloned from, and the one it becomes.
NEXT_STAGE = {
    "company-info": ("started", "step-1"),
    "contacts": ("step-1", "step-2"),
    "balancing-perimeter": ("step-2", "step-3"),
    "financial-guarantee": ("step-3", "step-4"),
    "portfolio": ("step-4", "awaiting-validation"),
}


class Raw:
    """The storage asked directly (asyncpg + plain pymongo in-process, as the owner): the
    limit the API is measured against. It reads the best way the server allows: one `$in`
    per batch on MongoDB; on FerretDB, which hands only top-level equalities to PostgreSQL,
    concurrent single-key reads with the API's bound, and no sort on the server."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        mongo: AsyncMongoClient[Mapping[str, Any]],
        db: str,
        *,
        single_key_reads: bool,
    ) -> None:
        self.pool = pool
        self.mongo = mongo
        self.db: AsyncDatabase[Mapping[str, Any]] = mongo[db]
        self.single_key_reads = single_key_reads

    @classmethod
    async def connect(cls, database_url: str, mongodb_url: str, database: str) -> Raw:
        pool = await asyncpg.create_pool(
            database_url, min_size=2, max_size=20, init=init_connection
        )
        assert pool is not None
        mongo: AsyncMongoClient[Mapping[str, Any]] = AsyncMongoClient(mongodb_url, tz_aware=True)
        try:
            server = await server_info(mongo[database])
        except BaseException:
            await pool.close()
            await mongo.close()
            raise
        return cls(pool, mongo, database, single_key_reads=server.is_ferretdb)

    async def close(self) -> None:
        await self.pool.close()
        await self.mongo.close()

    async def by_keys(
        self, collection: str, field: str, keys: Sequence[str]
    ) -> list[dict[str, Any]]:
        """Every document whose `field` is one of `keys`, read as the platform reads them."""
        reads = SINGLE_KEY_READS if self.single_key_reads else IN_QUERY_READS
        return [dict(doc) for doc in await reads.find(self.db[collection], field, keys)]

    async def _page_rows(self, conn: Executor, first: int) -> list[asyncpg.Record]:
        rows = await conn.fetch(
            "SELECT id, tenant_id, template_id, mongo_id, status, current_step, version "
            "FROM wfm.workflow_instances_index WHERE version > 0 "
            "ORDER BY created_at DESC, id DESC LIMIT $1",
            first + 1,
        )
        return rows[:first]

    async def postgres_page(self, first: int) -> list[dict[str, Any]]:
        """A page of the columns Postgres holds: index rows, their tenants' names and their
        templates' keys."""
        async with self.pool.acquire() as conn:
            rows = await self._page_rows(conn, first)
            tenants = await conn.fetch(
                "SELECT id, company_name FROM wfm.tenants WHERE id = ANY($1::uuid[])",
                list({r["tenant_id"] for r in rows}),
            )
            templates = await conn.fetch(
                "SELECT id, key FROM wfm.workflow_templates WHERE id = ANY($1::uuid[])",
                list({r["template_id"] for r in rows}),
            )
        by_tenant = {t["id"]: t for t in tenants}
        by_template = {t["id"]: t for t in templates}
        return [
            {
                "row": r,
                "tenant": by_tenant.get(r["tenant_id"]),
                "template": by_template.get(r["template_id"]),
            }
            for r in rows
        ]

    async def dashboard(self, first: int) -> list[dict[str, Any]]:
        """The data of one dashboard page: index rows, tenants with roles, templates,
        documents and the last five events of each."""
        async with self.pool.acquire() as conn:
            rows = await self._page_rows(conn, first)
            tenant_ids = list({r["tenant_id"] for r in rows})
            tenants = await conn.fetch(
                "SELECT id, company_name FROM wfm.tenants WHERE id = ANY($1::uuid[])", tenant_ids
            )
            roles = await conn.fetch(
                "SELECT tenant_id, role, status FROM wfm.tenant_market_roles "
                "WHERE tenant_id = ANY($1::uuid[])",
                tenant_ids,
            )
            templates = await conn.fetch(
                "SELECT id, key, version, name, definition FROM wfm.workflow_templates "
                "WHERE id = ANY($1::uuid[])",
                list({r["template_id"] for r in rows}),
            )
        ids = [r["mongo_id"] for r in rows]
        # the documents hold each workflow's latest events: the page reads nothing else
        documents = {d["_id"]: d for d in await self.by_keys(INSTANCES, "_id", ids)}
        by_tenant = {t["id"]: t for t in tenants}
        by_template = {t["id"]: t for t in templates}
        return [
            {
                "row": r,
                "tenant": by_tenant.get(r["tenant_id"]),
                "roles": [x for x in roles if x["tenant_id"] == r["tenant_id"]],
                "template": by_template.get(r["template_id"]),
                "document": documents.get(r["mongo_id"]),
                "events": (documents.get(r["mongo_id"]) or {}).get("recentEvents", [])[-5:],
            }
            for r in rows
        ]

    async def work_items(self, first: int) -> dict[str, Any]:
        """A page of market operations' queue and its count, with the tenants' names and the
        templates (the steps' titles): the same index reads the API makes, as the owner."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT id, tenant_id, template_id, work_kind, work_step, waiting_since, due_at, "
                "work_roles, assignee_id FROM wfm.workflow_instances_index "
                "WHERE work_kind IS NOT NULL "
                "AND (for_market_ops OR assignee_id = $1) "
                "ORDER BY coalesce(due_at, 'infinity'::timestamptz), waiting_since, id LIMIT $2",
                uuid.uuid4(),
                first + 1,
            )
            total = await conn.fetchval(
                "SELECT count(*) FROM wfm.workflow_instances_index WHERE work_kind IS NOT NULL "
                "AND (for_market_ops OR assignee_id = $1)",
                uuid.uuid4(),
            )
            tenants = await conn.fetch(
                "SELECT id, company_name FROM wfm.tenants WHERE id = ANY($1::uuid[])",
                list({r["tenant_id"] for r in rows}),
            )
            templates = await conn.fetch(
                "SELECT id, key, definition FROM wfm.workflow_templates WHERE id = ANY($1::uuid[])",
                list({r["template_id"] for r in rows}),
            )
        return {"rows": rows[:first], "total": total, "tenants": tenants, "templates": templates}

    async def filtered_workflows(self, first: int, step: str) -> dict[str, Any]:
        """A page of the `workflows` list under a template and a step, and its count."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT id, tenant_id, status, current_step, version "
                "FROM wfm.workflow_instances_index "
                "WHERE version > 0 AND template_key = $1 AND current_step = $2 "
                "ORDER BY created_at DESC, id DESC LIMIT $3",
                "contract-onboarding",
                step,
                first + 1,
            )
            total = await conn.fetchval(
                "SELECT count(*) FROM wfm.workflow_instances_index "
                "WHERE version > 0 AND template_key = $1 AND current_step = $2",
                "contract-onboarding",
                step,
            )
            tenants = await conn.fetch(
                "SELECT id, company_name FROM wfm.tenants WHERE id = ANY($1::uuid[])",
                list({r["tenant_id"] for r in rows}),
            )
        return {"rows": rows[:first], "total": total, "tenants": tenants}

    async def history(self, instance_id: str) -> list[Mapping[str, Any]]:
        """A workflow's first 50 events: by the indexed instance key, in seq order (sorted
        here on FerretDB, which would otherwise read the whole collection to sort)."""
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(
                "SELECT mongo_id FROM wfm.workflow_instances_index WHERE id = $1",
                uuid.UUID(instance_id),
            )
        assert row is not None
        events = self.db[EVENTS]
        if not self.single_key_reads:
            cursor = events.find({"workflowInstanceId": row["mongo_id"]}).sort("seq", ASCENDING)
            return await cursor.limit(HISTORY_EVENTS).to_list()
        found = await events.find({"workflowInstanceId": row["mongo_id"]}).to_list()
        return sorted(found, key=lambda e: int(e["seq"]))[:HISTORY_EVENTS]


def _pair(api: dict[str, float], raw: dict[str, float]) -> dict[str, Any]:
    """API figures beside the raw figures of the same work, and their ratios."""
    return {
        "api": api,
        "raw": raw,
        "ratio_p50": round(api["p50_ms"] / raw["p50_ms"], 2),
        "ratio_p95": round(api["p95_ms"] / raw["p95_ms"], 2),
    }


def mongo_reads_allowed(page: int, single_key_reads: bool) -> int:
    """A page's MongoDB reads: the documents (which hold the latest events), one `$in` on
    MongoDB, one read per workflow on FerretDB."""
    return page if single_key_reads else 1


# -- B1 ---------------------------------------------------------------------------------


async def _page(client: Client, query: str, first: int) -> Answer:
    answer = await client.ok(query, {"first": first})
    edges = answer.data["workflows"]["edges"]
    if len(edges) != first:
        raise BenchError(f"the page holds {len(edges)} workflows, not {first}")
    return answer


async def dashboard_read(
    client: Client, raw: Raw, *, samples: int, first: int = 100
) -> dict[str, Any]:
    """The dashboard page, and the page of Postgres-held columns, each beside the raw reads
    of the same data; the round trips of each."""
    page = _pair(
        percentiles(await timed(lambda: client.ok(DASHBOARD, {"first": first}), samples)),
        percentiles(await timed(lambda: raw.dashboard(first), samples)),
    )
    columns = _pair(
        percentiles(await timed(lambda: client.ok(POSTGRES_PAGE, {"first": first}), samples)),
        percentiles(await timed(lambda: raw.postgres_page(first), samples)),
    )
    # counted once the pool's connections have prepared their statements
    small = await _page(client, DASHBOARD, 5)
    large = await _page(client, DASHBOARD, first)
    postgres_only = await _page(client, POSTGRES_PAGE, first)
    return {
        "page": {
            **page,
            "round_trips": {"page_5": small.round_trips, f"page_{first}": large.round_trips},
        },
        "postgres_page": {**columns, "round_trips": postgres_only.round_trips},
        "single_key_reads": raw.single_key_reads,
        "mongo_reads_allowed": {
            "page_5": mongo_reads_allowed(5, raw.single_key_reads),
            f"page_{first}": mongo_reads_allowed(first, raw.single_key_reads),
        },
    }


async def work_queue_read(
    client: Client, raw: Raw, *, samples: int, first: int = 100
) -> dict[str, Any]:
    """Market operations' work queue (a page and its totalCount) and the `workflows` list
    under the new filters (a page and its totalCount), each beside the raw reads of the same
    rows; their round trips (Postgres only: no MongoDB read)."""
    variables = {"first": first, "step": FILTERED_STEP}
    queue = _pair(
        percentiles(await timed(lambda: client.ok(WORK_ITEMS, {"first": first}), samples)),
        percentiles(await timed(lambda: raw.work_items(first), samples)),
    )
    filtered = _pair(
        percentiles(await timed(lambda: client.ok(FILTERED_WORKFLOWS, variables), samples)),
        percentiles(await timed(lambda: raw.filtered_workflows(first, FILTERED_STEP), samples)),
    )
    queue_answer = await client.ok(WORK_ITEMS, {"first": first})
    filtered_answer = await client.ok(FILTERED_WORKFLOWS, variables)
    items = queue_answer.data["workItems"]
    listed = filtered_answer.data["workflows"]
    return {
        "work_items": {
            **queue,
            "round_trips": queue_answer.round_trips,
            "page": len(items["edges"]),
            "total_count": items["totalCount"],
        },
        "filtered_workflows": {
            **filtered,
            "round_trips": filtered_answer.round_trips,
            "page": len(listed["edges"]),
            "total_count": listed["totalCount"],
        },
    }


# -- B2 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    instance_id: str
    tenant_id: uuid.UUID
    step: str
    version: int


async def form_step_candidates(
    owner: asyncpg.Connection, count: int, raw: Raw | None = None
) -> list[Candidate]:
    """`count` workflows waiting on a form step, always the same ones first. With `raw`,
    those whose log is ahead of their index row (a write a failed run left half-projected)
    are left out: the step they wait on is not the one the log says."""
    spare = count // 8 + 8 if raw is not None else 0
    rows = await owner.fetch(
        "SELECT id, tenant_id, current_step, version FROM wfm.workflow_instances_index "
        "WHERE status = 'IN_PROGRESS' AND current_step = ANY($1::text[]) "
        "ORDER BY md5(id::text) LIMIT $2",
        list(NEXT_STAGE),
        count + spare,
    )
    found = [Candidate(str(r["id"]), r["tenant_id"], r["current_step"], r["version"]) for r in rows]
    if raw is not None:
        ahead = await raw.by_keys(
            EVENTS, "_id", [event_id(c.instance_id, c.version + 1) for c in found]
        )
        behind = {e["workflowInstanceId"] for e in ahead}
        found = [c for c in found if c.instance_id not in behind]
    if len(found) < count:
        raise BenchError(
            f"only {len(found)} workflows wait on a form step, {count} needed: "
            "load the dataset again (wfm bench run --fresh)"
        )
    return found[:count]


async def form_step_pool(owner: asyncpg.Connection) -> int:
    """How many workflows wait on a form step: what later runs of B2 can still write."""
    count: int = await owner.fetchval(
        "SELECT count(*) FROM wfm.workflow_instances_index "
        "WHERE status = 'IN_PROGRESS' AND current_step = ANY($1::text[])",
        list(NEXT_STAGE),
    )
    return count


async def write_throughput(
    api_url: str,
    token: str,
    raw: Raw,
    owner: asyncpg.Connection,
    archetypes: dict[str, Archetype],
    *,
    clients: int,
    operations: int,
) -> dict[str, Any]:
    candidates = await form_step_candidates(owner, operations * 2, raw)
    through_api, direct = candidates[:operations], candidates[operations:]
    tenants: dict[uuid.UUID, Tenant] = {}
    for candidate in through_api:
        if candidate.tenant_id not in tenants:
            tenant = await TenantRepository().get(owner, candidate.tenant_id)
            assert tenant is not None
            tenants[candidate.tenant_id] = tenant

    async def api_client(share: Sequence[Candidate], http: httpx.AsyncClient) -> None:
        client = Client(http, token)
        for candidate in share:
            data = step_data(tenants[candidate.tenant_id])[candidate.step]
            await client.ok(
                EXECUTE, {"id": candidate.instance_id, "step": candidate.step, "data": data}
            )

    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=api_url, timeout=300, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(*(api_client(through_api[n::clients], http) for n in range(clients)))
        api_seconds = time.perf_counter() - started

    writes = [raw_write(c, archetypes) for c in direct]

    async def raw_client(share: Sequence[RawWrite]) -> None:
        for write in share:
            await raw.db[EVENTS].insert_one(write.event)
            await raw.db[INSTANCES].replace_one(
                {"_id": write.instance_id, "version": {"$lt": write.version}}, write.document
            )
            # the projection's writes: the index row, the audit entry, the outbox job
            async with raw.pool.acquire() as conn, conn.transaction():
                await conn.execute(
                    "UPDATE wfm.workflow_instances_index SET status = $2, current_step = $3, "
                    "version = $4, projected_version = $4, updated_at = $5 "
                    "WHERE id = $1 AND version < $4",
                    uuid.UUID(write.instance_id),
                    write.status,
                    write.current_step,
                    write.version,
                    datetime.now(UTC),
                )
                await AUDIT.append(
                    conn,
                    principal=None,
                    tenant_id=uuid.UUID(write.event["tenantId"]),
                    action=write.event["eventType"],
                    target_type="workflow",
                    target_id=write.instance_id,
                    details={"seq": write.version, "stepId": write.event.get("stepId")},
                )
                payload = {"instanceId": write.instance_id, "seq": write.version}
                await JOBS.enqueue(
                    conn,
                    jobs.DISPATCH_EVENT,
                    payload,
                    dedupe_key=jobs.event_key(write.instance_id, write.version),
                )

    started = time.perf_counter()
    await asyncio.gather(*(raw_client(writes[n::clients]) for n in range(clients)))
    raw_seconds = time.perf_counter() - started
    api_rate = operations / api_seconds
    raw_rate = operations / raw_seconds
    share = api_rate / raw_rate
    return {
        "clients": clients,
        "operations": operations,
        "api_ops_per_s": round(api_rate, 2),
        "raw_ops_per_s": round(raw_rate, 2),
        "share_of_raw": round(share, 3),
    }


@dataclass(frozen=True)
class RawWrite:
    instance_id: str
    version: int
    status: str
    current_step: str | None
    event: dict[str, Any]
    document: dict[str, Any]


def raw_write(candidate: Candidate, archetypes: dict[str, Archetype]) -> RawWrite:
    """The event, document and index values the API would write for this step: the next
    archetype's, under this instance's ids."""
    _, after = NEXT_STAGE[candidate.step]
    target = archetypes[after]
    copy = clone_into(target, candidate.instance_id, str(candidate.tenant_id), datetime.now(UTC))
    row = copy.index_row
    return RawWrite(
        candidate.instance_id,
        row["version"],
        row["status"],
        row["current_step"],
        copy.events[-1],
        copy.document,
    )


# -- B3 ---------------------------------------------------------------------------------


async def history_read(
    client: Client, raw: Raw, owner: asyncpg.Connection, *, samples: int
) -> dict[str, Any]:
    """One workflow's history (its first 50 events), on the workflows with the most events."""
    rows = await owner.fetch(
        "SELECT id, version FROM wfm.workflow_instances_index WHERE version > 0 "
        "ORDER BY version DESC, md5(id::text) LIMIT $1",
        samples + 2,  # and two to warm up
    )
    ids = [str(r["id"]) for r in rows]
    rng = random.Random(3)  # noqa: S311 - a repeatable order, not a secret
    rng.shuffle(ids)
    answer = await client.ok(HISTORY, {"id": ids[0]})
    queue = iter(ids)
    taken = await timed(lambda: client.ok(HISTORY, {"id": next(queue)}), samples)
    queue = iter(ids)
    direct = await timed(lambda: raw.history(next(queue)), samples)
    # a workflow's version is the length of its log
    sizes = [min(int(r["version"]), HISTORY_EVENTS) for r in rows]
    return {
        **_pair(percentiles(taken), percentiles(direct)),
        "round_trips": answer.round_trips,
        "events_per_history": {
            "min": min(sizes),
            "max": max(sizes),
            "mean": round(statistics.fmean(sizes), 1),
            "workflows": len(sizes),
        },
    }


async def list_read(client: Client, raw: Raw, *, samples: int, first: int = 100) -> dict[str, Any]:
    """The B1 dashboard page."""
    answer = await _page(client, DASHBOARD, first)
    taken = await timed(lambda: client.ok(DASHBOARD, {"first": first}), samples)
    direct = await timed(lambda: raw.dashboard(first), samples)
    return {**_pair(percentiles(taken), percentiles(direct)), "round_trips": answer.round_trips}


# -- B4 ---------------------------------------------------------------------------------


async def contention(
    api_url: str, token: str, raw: Raw, instance_id: str, *, clients: int, attempts: int
) -> dict[str, Any]:
    """`clients` clients pause and resume one workflow, each change sent with the version
    the client last read: every acknowledged change must be in the log exactly once."""
    before = len(await _seqs(raw, instance_id))
    outcomes: Counter[str] = Counter()
    acknowledged: list[int] = []

    async def one_client(http: httpx.AsyncClient) -> None:
        client = Client(http, token)
        for _ in range(attempts):
            seen = (await client.ok(STATUS, {"id": instance_id})).data["workflow"]
            change = PAUSE if seen["status"] == "IN_PROGRESS" else RESUME
            answer = await client.call(change, {"id": instance_id, "v": seen["version"]})
            if answer.errors:
                outcomes[answer.errors[0].get("extensions", {}).get("code", "?")] += 1
            else:
                outcomes["OK"] += 1
                acknowledged.append(next(iter(answer.data.values()))["version"])

    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=api_url, timeout=300, limits=limits) as http:
        await asyncio.gather(*(one_client(http) for _ in range(clients)))
    seqs = await _seqs(raw, instance_id)
    added = len(seqs) - before
    total = sum(outcomes.values())
    lost = len(acknowledged) - len(set(acknowledged) & set(seqs))
    contiguous = seqs == list(range(1, len(seqs) + 1))
    return {
        "clients": clients,
        "attempts": total,
        "acknowledged": outcomes["OK"],
        "outcomes": dict(outcomes),
        "events_added": added,
        "lost_updates": lost,
        "duplicate_versions": len(acknowledged) - len(set(acknowledged)),
        "seqs_contiguous": contiguous,
        "conflict_rate": round(outcomes["CONFLICT"] / total, 3) if total else 0.0,
        "met": lost == 0 and contiguous and added == outcomes["OK"],
    }


async def _seqs(raw: Raw, instance_id: str) -> list[int]:
    """The seqs of a workflow's log in order (sorted here: no sort reaches the server)."""
    found = await raw.db[EVENTS].find({"workflowInstanceId": instance_id}, {"seq": 1}).to_list()
    return sorted(int(e["seq"]) for e in found)
