"""The work queue through GraphQL, with two tenants: each person sees what waits for their
role (or is assigned to them) and never another tenant's; market operations see theirs in
every tenant. Claiming, assigning and releasing are events of the workflow's log; assigned
work is done by its assignee or a supervisor. The `workflows` list's new filters and its
totalCount. A workflow's due date, overdue once the clock passes it. Rows written before the
queue existed are filled in by the reconciler."""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from wfm_api.app import create_app
from wfm_engine import FailWorkflow
from wfm_shared.clock import FrozenClock
from wfm_storage.instrumentation import counting_round_trips
from wfm_storage.repositories.templates import TemplateRepository
from wfm_testing.factories import Tenancy
from wfm_testing.graphql import GraphQLClient
from wfm_testing.pytest_plugin import next_client_address
from wfm_testing.templates import form_step, step, template, text
from wfm_workflows.extensions import load_catalog

QUEUE = """query($filter: WorkItemFilter, $first: Int, $after: String) {
  workItems(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { cursor node {
      id kind stepId stepTitle since dueAt breached roles escalatedTo templateKey marketRole
      tenant { id companyName } assignee { id name }
      workflow { id status currentStepId }
    } }
    pageInfo { hasNextPage endCursor }
  } }"""
CREATE = """mutation($key: String!, $tenant: ID) {
  createWorkflow(marketRole: GU, templateKey: $key, tenantId: $tenant) { id } }"""
START = "mutation($id: ID!) { startWorkflow(workflowId: $id) { status } }"
EXECUTE = """mutation($id: ID!, $step: String!) {
  executeStep(workflowId: $id, stepId: $step, data: {}) { currentStepId status } }"""
CLAIM = "mutation($id: ID!) { claimWorkItem(workflowId: $id) { id assignee { id } } }"
ASSIGN = """mutation($id: ID!, $user: ID!) {
  assignWorkItem(workflowId: $id, userId: $user) { id assignee { id name } } }"""
RELEASE = "mutation($id: ID!) { releaseWorkItem(workflowId: $id) { id assignee { id } } }"
WORKFLOWS = """query($filter: WorkflowFilter, $first: Int) {
  workflows(filter: $filter, first: $first) { totalCount nodes { id currentStepId } } }"""
# a queue without the items' tenants and assignees; one with them, asked in fragments, on
# the edges' nodes and on the nodes
BARE_QUEUE = """query($filter: WorkItemFilter, $first: Int) {
  workItems(filter: $filter, first: $first) { edges { node { id kind stepId since } } } }"""
WHOSE_QUEUE = """query($filter: WorkItemFilter, $first: Int) {
  workItems(filter: $filter, first: $first) {
    edges { node { id ...Whose } }
    nodes { id ... on WorkItem { assignee { id name } } }
  } }
fragment Whose on WorkItem { tenant { id companyName } }"""
EVENTS = """query($id: ID!) { workflow(id: $id) {
  events(last: 3) { edges { node { type stepId data performedBy { id } } } } } }"""


@dataclass
class World:
    key: str
    a: Tenancy
    b: Tenancy
    ops: object
    other_ops: object


@pytest.fixture
async def world(factory, owner_conn):
    """Two tenants (an admin, a French-speaking user and a colleague each), two operators,
    and a template of its own: a form with an SLA, then a review for market operations."""
    definition = template(
        [
            form_step(
                "apply",
                title=text("Application", "Demande", "Aanvraag"),
                sla={"duration": "P2D", "escalateTo": "market_ops"},
            ),
            step("review", "approval", roles=["market_ops"], title=text("Technical review")),
        ],
        name="Work queue",
    )
    await TemplateRepository().save(
        owner_conn, load_catalog().registries.parse_template(definition)
    )

    async def tenancy(name):
        tenant = await factory.tenant(company_name=name)
        return Tenancy(
            tenant,
            await factory.account("tenant_admin", tenant),
            await factory.account("tenant_user", tenant, locale="fr", display_name="Ann"),
            await factory.account("tenant_user", tenant),
        )

    suffix = uuid.uuid4().hex[:6]
    return World(
        definition["key"],
        await tenancy(f"Ardennes Energie {suffix}"),
        await tenancy(f"Brabant Power {suffix}"),
        await factory.account("market_ops", display_name="Olga Ops"),
        await factory.account("market_ops"),
    )


async def started(gql, world, tenancy, *, until="apply"):
    """A workflow of `tenancy` at step `until`."""
    created = await gql(CREATE, {"key": world.key}, token=tenancy.admin.token)
    workflow_id = created.ok()["createWorkflow"]["id"]
    (await gql(START, {"id": workflow_id}, token=tenancy.admin.token)).ok()
    if until == "review":
        (await gql(EXECUTE, {"id": workflow_id, "step": "apply"}, token=tenancy.user.token)).ok()
    return workflow_id


async def queue(gql, account, world, **filter_):
    result = await gql(
        QUEUE, {"filter": {"templateKey": world.key, **filter_}, "first": 50}, token=account.token
    )
    return result.ok()["workItems"]


def ids(connection):
    return [edge["node"]["id"] for edge in connection["edges"]]


async def test_each_person_sees_what_waits_for_their_role_and_never_another_tenants(gql, world):
    a_apply = await started(gql, world, world.a)
    b_apply = await started(gql, world, world.b)
    a_review = await started(gql, world, world.a, until="review")

    mine = await queue(gql, world.a.user, world)
    assert ids(mine) == [a_apply]
    assert mine["totalCount"] == 1
    item = mine["edges"][0]["node"]
    assert item["kind"] == "STEP"
    assert item["stepId"] == "apply"
    assert item["stepTitle"] == "Demande"  # the user reads French
    assert item["roles"] == ["tenant_admin", "tenant_user"]
    assert item["tenant"]["companyName"] == world.a.tenant.company_name
    assert item["assignee"] is None
    assert item["breached"] is False
    # the SLA of two days counts from the step's activation
    since = datetime.fromisoformat(item["since"])
    assert datetime.fromisoformat(item["dueAt"]) - since == timedelta(days=2)

    assert ids(await queue(gql, world.b.user, world)) == [b_apply]
    assert ids(await queue(gql, world.a.admin, world)) == [a_apply]
    # another tenant's id finds nothing: the same answer as an unknown tenant
    assert ids(await queue(gql, world.a.user, world, tenantId=str(world.b.tenant.id))) == []

    ops = await queue(gql, world.ops, world)
    assert ids(ops) == [a_review]
    review = ops["edges"][0]["node"]
    assert (review["kind"], review["stepTitle"], review["roles"]) == (
        "APPROVAL",
        "Technical review",
        ["market_ops"],
    )
    # a supervisor's view: everything of the tenants they see, whoever it waits for
    everything = await queue(gql, world.ops, world, anyRole=True)
    assert set(ids(everything)) == {a_apply, b_apply, a_review}
    assert everything["totalCount"] == 3
    assert set(ids(await queue(gql, world.a.admin, world, anyRole=True))) == {a_apply, a_review}
    refused = await gql(
        QUEUE, {"filter": {"templateKey": world.key, "anyRole": True}}, token=world.a.user.token
    )
    assert refused.codes == ["FORBIDDEN"]
    assert "lacks work.assign" in refused.errors[0]["message"]


async def test_the_queue_is_ordered_by_due_date_then_since_and_paged_with_cursors(
    gql, world, owner_conn
):
    first, second, third = [await started(gql, world, world.a) for _ in range(3)]
    review = await started(gql, world, world.a, until="review")  # no due date: last
    # the third's SLA comes first, then the first's, then the second's
    for workflow_id, hours in ((third, 1), (first, 2), (second, 3)):
        await owner_conn.execute(
            "UPDATE wfm.workflow_instances_index SET due_at = now() + make_interval(hours => $2) "
            "WHERE id = $1",
            uuid.UUID(workflow_id),
            hours,
        )
    expected = [third, first, second, review]
    everything = await queue(gql, world.a.admin, world, anyRole=True)
    assert ids(everything) == expected

    seen, after = [], None
    while True:
        page = (
            await gql(
                QUEUE,
                {"filter": {"templateKey": world.key, "anyRole": True}, "first": 3, "after": after},
                token=world.a.admin.token,
            )
        ).ok()["workItems"]
        assert page["totalCount"] == 4
        seen += ids(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == expected


async def test_the_queue_filters_by_kind_step_overdue_and_market_role(gql, world, owner_conn):
    applying = await started(gql, world, world.a)
    late = await started(gql, world, world.a)
    review = await started(gql, world, world.a, until="review")
    await owner_conn.execute(
        "UPDATE wfm.workflow_instances_index SET due_at = now() - interval '1 hour' WHERE id = $1",
        uuid.UUID(late),
    )
    admin = world.a.admin
    assert ids(await queue(gql, admin, world, anyRole=True, kind="APPROVAL")) == [review]
    assert set(ids(await queue(gql, admin, world, anyRole=True, stepId="apply"))) == {
        applying,
        late,
    }
    overdue = await queue(gql, admin, world, overdue=True)
    assert ids(overdue) == [late]
    assert overdue["edges"][0]["node"]["breached"] is True
    assert ids(await queue(gql, admin, world, overdue=False)) == [applying]
    assert ids(await queue(gql, admin, world, marketRole="BRP")) == []
    assert ids(await queue(gql, admin, world, tenantId=str(world.a.tenant.id))) == [
        late,
        applying,
    ]


async def test_claimed_work_is_done_by_its_assignee_or_a_supervisor(gql, world):
    workflow_id = await started(gql, world, world.a)
    a = world.a

    claimed = (await gql(CLAIM, {"id": workflow_id}, token=a.user.token)).ok()["claimWorkItem"]
    assert claimed["assignee"]["id"] == str(a.user.user.id)
    # a colleague may neither do it nor take it: the refusal names the assignee
    refused = await gql(EXECUTE, {"id": workflow_id, "step": "apply"}, token=a.colleague.token)
    assert refused.codes == ["FORBIDDEN"]
    assert refused.errors[0]["extensions"]["assigneeId"] == str(a.user.user.id)
    assert str(a.user.user.id) in refused.errors[0]["message"]
    assert (await gql(CLAIM, {"id": workflow_id}, token=a.colleague.token)).codes == ["FORBIDDEN"]

    mine = await queue(gql, a.user, world, assignedToMe=True)
    assert ids(mine) == [workflow_id]
    assert mine["edges"][0]["node"]["assignee"]["name"] == "Ann"
    assert ids(await queue(gql, a.colleague, world, unassigned=True)) == []
    assert ids(await queue(gql, a.colleague, world)) == [workflow_id]  # waits for their role

    events = (await gql(EVENTS, {"id": workflow_id}, token=a.admin.token)).ok()
    assigned = events["workflow"]["events"]["edges"][-1]["node"]
    assert assigned["type"] == "STEP_ASSIGNED"
    assert assigned["stepId"] == "apply"
    assert assigned["data"] == {"assigneeId": str(a.user.user.id)}
    assert assigned["performedBy"]["id"] == str(a.user.user.id)

    # the administrator supervises: takes it over and executes it
    (await gql(EXECUTE, {"id": workflow_id, "step": "apply"}, token=a.admin.token)).ok()
    # now the review waits: market operations', and nobody holds it any more
    ops = await queue(gql, world.ops, world)
    assert ids(ops) == [workflow_id]
    assert ops["edges"][0]["node"]["assignee"] is None


async def test_assigning_needs_work_assign_and_an_assignee_who_may_do_the_work(gql, world):
    workflow_id = await started(gql, world, world.a)
    a = world.a

    def assign(user, token):
        return gql(ASSIGN, {"id": workflow_id, "user": str(user.user.id)}, token=token)

    refused = await assign(a.colleague, a.user.token)
    assert refused.codes == ["FORBIDDEN"]
    assert "lacks work.assign" in refused.errors[0]["message"]

    given = (await assign(a.colleague, a.admin.token)).ok()["assignWorkItem"]
    assert given["assignee"]["id"] == str(a.colleague.user.id)
    # another tenant's user answers like one who does not exist
    foreign = await assign(world.b.user, a.admin.token)
    unknown = await gql(ASSIGN, {"id": workflow_id, "user": str(uuid.uuid4())}, token=a.admin.token)
    assert foreign.codes == unknown.codes == ["NOT_FOUND"]
    # market operations see every user, but B's user may not do A's work
    invalid = await assign(world.b.user, world.ops.token)
    assert invalid.codes == ["VALIDATION_FAILED"]
    assert invalid.errors[0]["extensions"]["fields"][0]["path"] == ["userId"]

    # the one it was given to releases it; someone else may not
    refused = await gql(RELEASE, {"id": workflow_id}, token=a.user.token)
    assert refused.codes == ["FORBIDDEN"]
    released = (await gql(RELEASE, {"id": workflow_id}, token=a.colleague.token)).ok()
    assert released["releaseWorkItem"]["assignee"] is None

    # the review waits for market operations: a tenant user cannot be given it
    review = await started(gql, world, world.a, until="review")
    invalid = await gql(ASSIGN, {"id": review, "user": str(a.user.user.id)}, token=world.ops.token)
    assert invalid.codes == ["VALIDATION_FAILED"]
    given = await gql(
        ASSIGN, {"id": review, "user": str(world.other_ops.user.id)}, token=world.ops.token
    )
    assert given.ok()["assignWorkItem"]["assignee"]["id"] == str(world.other_ops.user.id)
    # nothing waits on a draft
    draft = (await gql(CREATE, {"key": world.key}, token=a.admin.token)).ok()["createWorkflow"]
    assert (await gql(CLAIM, {"id": draft["id"]}, token=a.admin.token)).codes == [
        "INVALID_TRANSITION"
    ]


async def test_another_tenants_work_item_answers_like_an_unknown_one(gql, world):
    b_item = await started(gql, world, world.b)
    for mutation, variables in (
        (CLAIM, {"id": b_item}),
        (RELEASE, {"id": b_item}),
        (ASSIGN, {"id": b_item, "user": str(world.a.user.user.id)}),
    ):
        foreign = await gql(mutation, variables, token=world.a.admin.token)
        unknown = await gql(
            mutation, {**variables, "id": str(uuid.uuid4())}, token=world.a.admin.token
        )
        assert foreign.codes == unknown.codes == ["NOT_FOUND"], foreign.errors
    assert ids(await queue(gql, world.b.user, world)) == [b_item]
    assert (await queue(gql, world.b.user, world))["edges"][0]["node"]["assignee"] is None


async def test_a_workflow_that_failed_at_a_step_waits_for_its_rollback_holders(
    gql, world, services
):
    workflow_id = await started(gql, world, world.a)
    await services.workflows.execute(
        world.ops.principal,
        uuid.UUID(workflow_id),
        FailWorkflow("step 'apply': the registry is down", "apply"),
    )
    ops = await queue(gql, world.ops, world, kind="FAILURE")
    assert ids(ops) == [workflow_id]
    assert ops["edges"][0]["node"]["roles"] == ["market_ops", "tenant_admin"]
    assert ids(await queue(gql, world.a.admin, world, kind="FAILURE")) == [workflow_id]
    assert ids(await queue(gql, world.a.user, world, kind="FAILURE")) == []


async def test_the_workflows_list_filters_on_the_index_and_counts(gql, world, owner_conn):
    at_apply = await started(gql, world, world.a)
    at_review = await started(gql, world, world.a, until="review")
    in_b = await started(gql, world, world.b)
    ops = world.ops.token

    async def listed(**filter_):
        result = await gql(
            WORKFLOWS, {"filter": {"templateKey": world.key, **filter_}, "first": 50}, token=ops
        )
        found = result.ok()["workflows"]
        assert found["totalCount"] == len(found["nodes"])
        return {node["id"] for node in found["nodes"]}

    assert await listed() == {at_apply, at_review, in_b}
    assert await listed(currentStepId="review") == {at_review}
    assert await listed(tenantName=world.a.tenant.company_name[3:12].upper()) == {
        at_apply,
        at_review,
    }
    assert await listed(tenantName="%") == set()  # its wildcards are taken literally

    (await gql(CLAIM, {"id": in_b}, token=world.b.user.token)).ok()
    assert await listed(assigneeId=str(world.b.user.user.id)) == {in_b}

    await owner_conn.execute(
        "UPDATE wfm.workflow_instances_index SET due_at = now() - interval '1 minute', "
        "created_at = created_at - interval '10 days' WHERE id = $1",
        uuid.UUID(at_apply),
    )
    assert await listed(overdue=True) == {at_apply}
    assert await listed(overdue=False) == {at_review, in_b}
    now = datetime.now(UTC)
    assert await listed(createdTo=(now - timedelta(days=5)).isoformat()) == {at_apply}
    assert await listed(createdFrom=(now - timedelta(days=5)).isoformat()) == {at_review, in_b}
    assert await listed(updatedFrom=(now - timedelta(hours=1)).isoformat()) == {
        at_apply,
        at_review,
        in_b,
    }
    assert await listed(updatedTo=(now - timedelta(hours=1)).isoformat()) == set()
    # a tenant's people count their own only
    mine = await gql(WORKFLOWS, {"filter": {"templateKey": world.key}}, token=world.a.user.token)
    assert mine.ok()["workflows"]["totalCount"] == 2


async def test_rows_projected_before_the_work_queue_are_filled_in_by_the_reconciler(
    gql, world, owner_conn, services
):
    workflow_id = await started(gql, world, world.a)
    # as migration 0013 leaves a row projected before it
    await owner_conn.execute(
        "UPDATE wfm.workflow_instances_index SET work_kind = NULL, work_step = NULL, "
        "waiting_since = NULL, due_at = NULL, work_roles = '{}', assignee_id = NULL, "
        "work_version = 0 WHERE id = $1",
        uuid.UUID(workflow_id),
    )
    assert ids(await queue(gql, world.a.user, world)) == []
    report = await services.reconciler.run()
    assert report.work_written >= 1
    assert ids(await queue(gql, world.a.user, world)) == [workflow_id]
    row = await owner_conn.fetchrow(
        "SELECT work_version, due_at FROM wfm.workflow_instances_index WHERE id = $1",
        uuid.UUID(workflow_id),
    )
    assert row["work_version"] == 1
    assert row["due_at"] is not None  # from the SLA timer the projection armed back then


async def test_the_total_asked_in_a_fragment_is_counted_all_the_same(gql, world):
    await started(gql, world, world.a)
    query = """query($filter: WorkItemFilter) { workItems(filter: $filter) { ...Total } }
      fragment Total on WorkItemConnection { totalCount }"""
    result = await gql(query, {"filter": {"templateKey": world.key}}, token=world.a.user.token)
    assert result.ok()["workItems"]["totalCount"] == 1


DEADLINE = "query($id: ID!) { workflow(id: $id) { dueAt overdue } }"
OVERDUE_WORKFLOWS = """query($filter: WorkflowFilter) {
  workflows(filter: $filter, first: 50) { nodes { id dueAt overdue } } }"""


@contextlib.asynccontextmanager
async def api_on(clock, settings, storage) -> AsyncIterator[GraphQLClient]:
    """The API in this process on `clock` (the tokens are checked against the real time)."""
    app = create_app(settings, storage=storage, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(next_client_address(), 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            yield GraphQLClient(http)


async def deadline(gql, account, workflow_id):
    result = await gql(DEADLINE, {"id": workflow_id}, token=account.token)
    return result.ok()["workflow"]


async def test_a_workflow_shows_when_its_waiting_step_is_due_and_then_that_it_is_overdue(
    world, wfm_settings, storage
):
    clock = FrozenClock(datetime.now(UTC).replace(microsecond=0))
    async with api_on(clock, wfm_settings, storage) as gql:
        created = await gql(CREATE, {"key": world.key}, token=world.a.admin.token)
        workflow_id = created.ok()["createWorkflow"]["id"]
        assert await deadline(gql, world.a.user, workflow_id) == {"dueAt": None, "overdue": False}
        started_at = clock.now()
        start = "mutation($id: ID!) { startWorkflow(workflowId: $id) { dueAt overdue } }"
        # the SLA of two days counts from the step's activation; a mutation answers it too
        due = {"dueAt": (started_at + timedelta(days=2)).isoformat(), "overdue": False}
        assert (await gql(start, {"id": workflow_id}, token=world.a.admin.token)).ok() == {
            "startWorkflow": due
        }
        assert await deadline(gql, world.a.user, workflow_id) == due

        clock.advance(timedelta(days=2, seconds=1))
        assert await deadline(gql, world.a.user, workflow_id) == {**due, "overdue": True}
        # the same notion of overdue as the filters and the work queue's items
        listed = await gql(
            OVERDUE_WORKFLOWS,
            {"filter": {"templateKey": world.key, "overdue": True}},
            token=world.ops.token,
        )
        assert listed.ok()["workflows"]["nodes"] == [{"id": workflow_id, **due, "overdue": True}]
        [item] = (await queue(gql, world.a.user, world))["edges"]
        assert (item["node"]["dueAt"], item["node"]["breached"]) == (due["dueAt"], True)

        # another tenant's people: as an unknown workflow
        foreign = await gql(DEADLINE, {"id": workflow_id}, token=world.b.user.token)
        unknown_id = str(uuid.uuid4())
        unknown = await gql(DEADLINE, {"id": unknown_id}, token=world.b.user.token)
        assert foreign.codes == unknown.codes == ["NOT_FOUND"]
        assert foreign.errors[0]["message"].replace(workflow_id, "?") == unknown.errors[0][
            "message"
        ].replace(unknown_id, "?")

        # the review that follows has no deadline
        executed = await gql(
            EXECUTE, {"id": workflow_id, "step": "apply"}, token=world.a.user.token
        )
        assert executed.ok()["executeStep"]["currentStepId"] == "review"
        assert await deadline(gql, world.ops, workflow_id) == {"dueAt": None, "overdue": False}


async def queue_cost(gql, query, account, world, first):
    """The answer and its Postgres round trips."""
    variables = {"filter": {"templateKey": world.key}, "first": first}
    with counting_round_trips() as trips:
        result = await gql(query, variables, token=account.token)
        # asyncpg reports queries to its loggers with call_soon: let them run
        for _ in range(3):
            await asyncio.sleep(0)
    return result.ok()["workItems"], trips.postgres


async def test_tenants_and_assignees_are_read_only_when_asked_and_in_one_read_each(gql, world):
    in_a = await started(gql, world, world.a, until="review")
    in_b = await started(gql, world, world.b, until="review")
    also_in_a = await started(gql, world, world.a, until="review")
    (await gql(CLAIM, {"id": in_a}, token=world.ops.token)).ok()
    await queue_cost(gql, WHOSE_QUEUE, world.ops, world, 3)  # warm the statement caches

    bare, bare_cost = await queue_cost(gql, BARE_QUEUE, world.ops, world, 3)
    assert ids(bare) == [in_a, in_b, also_in_a]
    assert {edge["node"]["stepId"] for edge in bare["edges"]} == {"review"}

    _, two_cost = await queue_cost(gql, WHOSE_QUEUE, world.ops, world, 2)
    whose, three_cost = await queue_cost(gql, WHOSE_QUEUE, world.ops, world, 3)
    assert [edge["node"] for edge in whose["edges"]] == [
        {
            "id": in_a,
            "tenant": {"id": str(world.a.tenant.id), "companyName": world.a.tenant.company_name},
        },
        {
            "id": in_b,
            "tenant": {"id": str(world.b.tenant.id), "companyName": world.b.tenant.company_name},
        },
        {
            "id": also_in_a,
            "tenant": {"id": str(world.a.tenant.id), "companyName": world.a.tenant.company_name},
        },
    ]
    assert whose["nodes"] == [
        {"id": in_a, "assignee": {"id": str(world.ops.user.id), "name": "Olga Ops"}},
        {"id": in_b, "assignee": None},
        {"id": also_in_a, "assignee": None},
    ]
    # whatever the page's size: its tenants in one read and its assignees in another, in the
    # request's read-only transaction (opened and committed: two more)
    assert two_cost == three_cost == bare_cost + 4, (bare_cost, two_cost, three_cost)
