"""Live updates: GraphQL subscriptions over graphql-transport-ws, fed by PostgreSQL
LISTEN/NOTIFY. Two API processes on the same databases, a worker, two tenants and market
operations: a change made anywhere reaches every subscriber allowed to see it, and only them."""

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Subprotocol

from wfm_api.live import ChangeFeed, Resync
from wfm_devkit.servers import ApiProcess
from wfm_engine import StartWorkflow
from wfm_shared.clock import FrozenClock
from wfm_storage.live import CHANNEL, LISTENER_NAME, WorkflowChanged, announce
from wfm_storage.repositories.instance_index import InstanceIndex
from wfm_storage.repositories.templates import TemplateRepository
from wfm_testing.factories import Account, codec_for
from wfm_testing.graphql import GraphQLClient
from wfm_testing.live import (
    ConnectionRefused,
    live_connection,
    open_live_connection,
    websocket_url,
)
from wfm_testing.pytest_plugin import World, api_env
from wfm_testing.templates import form_step, step, template
from wfm_worker.worker import Worker
from wfm_workflows.extensions import load_catalog

ALLOWED_ORIGIN = "http://console.example.test"
MAX_CONNECTIONS_PER_USER = 3
MAX_SUBSCRIPTIONS_PER_CONNECTION = 4

CREATE = """mutation($key: String!) {
  createWorkflow(marketRole: GU, templateKey: $key) { id } }"""
START = "mutation($id: ID!) { startWorkflow(workflowId: $id) { version } }"
EXECUTE = """mutation($id: ID!, $step: String!) {
  executeStep(workflowId: $id, stepId: $step, data: {}) { version currentStepId } }"""
PAUSE = "mutation($id: ID!) { pauseWorkflow(workflowId: $id) { version } }"
RESUME = "mutation($id: ID!) { resumeWorkflow(workflowId: $id) { version } }"

WORKFLOW_CHANGED = """subscription($id: ID!) {
  workflowChanged(id: $id) { id status version currentStepId tenant { id } } }"""
WORKFLOWS_CHANGED = """subscription($filter: WorkflowFilter) {
  workflowsChanged(filter: $filter) { version replayed workflow { id status tenant { id } } } }"""
WORK_QUEUE_CHANGED = "subscription { workQueueChanged { at workflowId } }"


@dataclass
class Apis:
    first: str
    second: str


@pytest.fixture(scope="module")
def apis(isolated_world: World) -> Iterator[Apis]:
    """Two `wfm serve` processes on the module's databases. Request headers must arrive
    within a second: an upgraded connection lives on past that."""
    env = api_env(
        isolated_world.settings,
        WFM_HTTP_HEADER_TIMEOUT_SECONDS="1",
        WFM_CORS_ORIGINS=ALLOWED_ORIGIN,
        WFM_LIVE_MAX_CONNECTIONS_PER_USER=str(MAX_CONNECTIONS_PER_USER),
        WFM_LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION=str(MAX_SUBSCRIPTIONS_PER_CONNECTION),
    )
    started = []
    try:
        for name in ("first", "second"):
            log = Path.cwd() / ".wfm" / f"live-{name}-{uuid.uuid4().hex[:8]}.log"
            started.append(ApiProcess(env, log))
            started[-1].start()
        yield Apis(started[0].url, started[1].url)
    finally:
        for api in started:
            api.stop()
            api.log_path.unlink(missing_ok=True)


@pytest.fixture(scope="module")
async def key(isolated_world: World) -> str:
    """A form, a system step (the worker's), then a review by market operations."""
    definition = template(
        [
            form_step("apply"),
            step("announce", "webhook", config={"eventType": "live.test"}),
            step("review", "approval", roles=["market_ops"]),
        ],
        name="Live updates",
    )
    registries = load_catalog().registries
    await TemplateRepository().save(isolated_world.owner, registries.parse_template(definition))
    return str(definition["key"])


@dataclass
class Tenancy:
    tenant_id: str
    user: Account


@dataclass
class People:
    a: Tenancy
    b: Tenancy
    ops: Account


@pytest.fixture
async def people(isolated_world: World) -> People:
    factory = isolated_world.factory

    async def tenancy() -> Tenancy:
        tenant = await factory.tenant()
        return Tenancy(str(tenant.id), await factory.account("tenant_admin", tenant))

    return People(await tenancy(), await tenancy(), await factory.account("market_ops"))


@pytest.fixture
async def first(apis: Apis) -> AsyncIterator[GraphQLClient]:
    """GraphQL over HTTP to the first API process."""
    async with httpx.AsyncClient(base_url=apis.first, timeout=30) as http:
        yield GraphQLClient(http)


@pytest.fixture
async def worker(isolated_world: World) -> AsyncIterator[Worker]:
    settings = isolated_world.settings.model_copy(update={"worker_metrics_port": 0})
    started = Worker(settings, storage=isolated_world.storage)
    await started.start()
    yield started
    await started.close()


async def started_workflow(gql: GraphQLClient, key: str, account: Account) -> str:
    """A workflow of the account's tenant, started: waiting at its form."""
    created = await gql(CREATE, {"key": key}, token=account.token)
    workflow_id: str = created.ok()["createWorkflow"]["id"]
    (await gql(START, {"id": workflow_id}, token=account.token)).ok()
    return workflow_id


async def test_a_change_made_through_one_api_process_reaches_a_subscriber_of_another(
    apis, first, key, people, worker
):
    workflow_id = await started_workflow(first, key, people.a.user)
    async with live_connection(apis.second, token=people.ops.token) as live:
        changes = await live.subscribe(WORKFLOW_CHANGED, {"id": workflow_id})
        now = (await changes.next_data())["workflowChanged"]
        assert (now["status"], now["currentStepId"]) == ("IN_PROGRESS", "apply")

        await asyncio.sleep(1.5)  # longer than the header timeout: the socket stays open
        executed = await first(
            EXECUTE, {"id": workflow_id, "step": "apply"}, token=people.a.user.token
        )
        version = executed.ok()["executeStep"]["version"]

        changed = (await changes.next_data())["workflowChanged"]
        assert changed["currentStepId"] == "announce"
        assert changed["version"] == version
        assert changed["tenant"] == {"id": people.a.tenant_id}

        # the worker runs the system step: its change reaches the subscriber too
        await worker.run_until_idle()
        by_worker = (await changes.next_data())["workflowChanged"]
        assert by_worker["currentStepId"] == "review"
        assert by_worker["version"] > version


async def test_each_tenant_receives_only_its_own_changes_and_market_ops_receive_both(
    apis, first, key, people
):
    a_workflow = await started_workflow(first, key, people.a.user)
    b_workflow = await started_workflow(first, key, people.b.user)
    async with (
        live_connection(apis.second, token=people.a.user.token) as a_live,
        live_connection(apis.second, token=people.b.user.token) as b_live,
        live_connection(apis.first, token=people.ops.token) as ops_live,
    ):
        a_list = await a_live.subscribe(WORKFLOWS_CHANGED, {"filter": {"templateKey": key}})
        b_list = await b_live.subscribe(WORKFLOWS_CHANGED, {"filter": {"templateKey": key}})
        b_queue = await b_live.subscribe(WORK_QUEUE_CHANGED)
        ops_list = await ops_live.subscribe(WORKFLOWS_CHANGED, {"filter": {"templateKey": key}})
        # asking for another tenant's workflows by filter does not widen what one sees
        b_asks_for_a = await b_live.subscribe(
            WORKFLOWS_CHANGED, {"filter": {"tenantId": people.a.tenant_id}}
        )
        await asyncio.sleep(0.5)  # the subscriptions are listening

        token = people.a.user.token
        (await first(EXECUTE, {"id": a_workflow, "step": "apply"}, token=token)).ok()

        a_change = (await a_list.next_data())["workflowsChanged"]
        assert a_change["workflow"]["id"] == a_workflow
        assert a_change["workflow"]["tenant"] == {"id": people.a.tenant_id}
        assert a_change["replayed"] is False
        ops_change = (await ops_list.next_data())["workflowsChanged"]
        assert ops_change["workflow"]["id"] == a_workflow

        token = people.b.user.token
        (await first(EXECUTE, {"id": b_workflow, "step": "apply"}, token=token)).ok()
        b_change = (await b_list.next_data())["workflowsChanged"]
        assert b_change["workflow"]["id"] == b_workflow
        assert (await b_queue.next_data())["workQueueChanged"]["workflowId"] == b_workflow
        ops_change = (await ops_list.next_data())["workflowsChanged"]
        assert ops_change["workflow"]["id"] == b_workflow

        # nothing of A's workflow ever reached tenant B, nor B's tenant A
        await a_list.nothing_within(1)
        await b_list.nothing_within(0.1)
        await b_queue.nothing_within(0.1)
        await b_asks_for_a.nothing_within(0.1)


async def test_another_tenants_workflow_answers_not_found_exactly_like_an_unknown_one(
    apis, first, key, people
):
    a_workflow = await started_workflow(first, key, people.a.user)
    unknown = str(uuid.uuid4())
    async with live_connection(apis.second, token=people.b.user.token) as live:
        answers = []
        for workflow_id in (a_workflow, unknown):
            subscription = await live.subscribe(WORKFLOW_CHANGED, {"id": workflow_id})
            payload = await subscription.next_payload()
            assert (await subscription.next_message())["type"] == "complete"
            answers.append(str(payload).replace(workflow_id, "<id>"))
    assert answers[0] == answers[1]
    assert "'code': 'NOT_FOUND'" in answers[0]


def token_issued(world: World, account: Account, *, ago: timedelta) -> str:
    """An access token of `account` issued `ago` (expired once the TTL has passed)."""
    token, _ = codec_for(world.settings).issue(account.principal, datetime.now(UTC) - ago)
    return token


async def test_a_missing_or_invalid_token_is_refused(apis, people, isolated_world):
    header, claims, _ = people.ops.token.split(".")
    expired = token_issued(isolated_world, people.ops, ago=timedelta(hours=1))
    for refused in (None, "not-a-token", f"{header}.{claims}.{'x' * 43}", expired):
        with pytest.raises(ConnectionRefused) as error:
            await open_live_connection(apis.first, token=refused)
        assert error.value.code == 4403
    # a token without "Bearer" is not taken either
    with pytest.raises(ConnectionRefused) as error:
        await open_live_connection(
            apis.first, token=None, payload={"authorization": people.ops.token}
        )
    assert error.value.code == 4403
    # a session that has ended (the user signed out everywhere) cannot connect
    await isolated_world.owner.execute(
        "UPDATE wfm.users SET token_version = token_version + 1 WHERE id = $1", people.ops.user.id
    )
    with pytest.raises(ConnectionRefused) as error:
        await open_live_connection(apis.first, token=people.ops.token)
    assert error.value.code == 4403


async def test_each_new_subscription_checks_that_the_token_has_not_expired(
    apis, people, isolated_world
):
    ttl = isolated_world.settings.access_token_ttl_seconds
    almost_expired = token_issued(isolated_world, people.ops, ago=timedelta(seconds=ttl - 2))
    async with live_connection(apis.first, token=almost_expired) as live:
        await asyncio.sleep(2.5)
        late = await live.subscribe(WORK_QUEUE_CHANGED)
        payload = await late.next_payload()
        assert payload["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_legacy_graphql_ws_protocol_is_not_spoken(apis):
    async with connect(
        websocket_url(apis.first), subprotocols=[Subprotocol("graphql-ws")]
    ) as websocket:
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(websocket.recv(), 10)
        assert websocket.close_code == 4406


async def test_a_subscription_ends_unauthenticated_once_its_session_has_ended(
    apis, first, key, people, isolated_world
):
    workflow_id = await started_workflow(first, key, people.a.user)
    async with live_connection(apis.second, token=people.a.user.token) as live:
        changes = await live.subscribe(WORKFLOW_CHANGED, {"id": workflow_id})
        await changes.next_data()
        await isolated_world.owner.execute(
            "UPDATE wfm.users SET token_version = token_version + 1 WHERE id = $1",
            people.a.user.user.id,
        )
        ops = people.ops.token
        (await first(PAUSE, {"id": workflow_id}, token=ops)).ok()
        payload = await changes.next_payload()
        assert payload["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert (await changes.next_message())["type"] == "complete"


async def test_only_the_apis_own_origin_and_allowed_origins_may_open_the_socket(apis, people):
    with pytest.raises(InvalidStatus) as refused:
        await open_live_connection(apis.first, token=people.ops.token, origin="http://evil.test")
    assert refused.value.response.status_code == 403
    for origin in (ALLOWED_ORIGIN, apis.first):
        connection = await open_live_connection(apis.first, token=people.ops.token, origin=origin)
        await connection.close()


async def test_subscriptions_have_the_limits_of_queries(apis, people):
    async with live_connection(apis.first, token=people.ops.token) as live:
        too_deep = (
            'subscription { workflowChanged(id: "x") ' + "{ tenant " * 12 + "{ id }" + " }" * 13
        )
        refused = await live.subscribe(too_deep)
        message = await refused.next_message()
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"

        query = await live.subscribe("query { __typename }")
        message = await query.next_message()
        assert message["type"] in {"error", "next"}
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert "only subscriptions" in errors[0]["message"]

        for _ in range(MAX_SUBSCRIPTIONS_PER_CONNECTION):
            await live.subscribe(WORK_QUEUE_CHANGED)
        one_too_many = await live.subscribe(WORK_QUEUE_CHANGED)
        message = await one_too_many.next_message()
        assert message["type"] == "error"
        assert "limit" in message["payload"][0]["message"].lower()


async def test_a_user_has_a_bounded_number_of_live_connections(apis, people):
    held = [
        await open_live_connection(apis.first, token=people.b.user.token)
        for _ in range(MAX_CONNECTIONS_PER_USER)
    ]
    try:
        with pytest.raises(ConnectionRefused) as refused:
            await open_live_connection(apis.first, token=people.b.user.token)
        assert refused.value.code == 4429
    finally:
        for connection in held:
            await connection.close()
    await asyncio.sleep(0.2)  # the server sees them closed
    again = await open_live_connection(apis.first, token=people.b.user.token)
    await again.close()


async def test_after_the_listener_loses_its_connection_subscribers_get_a_fresh_state(
    apis, first, key, people, isolated_world
):
    workflow_id = await started_workflow(first, key, people.a.user)
    # changed before the list subscription began: only a replay can bring it to it
    (await first(EXECUTE, {"id": workflow_id, "step": "apply"}, token=people.a.user.token)).ok()
    async with live_connection(apis.second, token=people.a.user.token) as live:
        one = await live.subscribe(WORKFLOW_CHANGED, {"id": workflow_id})
        current = (await one.next_data())["workflowChanged"]
        listed = await live.subscribe(WORKFLOWS_CHANGED, {"filter": {"templateKey": key}})
        queue = await live.subscribe(WORK_QUEUE_CHANGED)
        await asyncio.sleep(0.5)

        killed = await isolated_world.owner.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = $1 AND datname = current_database()",
            LISTENER_NAME,
        )
        assert killed == 2  # one per API process

        fresh = (await one.next_data())["workflowChanged"]
        assert fresh == current
        replayed = (await listed.next_data())["workflowsChanged"]
        assert replayed["workflow"]["id"] == workflow_id
        assert replayed["replayed"] is True
        assert (await queue.next_data())["workQueueChanged"]["workflowId"] is None

        # and it listens again
        (await first(PAUSE, {"id": workflow_id}, token=people.ops.token)).ok()
        paused = (await one.next_data())["workflowChanged"]
        assert paused["status"] == "PAUSED"


async def test_a_rolled_back_projection_announces_nothing(isolated_world):
    conn = isolated_world.owner
    received: list[str] = []

    def listen(_conn, _pid, _channel, payload):
        received.append(payload)

    await conn.add_listener(CHANNEL, listen)
    try:
        change = WorkflowChanged(uuid.uuid4(), uuid.uuid4(), 3, "IN_PROGRESS", "k", work=True)
        transaction = conn.transaction()
        await transaction.start()
        await announce(conn, change)
        await transaction.rollback()
        async with conn.transaction():
            await announce(conn, change)
        await asyncio.sleep(0.2)
    finally:
        await conn.remove_listener(CHANNEL, listen)
    assert [WorkflowChanged.parse(payload) for payload in received] == [change]


async def test_a_projection_announces_once_and_one_that_moves_nothing_forward_announces_nothing(
    services, factory, owner_conn
):
    received: list[WorkflowChanged | None] = []

    def listen(_conn, _pid, _channel, payload):
        received.append(WorkflowChanged.parse(payload))

    tenant = await factory.tenant()
    ops = await factory.account("market_ops")
    workflows, index = services.workflows, InstanceIndex()
    await owner_conn.add_listener(CHANNEL, listen)
    try:
        created = await workflows.create_workflow(
            ops.principal,
            market_role="BRP",
            template_key="contract-onboarding",
            tenant_id=tenant.id,
        )
        workflow_id = uuid.UUID(created.id)
        await workflows.execute(ops.principal, workflow_id, StartWorkflow())
        [row] = (await index.by_ids(owner_conn, [workflow_id])).values()
        # the reconciler projects what the index already has: nothing moves forward
        await services.reconciler.reconcile_instance(row)
        # rewriting work columns that hold already announces nothing either
        await owner_conn.execute(
            "UPDATE wfm.workflow_instances_index SET work_version = 0 WHERE id = $1", workflow_id
        )
        [row] = (await index.by_ids(owner_conn, [workflow_id])).values()
        await services.reconciler.reconcile_instance(row)
        # while filling in work columns written before the work queue announces the work
        await owner_conn.execute(
            "UPDATE wfm.workflow_instances_index SET work_kind = NULL, work_step = NULL, "
            "waiting_since = NULL, due_at = NULL, work_roles = '{}', work_version = 0 "
            "WHERE id = $1",
            workflow_id,
        )
        [row] = (await index.by_ids(owner_conn, [workflow_id])).values()
        await services.reconciler.reconcile_instance(row)
        await asyncio.sleep(0.2)
    finally:
        await owner_conn.remove_listener(CHANNEL, listen)
    mine = [c for c in received if c is not None and c.workflow_id == workflow_id]
    assert [(c.version, c.status, c.work) for c in mine] == [
        (1, "DRAFT", False),  # nothing waits for a person on a draft
        (2, "IN_PROGRESS", True),  # its first step does
        (2, "IN_PROGRESS", True),
    ]
    assert {(c.tenant_id, c.template_key) for c in mine} == {(tenant.id, "contract-onboarding")}


async def test_a_subscriber_that_falls_behind_gets_one_resync_instead_of_a_growing_queue():
    clock = FrozenClock(datetime(2026, 1, 5, 8, tzinfo=UTC))
    feed = ChangeFeed(2, clock)
    changes = [
        WorkflowChanged(uuid.uuid4(), uuid.uuid4(), n, "IN_PROGRESS", "k") for n in range(1, 6)
    ]
    feed.offer(changes[0])
    clock.advance(timedelta(seconds=5))
    for change in changes[1:]:
        feed.offer(change)
    assert await feed.next() == Resync(since=datetime(2026, 1, 5, 8, tzinfo=UTC))
    feed.offer(changes[0])
    assert await feed.next() == changes[0]


README = Path(__file__).resolve().parents[3] / "README.md"
README_SUBSCRIPTION = re.compile(r"^```graphql-ws\n(.*?)^```", re.DOTALL | re.MULTILINE)


async def test_the_readme_subscriptions_run_verbatim_and_each_receives_a_change(
    apis, first, key, people, worker
):
    examples = README_SUBSCRIPTION.findall(README.read_text(encoding="utf-8"))
    assert len(examples) == 3
    workflow_id = await started_workflow(first, key, people.a.user)
    async with live_connection(apis.second, token=people.ops.token) as live:
        subscriptions = [
            await live.subscribe(example, {"id": workflow_id} if "$id" in example else {})
            for example in examples
        ]
        # workflowChanged answers the workflow as it stands first
        assert (await subscriptions[0].next_data())["workflowChanged"]["id"] == workflow_id
        await asyncio.sleep(0.5)  # every subscription listens before the change
        (await first(EXECUTE, {"id": workflow_id, "step": "apply"}, token=people.a.user.token)).ok()
        changed = (await subscriptions[0].next_data())["workflowChanged"]
        assert changed["currentStepId"] == "announce"
        listed = (await subscriptions[1].next_data())["workflowsChanged"]
        assert listed["workflow"]["id"] == workflow_id
        queue = (await subscriptions[2].next_data())["workQueueChanged"]
        assert queue["workflowId"] in (workflow_id, None)
