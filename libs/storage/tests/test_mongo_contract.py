"""The storage contract of the MongoDB-held stores (`wfm_storage.protocols`: `EventLog`,
`InstanceDocumentStore`): the same tests for each implementation, one per way a batch is
read (`InQueryReads`, one `$in` query, as on MongoDB; `SingleKeyReads`, concurrent
single-key reads, as on FerretDB), against the server the suite runs on (FerretDB on
PostgreSQL, or MongoDB where MONGODB_URL points to one). Then the index plan: every read
path the repositories issue is answered from an index.
"""

import uuid
from datetime import UTC, datetime

import asyncpg
import pytest
from pymongo import AsyncMongoClient

from wfm_engine import Event, EventType, fold
from wfm_engine.events import payload_from_json
from wfm_shared.errors import Conflict
from wfm_shared.principal import principal_for, system_principal
from wfm_storage.documents import event_id, event_to_document, state_to_document
from wfm_storage.instrumentation import counting_round_trips
from wfm_storage.mongo import InQueryReads, MongoStore, SingleKeyReads
from wfm_storage.mongo_indexes import (
    EVENTS,
    INDEX_PLAN,
    INSTANCES,
    IndexPlanError,
    apply_index_plan,
    ferretdb_tables,
    gin_index_name,
    migrate_mongo,
)
from wfm_storage.protocols import EventLog, InstanceDocumentStore
from wfm_storage.repositories.workflow_documents import InstanceDocuments
from wfm_storage.repositories.workflow_events import EventStore

OPS = system_principal()


def event(instance_id, tenant_id, seq, key=None):
    if seq == 1:
        type_, data = (
            EventType.WORKFLOW_CREATED,
            {"templateId": "t", "templateKey": "k", "templateVersion": 1, "marketRole": "BRP"},
        )
    elif seq == 2:
        type_, data = EventType.WORKFLOW_STARTED, {"firstStepId": "a"}
    elif seq % 2:
        type_, data = EventType.WORKFLOW_PAUSED, {"reason": f"pause {seq}"}
    else:
        type_, data = EventType.WORKFLOW_RESUMED, {}
    return Event(
        instance_id=instance_id,
        tenant_id=str(tenant_id),
        seq=seq,
        performed_by="someone",
        occurred_at=datetime(2026, 11, 22, 10, 0, seq % 60, tzinfo=UTC),
        payload=payload_from_json(type_, data),
        idempotency_key=key,
    )


class Repositories:
    """One implementation of the stores under contract."""

    def __init__(self, mongo: MongoStore) -> None:
        self.mongo = mongo
        self.events: EventLog = EventStore(mongo)
        self.documents: InstanceDocumentStore = InstanceDocuments(mongo)


@pytest.fixture(scope="module")
async def contract_database(wfm_servers):
    """A MongoDB database of its own, with the index plan applied."""
    name = f"wfm_contract_{uuid.uuid4().hex[:8]}"
    await migrate_mongo(
        wfm_servers.mongodb_url, name, ferretdb_storage_url=wfm_servers.ferretdb_postgresql_url
    )
    yield name
    client = AsyncMongoClient(wfm_servers.mongodb_url)
    await client.drop_database(name)
    await client.close()


@pytest.fixture(params=[InQueryReads, SingleKeyReads], ids=lambda reads: reads.__name__)
async def repos(request, wfm_servers, contract_database):
    mongo = MongoStore.connect(
        wfm_servers.mongodb_url,
        contract_database,
        single_key_reads=request.param is SingleKeyReads,
    )
    await mongo.open()
    assert isinstance(mongo.reads, request.param)
    yield Repositories(mongo)
    await mongo.close()


async def a_workflow(repos, tenant, events=3):
    instance = str(uuid.uuid4())
    log = [event(instance, tenant, seq) for seq in range(1, events + 1)]
    await repos.events.append(log)
    await repos.documents.save(fold(log))
    return instance, log


async def test_appending_a_seq_that_exists_is_a_conflict_and_stores_none_of_the_batch(repos):
    tenant = uuid.uuid4()
    instance, log = await a_workflow(repos, tenant, events=2)
    with pytest.raises(Conflict):
        await repos.events.append([event(instance, tenant, 2), event(instance, tenant, 3)])
    assert await repos.events.for_instance(OPS, instance) == log


async def test_events_of_many_workflows_come_back_each_in_seq_order(repos):
    tenant = uuid.uuid4()
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    # interleaved appends, the later seqs first in time for one of them
    await repos.events.append([event(first, tenant, 1), event(first, tenant, 2)])
    await repos.events.append([event(second, tenant, 1)])
    await repos.events.append([event(first, tenant, 3)])
    await repos.events.append([event(second, tenant, 2), event(second, tenant, 3)])
    found = await repos.events.for_instances(OPS, [second, first])
    assert {k: [e.seq for e in v] for k, v in found.items()} == {
        first: [1, 2, 3],
        second: [1, 2, 3],
    }
    later = await repos.events.for_instances(OPS, [first], after_seq=1)
    assert [e.seq for e in later[first]] == [2, 3]


async def test_a_batch_returns_only_what_the_principal_may_see(repos):
    tenant_a, tenant_b = uuid.uuid4(), uuid.uuid4()
    mine, _ = await a_workflow(repos, tenant_a)
    theirs, _ = await a_workflow(repos, tenant_b)
    reader = principal_for(uuid.uuid4(), tenant_a, "tenant_user")
    states = await repos.documents.by_ids(reader, [mine, theirs])
    assert set(states) == {mine}
    events = await repos.events.for_instances(reader, [mine, theirs])
    assert [e.seq for e in events[mine]] == [1, 2, 3]
    assert events[theirs] == []  # exactly like an instance that does not exist
    assert set(await repos.documents.versions(reader, [mine, theirs])) == {mine}
    assert set(await repos.events.latest_seqs(reader, [mine, theirs])) == {mine}
    assert await repos.documents.get(reader, theirs) is None
    stranger = principal_for(uuid.uuid4(), None, "tenant_user")  # a tenant role, no tenant
    assert await repos.documents.by_ids(stranger, [mine, theirs]) == {}


async def test_a_batch_with_missing_and_repeated_ids_returns_each_found_one_once(repos):
    tenant = uuid.uuid4()
    present, log = await a_workflow(repos, tenant)
    missing = str(uuid.uuid4())
    states = await repos.documents.by_ids(OPS, [missing, present, present])
    assert states == {present: fold(log)}
    events = await repos.events.for_instances(OPS, [missing, present, present])
    assert events == {missing: [], present: log}
    assert await repos.documents.versions(OPS, [missing, present]) == {present: 3}
    assert await repos.events.latest_seqs(OPS, [missing, present]) == {present: 3}
    assert await repos.documents.by_ids(OPS, []) == {}
    assert await repos.events.for_instances(OPS, []) == {}


async def test_documents_only_move_forward(repos):
    tenant = uuid.uuid4()
    instance, log = await a_workflow(repos, tenant, events=1)
    newer = [*log, event(instance, tenant, 2)]
    assert await repos.documents.save(fold(newer))
    assert not await repos.documents.save(fold(log))
    assert await repos.documents.get(OPS, instance) == fold(newer)


async def test_the_catch_up_probe_and_idempotency_keys_find_their_events(repos):
    tenant = uuid.uuid4()
    instance = str(uuid.uuid4())
    await repos.events.append([event(instance, tenant, 1, key="create")])
    await repos.events.append(
        [event(instance, tenant, 2, key="k"), event(instance, tenant, 3, "k")]
    )
    assert await repos.events.exists(instance, 3)
    assert not await repos.events.exists(instance, 4)
    keyed = await repos.events.with_idempotency_key(OPS, instance, "k")
    assert [e.seq for e in keyed] == [2, 3]
    other = principal_for(uuid.uuid4(), uuid.uuid4(), "tenant_admin")
    assert await repos.events.with_idempotency_key(other, instance, "k") == []


async def test_a_batch_costs_one_query_or_one_read_per_key(repos):
    tenant = uuid.uuid4()
    ids = [(await a_workflow(repos, tenant, events=1))[0] for _ in range(4)]
    with counting_round_trips() as trips:
        await repos.documents.by_ids(OPS, ids)
    assert trips.mongo == (4 if repos.mongo.reads.reads_per_key else 1)


# -- the index plan -----------------------------------------------------------------------


async def test_the_read_strategy_follows_the_server(storage, wfm_servers):
    ferretdb = storage.mongo.server.is_ferretdb
    assert storage.mongo.single_key_reads is ferretdb
    # the embedded default is FerretDB, and it says so
    assert ferretdb == (wfm_servers.ferretdb_postgresql_url is not None)


READ_PATHS = {
    "a document: _id": (INSTANCES, lambda i: {"_id": i}),
    "the guarded replace: _id and version": (
        INSTANCES,
        lambda i: {"_id": i, "version": {"$lt": 9}},
    ),
    "a log: workflowInstanceId": (EVENTS, lambda i: {"workflowInstanceId": i}),
    "the catch-up probe: event _id": (EVENTS, lambda i: {"_id": event_id(i, 2)}),
    "a retried request: workflowInstanceId and idempotencyKey": (
        EVENTS,
        lambda i: {"workflowInstanceId": i, "idempotencyKey": "k"},
    ),
}


def plan_nodes(plan):
    """Every node of a PostgreSQL JSON plan, with its index name when it has one."""
    found = [(plan["Node Type"], plan.get("Index Name"))]
    for child in plan.get("Plans", []):
        found += plan_nodes(child)
    return found


def winning_stages(plan):
    stages = [plan.get("stage")]
    for key in ("inputStage", "queryPlan"):
        if key in plan:
            stages += winning_stages(plan[key])
    for child in plan.get("inputStages", []):
        stages += winning_stages(child)
    return stages


@pytest.fixture(scope="module")
async def populated(wfm_servers, contract_database):
    """Enough workflows that a scan costs more than an index to the planner."""
    mongo = MongoStore.connect(wfm_servers.mongodb_url, contract_database)
    await mongo.open()
    tenant = str(uuid.uuid4())
    ids = [str(uuid.uuid4()) for _ in range(3000)]
    events = [event(i, tenant, seq) for i in ids for seq in (1, 2)]
    await mongo.events.insert_many([event_to_document(e) for e in events], ordered=False)
    documents = [state_to_document(fold(events[n : n + 2])) for n in range(0, len(events), 2)]
    await mongo.instances.insert_many(documents, ordered=False)
    if mongo.server.is_ferretdb:
        # fresh statistics, as autovacuum gathers them on a table that grew
        conn = await asyncpg.connect(wfm_servers.ferretdb_postgresql_url)
        try:
            tables = await ferretdb_tables(conn, contract_database, [INSTANCES, EVENTS])
            for table in tables.values():
                await conn.execute(f'ANALYZE "{contract_database}"."{table}"')
        finally:
            await conn.close()
    yield mongo, ids
    await mongo.close()


@pytest.mark.parametrize("path", list(READ_PATHS))
async def test_every_read_path_is_answered_from_an_index(populated, path):
    mongo, ids = populated
    collection, query = READ_PATHS[path]
    explained = await mongo.db.command(
        {"explain": {"find": collection, "filter": query(ids[17])}, "verbosity": "queryPlanner"}
    )
    if mongo.server.is_ferretdb:
        assert explained["filterPushdown"] is True
        nodes = plan_nodes(explained["queryPlanner"]["Plan"])
        used = {index for _, index in nodes if index}
        assert "Seq Scan" not in {node for node, _ in nodes}, nodes
        assert used & {name for name in used if name.endswith("_wfm_gin")}, nodes
    else:
        stages = winning_stages(explained["queryPlanner"]["winningPlan"])
        assert "COLLSCAN" not in stages, stages
        assert {"IXSCAN", "IDHACK", "EXPRESS_IXSCAN", "EXPRESS_IDHACK"} & set(stages), stages


async def mongodb_needs_no_postgres(db):
    """On MongoDB the plan is `createIndexes` alone: whatever storage URL is given (none, or
    one that leads nowhere) nothing outside the wire protocol runs."""
    for url in (None, "postgresql://nobody@127.0.0.1:1/nowhere"):
        applied = await apply_index_plan(db, ferretdb_storage_url=url)
        assert not applied.server.is_ferretdb
        assert applied.created_gin_indexes == []


async def test_the_index_plan_is_idempotent_and_names_what_it_needs(wfm_servers, contract_database):
    client = AsyncMongoClient(wfm_servers.mongodb_url)
    try:
        db = client[contract_database]
        again = await apply_index_plan(db, ferretdb_storage_url=wfm_servers.ferretdb_postgresql_url)
        assert again.created_gin_indexes == []
        if not again.server.is_ferretdb:
            await mongodb_needs_no_postgres(db)
            return
        with pytest.raises(IndexPlanError, match="WFM_FERRETDB_POSTGRESQL_URL"):
            await apply_index_plan(db, ferretdb_storage_url=None)
        conn = await asyncpg.connect(wfm_servers.ferretdb_postgresql_url)
        try:
            indexes = {
                row["indexname"]: row["indexdef"]
                for row in await conn.fetch(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1",
                    contract_database,
                )
            }
            setting = await conn.fetchval("SHOW plan_cache_mode")
        finally:
            await conn.close()
        ours = {name: d for name, d in indexes.items() if name.endswith("_wfm_gin")}
        expected = sum(len(c.equality_keys) for c in INDEX_PLAN)
        assert len(ours) == expected
        assert all("USING gin" in d and "jsonb_path_ops" in d for d in ours.values())
        assert all("fastupdate=off" in d for d in ours.values()), ours
        assert setting == "force_custom_plan"
    finally:
        await client.close()


async def test_a_wrong_storage_database_is_refused_with_what_to_set(wfm_servers, storage):
    client = AsyncMongoClient(wfm_servers.mongodb_url)
    try:
        db = client[f"wfm_other_{uuid.uuid4().hex[:6]}"]
        if not storage.mongo.server.is_ferretdb:
            await mongodb_needs_no_postgres(db)
            return
        with pytest.raises(IndexPlanError, match="database FerretDB stores in"):
            # the platform's database, not FerretDB's
            await apply_index_plan(db, ferretdb_storage_url=wfm_servers.database_url)
    finally:
        await client.close()


def test_index_names_fit_postgres_and_stay_unique():
    long_table = "workflow_events_" + "x" * 60
    a, b = gin_index_name(long_table, "_id"), gin_index_name(long_table, "workflowInstanceId")
    assert max(len(a), len(b)) <= 63
    assert a != b
    assert (
        gin_index_name("workflow_events_1a2b3c4d", "_id") == "workflow_events_1a2b3c4d_id_wfm_gin"
    )


async def test_an_index_with_a_pending_list_is_turned_into_one_without(
    wfm_servers, contract_database, storage
):
    if not storage.mongo.server.is_ferretdb:
        client = AsyncMongoClient(wfm_servers.mongodb_url)
        try:
            await mongodb_needs_no_postgres(client[contract_database])  # no index of ours there
        finally:
            await client.close()
        return
    conn = await asyncpg.connect(wfm_servers.ferretdb_postgresql_url)
    try:
        name = await conn.fetchval(
            "SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND indexname LIKE $2",
            contract_database,
            "%_wfm_gin",
        )
        # as `wfm migrate` made them before they were made without one
        await conn.execute(f'ALTER INDEX "{contract_database}"."{name}" SET (fastupdate = on)')
        client = AsyncMongoClient(wfm_servers.mongodb_url)
        try:
            await apply_index_plan(
                client[contract_database], ferretdb_storage_url=wfm_servers.ferretdb_postgresql_url
            )
        finally:
            await client.close()
        definition = await conn.fetchval(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = $2",
            contract_database,
            name,
        )
    finally:
        await conn.close()
    assert "fastupdate=off" in definition
