"""Who may do what, through the GraphQL API: one representative operation per permission,
tried by each role and by an anonymous caller. A role holding the permission gets past the
check (the answer, or the error the operation itself gives, e.g. a status that does not allow
it); a role without it gets FORBIDDEN; no token gets UNAUTHENTICATED. The roles expected here
are the permission table's (`wfm_shared.authorization.ROLE_PERMISSIONS`)."""

from dataclasses import dataclass

import pytest

from wfm_shared.authorization import Permission, roles_with

ROLES = ("tenant_user", "tenant_admin", "market_ops")


@dataclass(frozen=True)
class Operation:
    permission: Permission
    query: str
    allowed: tuple[str, ...]  # the roles the operation lets through
    # the answer a permitted role gets: None (no error) or the operation's own error code
    permitted_code: str | None = None


OPERATIONS = [
    Operation(
        Permission.WORKFLOWS_READ,
        "query($w: ID!) { workflow(id: $w) { id } }",
        ("tenant_user", "tenant_admin", "market_ops"),
    ),
    Operation(
        Permission.WORKFLOWS_READ,
        'query($t: ID!) { templateStats(key: "contract-onboarding", tenantId: $t) { workflows } }',
        ("tenant_user", "tenant_admin", "market_ops"),
    ),
    Operation(
        Permission.WORKFLOWS_CREATE,
        """mutation($t: ID!) { createWorkflow(marketRole: BRP, templateKey: "contract-onboarding",
                                              tenantId: $t) { id } }""",
        ("tenant_user", "tenant_admin", "market_ops"),
    ),
    Operation(
        Permission.WORKFLOWS_EXECUTE,
        "mutation($w: ID!) { cancelWorkflow(workflowId: $w) { status } }",
        ("tenant_user", "tenant_admin", "market_ops"),
    ),
    Operation(
        Permission.WORKFLOWS_APPROVE,
        "mutation($w: ID!) { approveWorkflow(workflowId: $w) { status } }",
        ("market_ops",),
        "INVALID_TRANSITION",  # a draft is not submitted
    ),
    Operation(
        Permission.TENANTS_READ,
        "query { tenants(first: 1) { totalCount } }",
        ("tenant_user", "tenant_admin", "market_ops"),
    ),
    Operation(
        Permission.TENANTS_MANAGE,
        "mutation($t: ID!) { updateTenant(id: $t, input: {}) { id } }",  # changes nothing
        ("market_ops",),
    ),
    Operation(
        Permission.API_CREDENTIALS_MANAGE,
        "mutation($t: ID!) { revealApiCredential(marketRole: BRP, tenantId: $t) { key } }",
        ("tenant_admin", "market_ops"),
        "NOT_FOUND",  # no key waits to be read
    ),
    Operation(
        Permission.WORKFLOWS_ROLLBACK,
        """mutation($w: ID!) { rollbackWorkflow(workflowId: $w, toStepId: "contract") {
             status } }""",
        ("tenant_admin", "market_ops"),
        "INVALID_TRANSITION",  # a draft has nothing to roll back
    ),
    Operation(
        Permission.WORKFLOWS_FAIL,
        """mutation($w: ID!) { failWorkflow(workflowId: $w, reason: "broken") {
             status } }""",
        ("market_ops",),
    ),
    Operation(
        Permission.WORKFLOWS_RETRY,
        "mutation($w: ID!) { retryWorkflow(workflowId: $w) { status } }",
        ("tenant_admin", "market_ops"),
        "INVALID_TRANSITION",  # a draft has not failed
    ),
    Operation(
        Permission.TEMPLATES_PUBLISH,
        """mutation { deprecateTemplate(key: "no-such-template", version: 1) {
             key } }""",
        ("market_ops",),
        "NOT_FOUND",
    ),
    Operation(
        Permission.TEMPLATES_PUBLISH,
        "mutation { validateTemplate(definition: {}) { valid } }",  # invalid: stores nothing
        ("market_ops",),
    ),
    Operation(
        Permission.CONFIGURATION_MANAGE,
        """mutation($t: ID!) { updateTenantWorkflowConfig(tenantId: $t,
             templateKey: "contract-onboarding", marketRole: BRP, flags: {}) { version } }""",
        ("tenant_admin", "market_ops"),
    ),
    Operation(
        Permission.MARKET_ROLES_CONFIGURE,
        """mutation { updateMarketRoleWorkflowConfig(templateKey: "no-such-template",
             marketRole: BRP, flags: {}) { version } }""",
        ("market_ops",),
        "NOT_FOUND",
    ),
    Operation(
        Permission.WEBHOOKS_MANAGE,
        "query($t: ID!) { webhookSubscriptions(tenantId: $t) { id } }",
        ("tenant_admin", "market_ops"),
    ),
    Operation(
        Permission.TRIGGERS_MANAGE,
        "query($t: ID!) { workflowTriggers(tenantId: $t) { id } }",
        ("tenant_admin", "market_ops"),
    ),
    Operation(
        Permission.SECRETS_MANAGE,
        "query($t: ID!) { secrets(tenantId: $t) { name } }",
        ("tenant_admin", "market_ops"),
    ),
    Operation(
        Permission.OPERATIONS_MANAGE,
        "query { jobs(first: 1) { id } }",
        ("market_ops",),
    ),
    Operation(
        Permission.OPERATIONS_MANAGE,
        "query { webhookDeliveries(first: 1) { id } }",
        ("market_ops",),
    ),
    Operation(
        Permission.WEBHOOKS_REPLAY,
        'mutation { replayWebhookDelivery(id: "00000000-0000-4000-8000-000000000000") { id } }',
        ("market_ops",),
        "NOT_FOUND",
    ),
    Operation(
        Permission.USERS_MANAGE,
        "query($t: ID!) { users(first: 1, filter: {tenantId: $t}) { totalCount } }",
        ("tenant_admin", "market_ops"),
    ),
    Operation(
        Permission.OPERATORS_MANAGE,
        """mutation { inviteUser(input: {email: "not an address", role: "market_ops",
             locale: EN}) { id } }""",
        ("market_ops",),
        "VALIDATION_FAILED",  # the address
    ),
    Operation(
        Permission.WORK_ASSIGN,
        """mutation($w: ID!) { assignWorkItem(workflowId: $w,
             userId: "00000000-0000-4000-8000-000000000000") { id } }""",
        ("tenant_admin", "market_ops"),
        "NOT_FOUND",  # no such user
    ),
    Operation(
        Permission.AUDIT_READ,
        "query { auditLog(first: 1) { totalCount } }",
        ("tenant_admin", "market_ops"),
    ),
    Operation(
        Permission.PRIVACY_MANAGE,
        'query($t: ID!) { dataSubject(tenantId: $t, email: "nobody@example.test") { id } }',
        ("market_ops",),
    ),
    Operation(
        Permission.PRIVACY_MANAGE,
        """mutation { exportDataSubject(subjectId: "00000000-0000-4000-8000-000000000000") }""",
        ("market_ops",),
        "NOT_FOUND",  # no workflow names such a subject
    ),
    Operation(
        Permission.PRIVACY_MANAGE,
        """mutation { eraseDataSubject(subjectId: "00000000-0000-4000-8000-000000000000",
             reason: "on request") { keysErased } }""",
        ("market_ops",),
        "NOT_FOUND",
    ),
    Operation(
        Permission.RETENTION_MANAGE,
        "mutation($t: ID!) { removeRetentionPolicy(tenantId: $t) }",
        ("market_ops",),
        "NOT_FOUND",  # the tenant has no policy
    ),
]
CASES = [
    pytest.param(op, role, id=f"{index}-{op.permission}-{role}")
    for index, op in enumerate(OPERATIONS)
    for role in (*ROLES, "anonymous")
]


def test_each_operation_lets_through_exactly_the_roles_of_its_permission():
    for op in OPERATIONS:
        assert set(op.allowed) == set(roles_with(op.permission)), op.permission


@pytest.fixture
async def world(factory, gql):
    tenant = await factory.tenant()
    accounts = {"market_ops": await factory.account("market_ops")}
    for role in ("tenant_user", "tenant_admin"):
        accounts[role] = await factory.account(role, tenant)
    return tenant, accounts


async def draft(gql, tenant, account):
    create = """mutation($t: ID!) { createWorkflow(marketRole: BRP,
                  templateKey: "contract-onboarding", tenantId: $t) { id } }"""
    result = await gql(create, {"t": str(tenant.id)}, token=account.token)
    return result.ok()["createWorkflow"]["id"]


@pytest.mark.parametrize(("op", "role"), CASES)
async def test_a_role_may_do_what_its_permissions_allow_and_nothing_else(gql, world, op, role):
    tenant, accounts = world
    variables = {"t": str(tenant.id)} if "$t" in op.query else {}
    if "$w" in op.query:
        variables["w"] = await draft(gql, tenant, accounts["tenant_user"])
    token = accounts[role].token if role in accounts else None
    result = await gql(op.query, variables, token=token)
    if role == "anonymous":
        assert result.codes == ["UNAUTHENTICATED"], result.errors
    elif role in op.allowed:
        assert result.codes == ([op.permitted_code] if op.permitted_code else []), result.errors
    else:
        assert result.codes == ["FORBIDDEN"], result.errors
        if op.permission is not Permission.WORKFLOWS_APPROVE:  # the template names approvers
            assert f"lacks {op.permission.value}" in result.errors[0]["message"]


async def test_me_lists_the_permissions_of_the_callers_role(gql, world):
    _, accounts = world
    for role, account in accounts.items():
        me = (await gql("{ me { role permissions } }", token=account.token)).ok()["me"]
        assert me["role"] == role
        assert me["permissions"] == sorted(p.value for p in Permission if role in roles_with(p))
