"""Issue 2, test 2: with tenant A's token, tenant B's ids answer exactly like unknown ids,
lists show only A's rows, and nothing of B changes; market operations see both."""

import uuid

import pytest

from wfm_testing.onboarding import CREATE, drive, step_data

WORKFLOW = "query($id: ID!) { workflow(id: $id) { id status version } }"
TENANT = "query($id: ID!) { tenant(id: $id) { id slug } }"
LIST = "{ workflows(first: 100) { edges { node { id tenant { id } } } } }"
LIST_FOR = (
    "query($t: ID!) { workflows(first: 100, filter: {tenantId: $t}) { edges { node { id } } } }"
)
TENANTS = "{ tenants { nodes { id } } }"

# Every operation that takes an id of another tenant, with the variables it needs.
OPERATIONS = {
    "workflow": (WORKFLOW, lambda wf, tenant: {"id": wf}),
    "tenant": (TENANT, lambda wf, tenant: {"id": tenant}),
    "startWorkflow": (
        "mutation($id: ID!) { startWorkflow(workflowId: $id) { id } }",
        lambda wf, t: {"id": wf},
    ),
    "executeStep": (
        'mutation($id: ID!, $d: JSON!) { executeStep(workflowId: $id, stepId: "company-info", data: $d) { id } }',
        lambda wf, t: {"id": wf, "d": {}},
    ),
    "submitWorkflow": (
        "mutation($id: ID!) { submitWorkflow(workflowId: $id) { id } }",
        lambda wf, t: {"id": wf},
    ),
    "approveWorkflow": (
        "mutation($id: ID!) { approveWorkflow(workflowId: $id) { id } }",
        lambda wf, t: {"id": wf},
    ),
    "rejectWorkflow": (
        'mutation($id: ID!) { rejectWorkflow(workflowId: $id, reason: "no") { id } }',
        lambda wf, t: {"id": wf},
    ),
    "createWorkflow": (CREATE, lambda wf, tenant: {"role": "BSP", "tenantId": tenant}),
    "pauseWorkflow": (
        "mutation($id: ID!) { pauseWorkflow(workflowId: $id) { id } }",
        lambda wf, t: {"id": wf},
    ),
    "resumeWorkflow": (
        "mutation($id: ID!) { resumeWorkflow(workflowId: $id) { id } }",
        lambda wf, t: {"id": wf},
    ),
    "validateWorkflow": (
        "mutation($id: ID!) { validateWorkflow(workflowId: $id) { valid } }",
        lambda wf, t: {"id": wf},
    ),
    "rollbackWorkflow": (
        'mutation($id: ID!) { rollbackWorkflow(workflowId: $id, toStepId: "company-info") { id } }',
        lambda wf, t: {"id": wf},
    ),
    "failWorkflow": (
        'mutation($id: ID!) { failWorkflow(workflowId: $id, reason: "x") { id } }',
        lambda wf, t: {"id": wf},
    ),
    "cancelWorkflow": (
        "mutation($id: ID!) { cancelWorkflow(workflowId: $id) { id } }",
        lambda wf, t: {"id": wf},
    ),
    "retryWorkflow": (
        "mutation($id: ID!) { retryWorkflow(workflowId: $id) { id } }",
        lambda wf, t: {"id": wf},
    ),
    "workflow.stateAt": (
        "query($id: ID!) { workflow(id: $id) { stateAt(seq: 1) { status } } }",
        lambda wf, t: {"id": wf},
    ),
    "saveStepDraft": (
        'mutation($id: ID!) { saveStepDraft(workflowId: $id, stepId: "company-info", data: {}) { stepId } }',
        lambda wf, t: {"id": wf},
    ),
    "discardStepDraft": (
        'mutation($id: ID!) { discardStepDraft(workflowId: $id, stepId: "company-info") }',
        lambda wf, t: {"id": wf},
    ),
    "workflow.drafts": (
        "query($id: ID!) { workflow(id: $id) { drafts { stepId data } } }",
        lambda wf, t: {"id": wf},
    ),
    "idempotent executeStep": (
        'mutation($id: ID!) { executeStep(workflowId: $id, stepId: "company-info", data: {}, idempotencyKey: "k") { id } }',
        lambda wf, t: {"id": wf},
    ),
}


@pytest.fixture
async def world(gql, factory):
    tenant_a, tenant_b = await factory.tenant(), await factory.tenant()
    a = await factory.account("tenant_admin", tenant_a)
    b = await factory.account("tenant_admin", tenant_b)
    ops = await factory.account("market_ops")
    a_workflow = await drive(gql, tenant_a, a.token, until="IN_PROGRESS")
    # one onboarding per market role at a time: the draft is for another role
    b_draft = await drive(gql, tenant_b, b.token, until="DRAFT", role="GU")
    b_submitted = await drive(gql, tenant_b, b.token, until="SUBMITTED")
    return {
        "tenant_a": tenant_a,
        "tenant_b": tenant_b,
        "a": a,
        "b": b,
        "ops": ops,
        "a_workflow": a_workflow,
        "b_workflows": [b_draft, b_submitted],
    }


def shape(result, hidden_id):
    """An answer with the id masked: what a client can learn from it."""
    return [
        (e["extensions"]["code"], e["message"].replace(hidden_id, "<id>"), e.get("path"))
        for e in result.errors
    ], result.data


async def b_versions(gql, world):
    token = world["b"].token
    return [
        (await gql(WORKFLOW, {"id": wf}, token=token)).ok()["workflow"]
        for wf in world["b_workflows"]
    ]


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@pytest.mark.parametrize("role", ["tenant_admin", "tenant_user"])
async def test_another_tenants_id_answers_like_an_unknown_one(gql, factory, world, operation, role):
    query, variables = OPERATIONS[operation]
    caller = (
        world["a"]
        if role == "tenant_admin"
        else await factory.account("tenant_user", world["tenant_a"])
    )
    before = await b_versions(gql, world)
    for b_workflow in world["b_workflows"]:
        foreign_id = (
            b_workflow
            if operation != "tenant" and operation != "createWorkflow"
            else str(world["tenant_b"].id)
        )
        unknown_id = str(uuid.uuid4())
        foreign = await gql(
            query, variables(b_workflow, str(world["tenant_b"].id)), token=caller.token
        )
        unknown = await gql(
            query,
            variables(unknown_id, unknown_id),
            token=caller.token,
        )
        assert foreign.codes == ["NOT_FOUND"], (operation, foreign.errors)
        assert shape(foreign, foreign_id) == shape(unknown, unknown_id)
    assert await b_versions(gql, world) == before


async def test_lists_show_only_the_callers_rows(gql, world):
    a, tenant_a, tenant_b = world["a"], world["tenant_a"], world["tenant_b"]
    edges = (await gql(LIST, token=a.token)).ok()["workflows"]["edges"]
    assert {e["node"]["id"] for e in edges} == {world["a_workflow"]}
    assert {e["node"]["tenant"]["id"] for e in edges} == {str(tenant_a.id)}
    assert (await gql(LIST_FOR, {"t": str(tenant_b.id)}, token=a.token)).ok()["workflows"][
        "edges"
    ] == []
    assert [t["id"] for t in (await gql(TENANTS, token=a.token)).ok()["tenants"]["nodes"]] == [
        str(tenant_a.id)
    ]
    b_edges = (await gql(LIST, token=world["b"].token)).ok()["workflows"]["edges"]
    assert {e["node"]["id"] for e in b_edges} == set(world["b_workflows"])


async def test_market_operations_see_and_act_on_every_tenant(gql, world):
    ops = world["ops"]
    ids = {e["node"]["id"] for e in (await gql(LIST, token=ops.token)).ok()["workflows"]["edges"]}
    assert {world["a_workflow"], *world["b_workflows"]} <= ids
    assert len((await gql(TENANTS, token=ops.token)).ok()["tenants"]["nodes"]) >= 2
    for tenant in (world["tenant_a"], world["tenant_b"]):
        found = (await gql(TENANT, {"id": str(tenant.id)}, token=ops.token)).ok()["tenant"]
        assert found == {"id": str(tenant.id), "slug": tenant.slug}
    only_b = (await gql(LIST_FOR, {"t": str(world["tenant_b"].id)}, token=ops.token)).ok()
    assert {e["node"]["id"] for e in only_b["workflows"]["edges"]} == set(world["b_workflows"])
    approve = "mutation($id: ID!) { approveWorkflow(workflowId: $id) { status } }"
    assert (await gql(approve, {"id": world["b_workflows"][1]}, token=ops.token)).ok()[
        "approveWorkflow"
    ] == {"status": "COMPLETED"}
    created = await gql(
        CREATE, {"role": "GU", "tenantId": str(world["tenant_a"].id)}, token=ops.token
    )
    assert created.ok()["createWorkflow"]["status"] == "DRAFT"


async def test_a_tenant_can_create_only_for_itself(gql, world):
    a = world["a"]
    own = await gql(CREATE, {"role": "BSP", "tenantId": str(world["tenant_a"].id)}, token=a.token)
    assert own.ok()["createWorkflow"]["status"] == "DRAFT"
    ops_without_tenant = await gql(CREATE, {"role": "BSP"}, token=world["ops"].token)
    assert ops_without_tenant.codes == ["VALIDATION_FAILED"]


async def test_step_data_of_another_tenant_never_reaches_the_caller(gql, world):
    """Even market-ops-only fields: B's form data is not reachable with A's token."""
    query = "query($id: ID!) { workflow(id: $id) { state { steps { data } } events { edges { node { data } } } } }"
    result = await gql(query, {"id": world["b_workflows"][1]}, token=world["a"].token)
    assert result.codes == ["NOT_FOUND"]
    assert result.data is None
    assert step_data(world["tenant_b"])["company-info"]["vatNumber"] not in str(result.body)
