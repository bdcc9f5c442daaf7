"""`retryWorkflow` over GraphQL: a FAILED workflow goes on at the step it failed at, its data
kept, for market operations and the tenant's administrators (`workflows.retry`), offered in
`allowedActions`, audited; another tenant's workflow answers like an unknown one, and a
workflow that has not failed cannot be retried."""

import uuid

from wfm_testing.onboarding import EXECUTE, drive, step_data

RETRY = """mutation($id: ID!, $k: String) {
  retryWorkflow(workflowId: $id, idempotencyKey: $k) {
    status version currentStepId allowedActions
    state { steps { id status data } }
  }
}"""
FAIL = "mutation($id: ID!, $r: String!) { failWorkflow(workflowId: $id, reason: $r) { status } }"
ACTIONS = "query($id: ID!) { workflow(id: $id) { status allowedActions } }"
AUDIT = """query($t: ID!) { auditLog(filter: {tenantId: $t}, first: 50) {
  nodes { action actor { name } } } }"""


async def failed_after_one_step(gql, factory):
    """Tenant A's onboarding, its first step done, failed by market operations on the second."""
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    user = await factory.account("tenant_user", tenant)
    ops = await factory.account("market_ops")
    workflow_id = await drive(gql, tenant, user.token, until="IN_PROGRESS")
    company = step_data(tenant)["company-info"]
    variables = {"id": workflow_id, "step": "company-info", "data": company}
    (await gql(EXECUTE, variables, token=user.token)).ok()
    failed = await gql(FAIL, {"id": workflow_id, "r": "the registry is down"}, token=ops.token)
    assert failed.ok()["failWorkflow"]["status"] == "FAILED"
    return tenant, admin, user, ops, workflow_id, company


async def test_a_tenant_admin_retries_a_failed_workflow_at_its_step_with_the_data_kept(
    gql, factory
):
    tenant, admin, _, _, workflow_id, company = await failed_after_one_step(gql, factory)
    offered = (await gql(ACTIONS, {"id": workflow_id}, token=admin.token)).ok()["workflow"]
    assert offered == {"status": "FAILED", "allowedActions": ["CANCEL", "RETRY"]}

    variables = {"id": workflow_id, "k": "retry-after-outage"}
    retried = (await gql(RETRY, variables, token=admin.token)).ok()["retryWorkflow"]
    assert retried["status"] == "IN_PROGRESS"
    assert retried["currentStepId"] == "contacts"
    assert "RETRY" not in retried["allowedActions"]
    steps = {s["id"]: s for s in retried["state"]["steps"]}
    assert steps["company-info"]["status"] == "COMPLETED"
    assert steps["company-info"]["data"] == company
    assert steps["contacts"]["status"] == "ACTIVE"

    # the same request again: its first answer, nothing appended
    again = (await gql(RETRY, variables, token=admin.token)).ok()["retryWorkflow"]
    assert again["version"] == retried["version"]
    entries = (await gql(AUDIT, {"t": str(tenant.id)}, token=admin.token)).ok()["auditLog"]
    assert [e["action"] for e in entries["nodes"]].count("WORKFLOW_RETRIED") == 1


async def test_market_operations_retry_and_a_tenant_user_may_not(gql, factory):
    _, _, user, ops, workflow_id, _ = await failed_after_one_step(gql, factory)
    offered = (await gql(ACTIONS, {"id": workflow_id}, token=user.token)).ok()["workflow"]
    assert offered["allowedActions"] == ["CANCEL"]
    refused = await gql(RETRY, {"id": workflow_id}, token=user.token)
    assert refused.codes == ["FORBIDDEN"]
    assert "lacks workflows.retry" in refused.errors[0]["message"]
    retried = (await gql(RETRY, {"id": workflow_id}, token=ops.token)).ok()["retryWorkflow"]
    assert retried["status"] == "IN_PROGRESS"


async def test_a_workflow_that_has_not_failed_cannot_be_retried(gql, factory):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    workflow_id = await drive(gql, tenant, admin.token, until="IN_PROGRESS")
    refused = await gql(RETRY, {"id": workflow_id}, token=admin.token)
    assert refused.codes == ["INVALID_TRANSITION"]
    assert refused.errors[0]["message"] == "cannot retry a workflow that is IN_PROGRESS"


async def test_another_tenants_failed_workflow_answers_like_an_unknown_one(gql, factory):
    _, _, _, _, workflow_id, _ = await failed_after_one_step(gql, factory)
    other = await factory.tenant()
    stranger = await factory.account("tenant_admin", other)
    unknown_id = str(uuid.uuid4())
    foreign = await gql(RETRY, {"id": workflow_id}, token=stranger.token)
    unknown = await gql(RETRY, {"id": unknown_id}, token=stranger.token)
    assert foreign.codes == unknown.codes == ["NOT_FOUND"]
    assert foreign.errors[0]["message"].replace(workflow_id, "<id>") == unknown.errors[0][
        "message"
    ].replace(unknown_id, "<id>")
    still = await gql(
        ACTIONS, {"id": workflow_id}, token=(await factory.account("market_ops")).token
    )
    assert still.ok()["workflow"]["status"] == "FAILED"
