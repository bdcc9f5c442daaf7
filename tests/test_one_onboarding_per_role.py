"""A tenant holds a market role under one contract: while the role is active or an
onboarding for it is open, another onboarding is refused (naming the existing workflow),
and an approval never replaces a contract reference in force."""

import asyncio

from wfm_testing.onboarding import APPROVE, CREATE, drive

CREATE_AS_OPS = """
mutation($role: MarketRole!, $tenantId: ID, $key: String) {
  createWorkflow(marketRole: $role, templateKey: "contract-onboarding", tenantId: $tenantId,
                 idempotencyKey: $key) { id status }
}"""
CANCEL = 'mutation($id: ID!) { cancelWorkflow(workflowId: $id, reason: "wrong role") { status } }'
STATUS = "query($id: ID!) { workflow(id: $id) { status } }"
COUNT = "query { workflows(first: 100) { edges { node { id marketRole } } } }"


async def listed(gql, token):
    edges = (await gql(COUNT, token=token)).ok()["workflows"]["edges"]
    return sorted((e["node"]["marketRole"], e["node"]["id"]) for e in edges)


async def test_a_second_onboarding_for_a_role_under_way_is_refused_naming_the_first(gql, factory):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    first = await drive(gql, tenant, admin.token, until="IN_PROGRESS")
    before = await listed(gql, admin.token)

    second = await gql(CREATE, {"role": "BRP"}, token=admin.token)

    assert second.codes == ["CONFLICT"]
    [error] = second.errors
    assert first in error["message"]
    assert "BRP" in error["message"]
    assert "IN_PROGRESS" in error["message"]
    assert error["extensions"]["existingWorkflowId"] == first
    assert error["extensions"]["existingStatus"] == "IN_PROGRESS"
    assert error["extensions"]["roleHeld"] is False
    assert await listed(gql, admin.token) == before  # nothing was created
    # another role is another contract
    other = (await gql(CREATE, {"role": "GU"}, token=admin.token)).ok()["createWorkflow"]
    assert other["status"] == "DRAFT"


async def test_once_the_open_onboarding_is_cancelled_a_new_one_may_start(gql, factory):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    first = await drive(gql, tenant, admin.token, until="DRAFT")
    (await gql(CANCEL, {"id": first}, token=admin.token)).ok()

    again = (await gql(CREATE, {"role": "BRP"}, token=admin.token)).ok()["createWorkflow"]

    assert again["id"] != first
    assert again["status"] == "DRAFT"


async def test_a_role_the_tenant_holds_is_not_onboarded_again(gql, factory, owner_conn):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    ops = await factory.account("market_ops")
    completed = await drive(gql, tenant, admin.token, until="COMPLETED", ops_token=ops.token)
    reference = await owner_conn.fetchval(
        "SELECT contract_reference FROM wfm.tenant_market_roles WHERE tenant_id = $1 AND role = 'BRP'",
        tenant.id,
    )

    again = await gql(CREATE_AS_OPS, {"role": "BRP", "tenantId": str(tenant.id)}, token=ops.token)

    assert again.codes == ["CONFLICT"]
    [error] = again.errors
    assert error["extensions"]["roleHeld"] is True
    assert error["extensions"]["contractReference"] == reference
    assert error["extensions"]["existingWorkflowId"] == completed
    assert reference in error["message"]
    assert completed in error["message"]


ROLE_CHANGE = """mutation($tenantId: ID!, $reason: String!) {
  %s(tenantId: $tenantId, marketRole: BRP, reason: $reason) { status }
}"""


async def test_a_suspended_or_terminated_role_is_refused_before_an_onboarding_starts(gql, factory):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    ops = await factory.account("market_ops")
    await drive(gql, tenant, admin.token, until="COMPLETED", ops_token=ops.token)
    tenant_id = {"tenantId": str(tenant.id), "reason": "collateral below the required level"}
    for change, status, told in (
        ("suspendMarketRole", "suspended", "suspended: reactivate it instead"),
        ("terminateMarketRole", "terminated", "is terminated, which is final"),
    ):
        (await gql(ROLE_CHANGE % change, tenant_id, token=ops.token)).ok()
        before = await listed(gql, admin.token)

        again = await gql(CREATE, {"role": "BRP"}, token=admin.token)

        assert again.codes == ["CONFLICT"]
        [error] = again.errors
        assert error["extensions"]["roleStatus"] == status
        assert told in error["message"]
        assert await listed(gql, admin.token) == before  # nothing was created


async def test_a_retried_create_with_its_idempotency_key_answers_the_first(gql, factory):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    variables = {"role": "BRP", "key": "onboard-brp"}

    first = (await gql(CREATE_AS_OPS, variables, token=admin.token)).ok()["createWorkflow"]
    again = (await gql(CREATE_AS_OPS, variables, token=admin.token)).ok()["createWorkflow"]

    assert again == first


async def test_concurrent_creates_for_one_role_make_one_onboarding(gql, factory):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)

    answers = await asyncio.gather(
        *(gql(CREATE, {"role": "BRP"}, token=admin.token) for _ in range(6))
    )

    created = [a.data["createWorkflow"]["id"] for a in answers if not a.errors]
    assert len(created) == 1
    assert sorted(code for a in answers for code in a.codes) == ["CONFLICT"] * 5
    assert all(created[0] in a.errors[0]["message"] for a in answers if a.errors)
    assert await listed(gql, admin.token) == [("BRP", created[0])]


async def test_another_tenants_onboarding_neither_blocks_nor_shows(gql, factory):
    tenant_a, tenant_b = await factory.tenant(), await factory.tenant()
    a = await factory.account("tenant_admin", tenant_a)
    b = await factory.account("tenant_admin", tenant_b)
    b_workflow = await drive(gql, tenant_b, b.token, until="IN_PROGRESS")

    own = (await gql(CREATE, {"role": "BRP"}, token=a.token)).ok()["createWorkflow"]
    refused = await gql(CREATE, {"role": "BRP"}, token=a.token)

    assert own["status"] == "DRAFT"
    assert refused.codes == ["CONFLICT"]
    assert refused.errors[0]["extensions"]["existingWorkflowId"] == own["id"]
    assert b_workflow not in str(refused.errors)


async def test_approving_never_replaces_a_contract_reference_in_force(gql, factory, owner_conn):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    ops = await factory.account("market_ops")
    submitted = await drive(gql, tenant, admin.token, until="SUBMITTED")
    # meanwhile the role was granted under an older contract (e.g. migrated from paper)
    await owner_conn.execute(
        "UPDATE wfm.tenant_market_roles SET status = 'active', contract_reference = $2 "
        "WHERE tenant_id = $1 AND role = 'BRP'",
        tenant.id,
        "BRP-2019-LEGACY42",
    )

    approving = await gql(APPROVE, {"id": submitted}, token=ops.token)

    assert approving.codes == ["CONFLICT"]
    assert "BRP-2019-LEGACY42" in approving.errors[0]["message"]
    status = (await gql(STATUS, {"id": submitted}, token=ops.token)).ok()["workflow"]["status"]
    assert status == "SUBMITTED"
    kept = await owner_conn.fetchval(
        "SELECT contract_reference FROM wfm.tenant_market_roles WHERE tenant_id = $1 AND role = 'BRP'",
        tenant.id,
    )
    assert kept == "BRP-2019-LEGACY42"


async def test_granting_a_role_keeps_the_contract_reference_in_force(factory, owner_conn, storage):
    tenant = await factory.tenant()
    granted = await storage.tenants.activate_market_role(owner_conn, tenant.id, "GU", "GU-1")
    again = await storage.tenants.activate_market_role(owner_conn, tenant.id, "GU", "GU-2")

    assert (granted, again) == ("GU-1", "GU-1")
