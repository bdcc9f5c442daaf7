"""The demo data lets every documented flow finish: each demo login works, a tenant user
sees their tenant only, and a large onboarding passes four eyes with the two demo
market-operations users."""

from wfm_storage.repositories.tenants import TenantRepository
from wfm_testing.onboarding import (
    APPROVE,
    CREATE,
    EXECUTE,
    START,
    SUBMIT,
    step_data,
    with_uploaded_guarantee,
)
from wfm_workflows.seed import DEMO_PASSWORD, DEMO_TENANTS, MARKET_OPS_USERS

LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken user { role } } }"""
WORKFLOWS = "query { workflows(first: 50) { edges { node { id tenant { companyName } } } } }"


async def token_of(gql, email):
    return (await gql(LOGIN, {"email": email, "password": DEMO_PASSWORD})).ok()["login"][
        "accessToken"
    ]


async def test_every_demo_login_works_with_its_role(demo_api):
    gql, _ = demo_api
    users = [*MARKET_OPS_USERS, *(u for t in DEMO_TENANTS for u in t.users)]
    assert len([u for u in users if u.role == "market_ops"]) == 2  # four eyes need two
    for tenant in DEMO_TENANTS:
        assert {u.role for u in tenant.users} == {"tenant_admin", "tenant_user"}
    for user in users:
        answer = (await gql(LOGIN, {"email": user.email, "password": DEMO_PASSWORD})).ok()
        assert answer["login"]["user"]["role"] == user.role


async def test_a_large_demo_onboarding_passes_four_eyes_with_the_two_ops_users(demo_api):
    gql, owner = demo_api
    ardennes = DEMO_TENANTS[0]
    admin, user = [await token_of(gql, u.email) for u in ardennes.users]
    ops, ops2 = [await token_of(gql, u.email) for u in MARKET_OPS_USERS]
    tenant = await TenantRepository().get(owner, ardennes.id)
    workflow_id = (await gql(CREATE, {"role": "BRP"}, token=admin)).ok()["createWorkflow"]["id"]
    (await gql(START, {"id": workflow_id}, token=admin)).ok()
    data = await with_uploaded_guarantee(gql, user, workflow_id, step_data(tenant))
    data["portfolio"]["accessPoints"][0]["capacityKw"] = 40_000  # a technical review
    for step, values in data.items():
        (await gql(EXECUTE, {"id": workflow_id, "step": step, "data": values}, token=user)).ok()
    review = {"id": workflow_id, "step": "technical-review", "data": {"decision": "approve"}}
    (await gql(EXECUTE, review, token=ops)).ok()
    (await gql(SUBMIT, {"id": workflow_id}, token=admin)).ok()
    assert (await gql(APPROVE, {"id": workflow_id}, token=ops)).codes == ["GATE_FAILED"]
    approved = (await gql(APPROVE, {"id": workflow_id}, token=ops2)).ok()["approveWorkflow"]
    assert approved["status"] == "COMPLETED"
    # the other tenant's users see none of it
    pieter = await token_of(gql, DEMO_TENANTS[1].users[0].email)
    seen = (await gql(WORKFLOWS, token=pieter)).ok()["workflows"]["edges"]
    assert workflow_id not in {e["node"]["id"] for e in seen}
    mine = (await gql(WORKFLOWS, token=user)).ok()["workflows"]["edges"]
    assert workflow_id in {e["node"]["id"] for e in mine}
