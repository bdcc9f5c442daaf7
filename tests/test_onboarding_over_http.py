"""Issue 2, test 1: the whole contract onboarding over real HTTP against `wfm serve`."""

import uuid

import httpx
import pytest

from wfm_shared.principal import principal_for
from wfm_storage.documents import document_to_state
from wfm_testing.factories import TEST_PASSWORD
from wfm_testing.graphql import GraphQLClient
from wfm_testing.onboarding import (
    APPROVE,
    CREATE,
    EXECUTE,
    START,
    SUBMIT,
    step_data,
    with_uploaded_guarantee,
)

LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken user { role } }
}"""
WORKFLOW = """query($id: ID!) {
  workflow(id: $id) {
    id status currentStepId version marketRole
    tenant { id slug marketRoles { role status contractReference } }
    template { key version name(locale: NL) }
    state { steps { id status data completedAt } lastRejection { reason } }
    events(first: 50) { totalCount edges { node { seq type stepId performedBy { id kind } } } }
    allowedActions
  }
}"""


@pytest.fixture
async def http_gql(live_api_url):
    async with httpx.AsyncClient(base_url=live_api_url, timeout=30) as http:
        yield GraphQLClient(http)


async def test_contract_onboarding_end_to_end_over_http(http_gql, factory, owner_conn, storage):
    gql = http_gql
    tenant = await factory.tenant()
    participant = await factory.account("tenant_admin", tenant)
    operator = await factory.account("market_ops")

    token = (await gql(LOGIN, {"email": participant.user.email, "password": TEST_PASSWORD})).ok()[
        "login"
    ]["accessToken"]
    ops_token = (await gql(LOGIN, {"email": operator.user.email, "password": TEST_PASSWORD})).ok()[
        "login"
    ]["accessToken"]

    created = (await gql(CREATE, {"role": "BRP"}, token=token)).ok()["createWorkflow"]
    workflow_id = created["id"]
    assert (created["status"], created["version"]) == ("DRAFT", 1)

    started = (await gql(START, {"id": workflow_id}, token=token)).ok()["startWorkflow"]
    assert (started["status"], started["currentStepId"]) == ("IN_PROGRESS", "company-info")

    expected_next = ["contacts", "balancing-perimeter", "financial-guarantee", "portfolio", None]
    book = await with_uploaded_guarantee(gql, token, workflow_id, step_data(tenant))
    for (step, data), following in zip(book.items(), expected_next, strict=True):
        done = (
            await gql(EXECUTE, {"id": workflow_id, "step": step, "data": data}, token=token)
        ).ok()["executeStep"]
        assert done["currentStepId"] == following
    assert done["status"] == "AWAITING_VALIDATION"

    assert (await gql(SUBMIT, {"id": workflow_id}, token=token)).ok()["submitWorkflow"][
        "status"
    ] == "SUBMITTED"
    assert (await gql(APPROVE, {"id": workflow_id}, token=token)).codes == ["FORBIDDEN"]
    approved = (await gql(APPROVE, {"id": workflow_id}, token=ops_token)).ok()["approveWorkflow"]
    assert (approved["status"], approved["version"]) == ("COMPLETED", 9)

    workflow = (await gql(WORKFLOW, {"id": workflow_id}, token=token)).ok()["workflow"]
    assert workflow["status"] == "COMPLETED"
    assert workflow["allowedActions"] == []
    assert workflow["template"] == {
        "key": "contract-onboarding",
        "version": 1,
        "name": "Contractuele onboarding — evenwichtsverantwoordelijke (BRP)",
    }
    # small connections skip the technical review
    assert [s["status"] for s in workflow["state"]["steps"]] == ["COMPLETED"] * 5 + ["SKIPPED"]
    assert workflow["state"]["steps"][0]["data"]["vatNumber"] == tenant.vat_number
    events = [edge["node"] for edge in workflow["events"]["edges"]]
    assert [(e["seq"], e["type"], e["stepId"]) for e in events] == [
        (1, "WORKFLOW_CREATED", None),
        (2, "WORKFLOW_STARTED", None),
        (3, "STEP_COMPLETED", "company-info"),
        (4, "STEP_COMPLETED", "contacts"),
        (5, "STEP_COMPLETED", "balancing-perimeter"),
        (6, "STEP_COMPLETED", "financial-guarantee"),
        (7, "STEP_COMPLETED", "portfolio"),
        (8, "WORKFLOW_SUBMITTED", None),
        (9, "WORKFLOW_APPROVED", None),
    ]
    assert events[-1]["performedBy"] == {"id": str(operator.user.id), "kind": "USER"}
    role = workflow["tenant"]["marketRoles"]
    assert [(r["role"], r["status"]) for r in role] == [("BRP", "active")]
    assert role[0]["contractReference"].startswith("BRP-")

    # the Postgres index and the MongoDB document say the same as the API
    row = await owner_conn.fetchrow(
        "SELECT status, current_step, version, projected_version FROM wfm.workflow_instances_index WHERE id = $1",
        uuid.UUID(workflow_id),
    )
    assert dict(row) == {
        "status": "COMPLETED",
        "current_step": None,
        "version": 9,
        "projected_version": 9,
    }
    ops = principal_for(operator.user.id, None, "market_ops")
    document = await storage.mongo.instances.find_one({"_id": workflow_id})
    assert document_to_state(document).status.value == "COMPLETED"
    assert len(await storage.events.for_instance(ops, workflow_id)) == 9
    audit = await owner_conn.fetch(
        "SELECT action FROM wfm.audit_log WHERE target_id = $1 ORDER BY id", workflow_id
    )
    assert [a["action"] for a in audit][-1] == "WORKFLOW_APPROVED"
    assert len(audit) == 9
