"""Issue 2, test 4: a page of workflows with tenant, template, state and events costs the
same number of Postgres round trips whatever its size, and a bounded set of MongoDB reads:
one per loader on MongoDB (`$in`), one indexed single-key read per workflow and loader on
FerretDB (counted, not timed)."""

import asyncio
import uuid
from datetime import datetime

import asyncpg
import httpx
import pytest

from wfm_api.app import create_app
from wfm_engine import ExecuteStep, StartWorkflow, fold
from wfm_shared.principal import system_principal
from wfm_storage.bootstrap import Storage
from wfm_storage.documents import state_to_document
from wfm_storage.instrumentation import counting_round_trips
from wfm_storage.postgres import init_connection
from wfm_testing.factories import Factory
from wfm_testing.graphql import GraphQLClient
from wfm_testing.onboarding import step_data
from wfm_testing.pytest_plugin import discard_database, prepare_database

PAGE = """query($first: Int!) {
  workflows(first: $first) {
    edges { node {
      id status currentStepId version
      tenant { id companyName marketRoles { role status } }
      template { key version name }
      state { steps { id status data } }
      events(first: 10) { totalCount edges { node { seq type } } }
      allowedActions
    } }
    pageInfo { hasNextPage endCursor }
  }
}"""


@pytest.fixture(scope="module")
async def fifty_workflows(wfm_servers):
    """A database of its own, so that the page holds exactly these workflows."""
    settings = await prepare_database(wfm_servers, f"wfm_loaders_{uuid.uuid4().hex[:8]}")
    storage = await Storage.open(settings)
    app = create_app(settings, storage=storage)
    owner = await asyncpg.connect(settings.database_url)
    await init_connection(owner)
    factory = Factory(owner, settings)
    ops = await factory.account("market_ops")
    # one onboarding per tenant and market role: fifty tenants
    tenants = [await factory.tenant() for _ in range(50)]
    async with app.router.lifespan_context(app):
        service = app.state.services.workflows
        for index, tenant in enumerate(tenants):
            state = await service.create_workflow(
                ops.principal,
                market_role="BRP",
                template_key="contract-onboarding",
                tenant_id=tenant.id,
            )
            await service.execute(ops.principal, uuid.UUID(state.id), StartWorkflow())
            data = step_data(tenant, index)["company-info"]
            await service.execute(
                ops.principal, uuid.UUID(state.id), ExecuteStep("company-info", data)
            )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            yield GraphQLClient(http), ops, settings, storage
    await owner.close()
    await storage.close()
    await discard_database(wfm_servers, settings)


async def page_cost(gql, token, first):
    with counting_round_trips() as trips:
        result = await gql(PAGE, {"first": first}, token=token)
        # asyncpg reports queries to its loggers with call_soon: let them run
        for _ in range(3):
            await asyncio.sleep(0)
    edges = result.ok()["workflows"]["edges"]
    return len(edges), trips


def mongo_reads(storage, page_size):
    """States and events: one `$in` each on MongoDB, one read per workflow each on FerretDB."""
    return 2 * page_size if storage.mongo.single_key_reads else 2


async def test_page_of_5_and_page_of_50_cost_the_same_postgres_round_trips(fifty_workflows):
    gql, ops, _, storage = fifty_workflows
    await page_cost(gql, ops.token, 2)  # warm the statement cache of the pool's connections
    size_5, small = await page_cost(gql, ops.token, 5)
    size_50, large = await page_cost(gql, ops.token, 50)
    assert (size_5, size_50) == (5, 50)
    # BEGIN with the tenant settings, the page, tenants, market roles, templates, COMMIT (the
    # pool gives the connection back without a reset query: nothing outlives a transaction)
    assert small.postgres == large.postgres == 6, (small, large)
    assert small.mongo == mongo_reads(storage, 5), small
    assert large.mongo == mongo_reads(storage, 50), large


async def test_every_node_is_complete(fifty_workflows):
    gql, ops, *_ = fifty_workflows
    edges = (await gql(PAGE, {"first": 50}, token=ops.token)).ok()["workflows"]["edges"]
    nodes = [e["node"] for e in edges]
    assert {n["status"] for n in nodes} == {"IN_PROGRESS"}
    assert {n["currentStepId"] for n in nodes} == {"contacts"}
    assert {n["events"]["totalCount"] for n in nodes} == {3}
    assert len({n["tenant"]["id"] for n in nodes}) == 50
    assert all(n["state"]["steps"][0]["data"]["address"]["city"] == "Brussels" for n in nodes)
    assert all(
        n["allowedActions"] == ["PAUSE", "EXECUTE_STEP", "VALIDATE", "FAIL", "CANCEL"]
        for n in nodes
    )


async def test_pages_follow_each_other_without_gaps_or_repeats(fifty_workflows):
    gql, ops, *_ = fifty_workflows
    query = """query($after: String) { workflows(first: 7, after: $after) {
        edges { node { id } } pageInfo { hasNextPage endCursor } } }"""
    seen, after = [], None
    while True:
        page = (await gql(query, {"after": after}, token=ops.token)).ok()["workflows"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 50


async def test_the_latest_events_come_with_last(fifty_workflows):
    gql, ops, *_ = fifty_workflows
    query = """query { workflows(first: 1) { edges { node {
        events(last: 2) { totalCount edges { node { seq type } } pageInfo { hasNextPage } }
    } } } }"""
    events = (await gql(query, token=ops.token)).ok()["workflows"]["edges"][0]["node"]["events"]
    assert events["totalCount"] == 3
    assert [e["node"]["type"] for e in events["edges"]] == ["WORKFLOW_STARTED", "STEP_COMPLETED"]
    assert [e["node"]["seq"] for e in events["edges"]] == [2, 3]
    assert events["pageInfo"]["hasNextPage"] is False


async def test_an_api_started_for_benchmarks_reports_its_round_trips(fifty_workflows):
    gql, ops, settings, storage = fifty_workflows
    plain = await gql.http.post("/graphql", json={"query": "{ __typename }"})
    assert "x-wfm-round-trips" not in plain.headers  # off unless asked for
    counted = create_app(settings.model_copy(update={"expose_round_trips": True}), storage=storage)
    async with counted.router.lifespan_context(counted):
        transport = httpx.ASGITransport(app=counted)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            client = GraphQLClient(http)
            await client(PAGE, {"first": 2}, token=ops.token)  # warm the statement cache
            response = await http.post(
                "/graphql",
                json={"query": PAGE, "variables": {"first": 50}},
                headers={"authorization": f"Bearer {ops.token}"},
            )
    assert response.status_code == 200
    assert len(response.json()["data"]["workflows"]["edges"]) == 50
    mongo = mongo_reads(storage, 50)
    assert response.headers["x-wfm-round-trips"] == f"postgres=6, mongo={mongo}"


DASHBOARD = """query($first: Int!) {
  workflows(first: $first) { edges { node {
    id status version tenant { companyName } template { key }
    state { steps { id status } }
    events(last: 5) { totalCount edges { node { seq type } } }
  } } }
}"""


async def test_a_dashboard_page_with_recent_events_reads_the_documents_alone(fifty_workflows):
    gql, ops, _, storage = fifty_workflows
    await page_cost(gql, ops.token, 2)
    with counting_round_trips() as trips:
        result = await gql(DASHBOARD, {"first": 50}, token=ops.token)
        for _ in range(3):
            await asyncio.sleep(0)
    nodes = [e["node"] for e in result.ok()["workflows"]["edges"]]
    assert len(nodes) == 50
    # the documents, nothing of the log: one `$in`, or one read per workflow on FerretDB
    assert trips.mongo == (50 if storage.mongo.single_key_reads else 1), trips
    assert {n["events"]["totalCount"] for n in nodes} == {3}
    assert {tuple(e["node"]["seq"] for e in n["events"]["edges"]) for n in nodes} == {(1, 2, 3)}


async def test_a_document_without_recent_events_is_answered_from_the_log(fifty_workflows):
    gql, ops, _, storage = fifty_workflows
    query = """query { workflows(first: 1) { edges { node { id
        events(last: 2) { totalCount edges { node { seq } } } } } } }"""
    node = (await gql(query, token=ops.token)).ok()["workflows"]["edges"][0]["node"]
    # as a document written before instances kept their latest events
    await storage.mongo.instances.update_one({"_id": node["id"]}, {"$unset": {"recentEvents": ""}})
    try:
        again = (await gql(query, token=ops.token)).ok()["workflows"]["edges"][0]["node"]
    finally:
        state = await storage.documents.get(system_principal(), node["id"])
        events = await storage.events.for_instance(system_principal(), node["id"])
        await storage.mongo.instances.replace_one(
            {"_id": node["id"]}, state_to_document(fold(events))
        )
    assert state.recent_events == ()
    assert again["events"] == node["events"]
    assert [e["node"]["seq"] for e in again["events"]["edges"]] == [2, 3]


async def test_a_page_of_postgres_held_fields_never_reads_mongodb(fifty_workflows):
    gql, ops, _, storage = fifty_workflows
    query = """query { workflows(first: 50) { edges { node {
        id status version currentStepId marketRole createdAt updatedAt createdById
        tenant { companyName } template { key }
    } } } }"""
    await gql(query, token=ops.token)
    with counting_round_trips() as trips:
        result = await gql(query, token=ops.token)
        for _ in range(3):
            await asyncio.sleep(0)
    nodes = [e["node"] for e in result.ok()["workflows"]["edges"]]
    assert trips.mongo == 0, trips
    assert {(n["status"], n["currentStepId"], n["version"]) for n in nodes} == {
        ("IN_PROGRESS", "contacts", 3)
    }
    # the same answers the instance documents give
    for node in nodes[:5]:
        state = await storage.documents.get(ops.principal, node["id"])
        assert (node["status"], node["version"], node["currentStepId"], node["marketRole"]) == (
            state.status.value,
            state.version,
            state.current_step_id,
            state.market_role,
        )
        assert datetime.fromisoformat(node["createdAt"]) == state.created_at
        assert datetime.fromisoformat(node["updatedAt"]) == state.updated_at
        assert node["createdById"] == state.created_by
