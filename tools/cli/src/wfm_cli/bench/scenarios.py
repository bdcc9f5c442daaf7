"""B1-B4: what the API does over HTTP, against what the storage does when asked directly.

Every figure of a scenario is paired with a baseline measured in the same run on the same
data (absolute times on these machines are noisy; ratios are not)."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
from pymongo import ASCENDING, AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from wfm_cli.bench.dataset import Archetype, clone_into
from wfm_cli.bench.measure import BenchError, Client, percentiles, timed
from wfm_storage.mongo import EVENTS, INSTANCES
from wfm_storage.records import Tenant
from wfm_storage.repositories.tenants import TenantRepository
from wfm_testing.onboarding import step_data

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
    """The storage asked directly (asyncpg + pymongo in-process, as the owner): the limit
    the API is measured against."""

    def __init__(self, pool: asyncpg.Pool, mongo: AsyncMongoClient[dict[str, Any]], db: str):
        self.pool = pool
        self.mongo = mongo
        self.db: AsyncDatabase[dict[str, Any]] = mongo[db]

    @classmethod
    async def connect(cls, database_url: str, mongodb_url: str, database: str) -> Raw:
        pool = await asyncpg.create_pool(database_url, min_size=2, max_size=20)
        assert pool is not None
        return cls(pool, AsyncMongoClient(mongodb_url, tz_aware=True), database)

    async def close(self) -> None:
        await self.pool.close()
        await self.mongo.close()

    async def dashboard(self, first: int) -> list[dict[str, Any]]:
        """The data of one dashboard page: index rows, tenants with roles, templates,
        documents and the last five events of each."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT id, tenant_id, template_id, mongo_id, status, current_step, version "
                "FROM wfm.workflow_instances_index WHERE version > 0 "
                "ORDER BY created_at DESC, id DESC LIMIT $1",
                first + 1,
            )
            rows = rows[:first]
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

        async def read_documents() -> dict[str, dict[str, Any]]:
            return {d["_id"]: d async for d in self.db[INSTANCES].find({"_id": {"$in": ids}})}

        async def read_events() -> dict[str, list[dict[str, Any]]]:
            found: dict[str, list[dict[str, Any]]] = {}
            cursor = (
                self.db[EVENTS]
                .find({"workflowInstanceId": {"$in": ids}})
                .sort([("workflowInstanceId", ASCENDING), ("seq", ASCENDING)])
                .batch_size(10_000)
            )
            async for event in cursor:
                found.setdefault(event["workflowInstanceId"], []).append(event)
            return found

        # the two reads at once, as the API's loaders issue them: the best the storage allows
        documents, events = await asyncio.gather(read_documents(), read_events())
        by_tenant = {t["id"]: t for t in tenants}
        by_template = {t["id"]: t for t in templates}
        return [
            {
                "row": r,
                "tenant": by_tenant.get(r["tenant_id"]),
                "roles": [x for x in roles if x["tenant_id"] == r["tenant_id"]],
                "template": by_template.get(r["template_id"]),
                "document": documents.get(r["mongo_id"]),
                "events": events.get(r["mongo_id"], [])[-5:],
            }
            for r in rows
        ]

    async def history(self, instance_id: str) -> list[dict[str, Any]]:
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(
                "SELECT mongo_id FROM wfm.workflow_instances_index WHERE id = $1",
                uuid.UUID(instance_id),
            )
        assert row is not None
        cursor = self.db[EVENTS].find({"workflowInstanceId": row["mongo_id"]}).sort("seq", 1)
        return [e async for e in cursor.limit(50)]


# -- B1 ---------------------------------------------------------------------------------


async def dashboard_read(client: Client, raw: Raw, *, samples: int, first: int = 100) -> dict:
    api = percentiles(await timed(lambda: client.ok(DASHBOARD, {"first": first}), samples))
    direct = percentiles(await timed(lambda: raw.dashboard(first), samples))
    # counted once the pool's connections have prepared their statements
    small = await client.ok(DASHBOARD, {"first": 5})
    page = await client.ok(DASHBOARD, {"first": first})
    edges = page.data["workflows"]["edges"]
    if len(edges) != first:
        raise BenchError(f"the page holds {len(edges)} workflows, not {first}")
    ratio = api["p50_ms"] / direct["p50_ms"]
    return {
        "api": api,
        "raw": direct,
        "ratio_p50": round(ratio, 2),
        "ratio_p95": round(api["p95_ms"] / direct["p95_ms"], 2),
        "round_trips": {"page_5": small.round_trips, f"page_{first}": page.round_trips},
        "round_trips_constant": small.round_trips == page.round_trips,
        "target": "round trips constant in page size; p50 ratio <= 2.0",
        "met": small.round_trips == page.round_trips and ratio <= 2.0,
    }


# -- B2 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    instance_id: str
    tenant_id: uuid.UUID
    step: str
    version: int


async def form_step_candidates(owner: asyncpg.Connection, count: int) -> list[Candidate]:
    rows = await owner.fetch(
        "SELECT id, tenant_id, current_step, version FROM wfm.workflow_instances_index "
        "WHERE status = 'IN_PROGRESS' AND current_step = ANY($1::text[]) "
        "ORDER BY md5(id::text) LIMIT $2",
        list(NEXT_STAGE),
        count,
    )
    if len(rows) < count:
        raise BenchError(
            f"only {len(rows)} workflows wait on a form step, {count} needed: "
            "load the dataset again (wfm bench run --fresh)"
        )
    return [Candidate(str(r["id"]), r["tenant_id"], r["current_step"], r["version"]) for r in rows]


async def write_throughput(
    api_url: str,
    token: str,
    raw: Raw,
    owner: asyncpg.Connection,
    archetypes: dict[str, Archetype],
    *,
    clients: int,
    operations: int,
) -> dict:
    candidates = await form_step_candidates(owner, operations * 2)
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

    writes = [_raw_writes(c, archetypes) for c in direct]

    async def raw_client(share: Sequence[RawWrite]) -> None:
        for write in share:
            await raw.db[EVENTS].insert_one(write.event)
            await raw.db[INSTANCES].replace_one(
                {"_id": write.instance_id, "version": {"$lt": write.version}}, write.document
            )
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
        "target": "API >= 50% of raw",
        "met": share >= 0.5,
    }


@dataclass(frozen=True)
class RawWrite:
    instance_id: str
    version: int
    status: str
    current_step: str | None
    event: dict[str, Any]
    document: dict[str, Any]


def _raw_writes(candidate: Candidate, archetypes: dict[str, Archetype]) -> RawWrite:
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
) -> dict:
    ids = [
        str(r["id"])
        for r in await owner.fetch(
            "SELECT id FROM wfm.workflow_instances_index WHERE version > 0 "
            "ORDER BY md5(id::text) LIMIT $1",
            samples + 2,
        )
    ]
    rng = random.Random(3)  # noqa: S311 - a repeatable order, not a secret
    rng.shuffle(ids)
    answer = await client.ok(HISTORY, {"id": ids[0]})
    queue = iter(ids)
    taken = await timed(lambda: client.ok(HISTORY, {"id": next(queue)}), samples)
    queue = iter(ids)
    direct = await timed(lambda: raw.history(next(queue)), samples)
    return {
        "api": percentiles(taken),
        "raw": percentiles(direct),
        "round_trips": answer.round_trips,
    }


async def list_read(client: Client, raw: Raw, *, samples: int, first: int = 100) -> dict:
    answer = await client.ok(DASHBOARD, {"first": first})
    taken = await timed(lambda: client.ok(DASHBOARD, {"first": first}), samples)
    direct = await timed(lambda: raw.dashboard(first), samples)
    return {
        "api": percentiles(taken),
        "raw": percentiles(direct),
        "round_trips": answer.round_trips,
    }


# -- B4 ---------------------------------------------------------------------------------


async def contention(
    api_url: str, token: str, raw: Raw, instance_id: str, *, clients: int, attempts: int
) -> dict:
    """`clients` clients pause and resume one workflow, each change sent with the version
    the client last read: every acknowledged change must be in the log exactly once."""
    before = await raw.db[EVENTS].count_documents({"workflowInstanceId": instance_id})
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
    seqs = [
        e["seq"]
        async for e in raw.db[EVENTS]
        .find({"workflowInstanceId": instance_id}, {"seq": 1})
        .sort("seq", 1)
    ]
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
        "target": "zero lost updates, contiguous seqs",
        "met": lost == 0 and contiguous and added == outcomes["OK"],
    }
