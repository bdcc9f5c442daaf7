"""`auditLog` through GraphQL: who did what to which object, when, from which address, with
the outcome; tenant administrators read their tenant's entries, market operations all;
FORBIDDEN answers, failed and throttled logins are in it too."""

import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from wfm_shared.principal import SYSTEM_USER_ID
from wfm_testing.graphql import GraphQLClient
from wfm_testing.pytest_plugin import next_client_address

AUDIT_LOG = """query($filter: AuditLogFilter, $first: Int! = 50, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id occurredAt action outcome objectType objectId tenantId actorId actorRole
      actor { id kind name email } clientAddress details tenant { id }
    }
  }
}"""
CREATE_SUBSCRIPTION = """mutation($url: String!) {
  createWebhookSubscription(url: $url, eventTypes: ["*"]) { subscription { id } } }"""
LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken } }"""
WRONG_PASSWORD = "not the password 4711"
T0 = datetime(2022, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
async def client_at(api_app):
    """`client_at(address)`: a GraphQL client whose requests come from `address`."""
    opened: list[httpx.AsyncClient] = []

    def make(address: str) -> GraphQLClient:
        transport = httpx.ASGITransport(app=api_app, client=(address, 50000))
        http = httpx.AsyncClient(transport=transport, base_url="http://api.test")
        opened.append(http)
        return GraphQLClient(http)

    yield make
    for http in opened:
        await http.aclose()


async def audit_log(gql, token, **filter_):
    result = await gql(AUDIT_LOG, {"filter": filter_}, token=token)
    return result.ok()["auditLog"]


async def a_subscription(gql, account) -> str:
    created = await gql(
        CREATE_SUBSCRIPTION, {"url": "https://audit.example.test/hook"}, token=account.token
    )
    return created.ok()["createWebhookSubscription"]["subscription"]["id"]


async def test_an_entry_says_who_did_what_to_which_object_when_and_from_where(client_at, factory):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant, display_name="Ada Admin")
    address = next_client_address()
    gql = client_at(address)
    before = datetime.now(UTC)
    subscription = await a_subscription(gql, admin)

    found = await audit_log(gql, admin.token, objectId=subscription)
    assert found["totalCount"] == 1
    [entry] = found["nodes"]
    assert {k: entry[k] for k in ("action", "outcome", "objectType", "objectId")} == {
        "action": "WEBHOOK_SUBSCRIPTION_CREATED",
        "outcome": "OK",
        "objectType": "webhook_subscription",
        "objectId": subscription,
    }
    assert (entry["tenantId"], entry["tenant"]) == (str(tenant.id), {"id": str(tenant.id)})
    assert (entry["actorId"], entry["actorRole"]) == (str(admin.user.id), "tenant_admin")
    assert entry["actor"] == {
        "id": str(admin.user.id),
        "kind": "USER",
        "name": "Ada Admin",
        "email": admin.user.email,
    }
    assert entry["clientAddress"] == address
    assert datetime.fromisoformat(entry["occurredAt"]) >= before - timedelta(seconds=5)


async def test_tenant_administrators_read_their_tenants_entries_and_market_operations_all(
    gql, factory
):
    tenant_a, tenant_b = await factory.tenant(), await factory.tenant()
    admin_a = await factory.account("tenant_admin", tenant_a)
    admin_b = await factory.account("tenant_admin", tenant_b)
    ops = await factory.account("market_ops")
    of_a, of_b = await a_subscription(gql, admin_a), await a_subscription(gql, admin_b)

    seen_by_a = await audit_log(gql, admin_a.token)
    assert {n["tenantId"] for n in seen_by_a["nodes"]} == {str(tenant_a.id)}
    assert of_a in {n["objectId"] for n in seen_by_a["nodes"]}
    assert (await audit_log(gql, admin_a.token, objectId=of_b))["totalCount"] == 0
    naming_b = await gql(AUDIT_LOG, {"filter": {"tenantId": str(tenant_b.id)}}, token=admin_a.token)
    assert naming_b.codes == ["FORBIDDEN"]

    for tenant, subscription in ((tenant_a, of_a), (tenant_b, of_b)):
        seen_by_ops = await audit_log(gql, ops.token, tenantId=str(tenant.id))
        assert subscription in {n["objectId"] for n in seen_by_ops["nodes"]}
        assert {n["tenantId"] for n in seen_by_ops["nodes"]} == {str(tenant.id)}


async def test_a_tenant_user_is_refused_and_the_refusal_is_in_the_trail(client_at, factory):
    tenant = await factory.tenant()
    user = await factory.account("tenant_user", tenant)
    admin = await factory.account("tenant_admin", tenant)
    address = next_client_address()
    gql = client_at(address)

    refused = await gql(AUDIT_LOG, {"filter": {}}, token=user.token)
    assert refused.codes == ["FORBIDDEN"]
    assert "lacks audit.read" in refused.errors[0]["message"]
    creating = await gql(
        CREATE_SUBSCRIPTION, {"url": "https://audit.example.test/hook"}, token=user.token
    )
    assert creating.codes == ["FORBIDDEN"]

    trail = await audit_log(gql, admin.token, actorId=str(user.user.id))
    assert [
        (n["action"], n["outcome"], n["objectType"], n["objectId"]) for n in trail["nodes"]
    ] == [
        ("ACCESS_REFUSED", "REFUSED", "operation", "mutation createWebhookSubscription"),
        ("ACCESS_REFUSED", "REFUSED", "operation", "query auditLog"),
    ]  # newest first; the refused mutation changed nothing, so wrote nothing else
    for entry in trail["nodes"]:
        assert (entry["clientAddress"], entry["tenantId"]) == (address, str(tenant.id))
        assert entry["actorRole"] == "tenant_user"
    assert "lacks webhooks.manage" in trail["nodes"][0]["details"]["message"]
    refusals = await audit_log(gql, admin.token, actorId=str(user.user.id), outcome="REFUSED")
    assert refusals["totalCount"] == 2


async def test_failed_and_throttled_logins_are_in_the_trail_without_any_password(
    client_at, factory, wfm_settings
):
    tenant = await factory.tenant()
    user = await factory.account("tenant_user", tenant)
    admin = await factory.account("tenant_admin", tenant)
    address = next_client_address()
    gql = client_at(address)
    budget = wfm_settings.login_max_failures_per_account
    for _ in range(budget):
        failed = await gql(LOGIN, {"email": user.user.email, "password": WRONG_PASSWORD})
        assert failed.codes == ["UNAUTHENTICATED"]
    throttled = await gql(LOGIN, {"email": user.user.email, "password": WRONG_PASSWORD})
    assert throttled.codes == ["RATE_LIMITED"]

    trail = await audit_log(gql, admin.token, objectId=str(user.user.id))
    assert [(n["action"], n["outcome"]) for n in trail["nodes"]] == [
        ("LOGIN_THROTTLED", "REFUSED"),
        *[("LOGIN_FAILED", "FAILED")] * budget,
    ]
    for entry in trail["nodes"]:
        assert (entry["objectType"], entry["tenantId"]) == ("user", str(tenant.id))
        assert (entry["actorId"], entry["actor"], entry["clientAddress"]) == (None, None, address)
    assert WRONG_PASSWORD not in json.dumps(trail)


async def test_a_login_to_an_unknown_account_is_kept_as_a_digest_for_market_operations(
    client_at, factory
):
    email = f"nobody-{uuid.uuid4().hex[:8]}@example.test"
    address = next_client_address()
    gql = client_at(address)
    failed = await gql(LOGIN, {"email": f"  {email.upper()} ", "password": WRONG_PASSWORD})
    assert failed.codes == ["UNAUTHENTICATED"]
    digest = "sha256:" + hashlib.sha256(email.encode()).hexdigest()

    ops = await factory.account("market_ops")
    [entry] = (await audit_log(gql, ops.token, objectId=digest))["nodes"]
    assert (entry["action"], entry["objectType"], entry["tenantId"]) == (
        "LOGIN_FAILED",
        "account",
        None,
    )
    assert entry["clientAddress"] == address
    admin = await factory.account("tenant_admin", await factory.tenant())
    assert (await audit_log(gql, admin.token, objectId=digest))["totalCount"] == 0


async def test_pages_run_newest_first_with_cursors_and_a_total_count(gql, factory, owner_conn):
    tenant = await factory.tenant()
    ops = await factory.account("market_ops")
    action = f"TEST_{uuid.uuid4().hex[:8].upper()}"
    ids = [
        await owner_conn.fetchval(
            "INSERT INTO wfm.audit_log (tenant_id, action, target_type, target_id, occurred_at) "
            "VALUES ($1, $2, 'thing', $3, $4) RETURNING id",
            tenant.id,
            action,
            str(n),
            T0 + timedelta(minutes=n),
        )
        for n in range(5)
    ]
    newest_first = [str(i) for i in reversed(ids)]
    seen, after = [], None
    for expected_more in (True, True, False):
        result = await gql(
            AUDIT_LOG, {"filter": {"action": action}, "first": 2, "after": after}, token=ops.token
        )
        page = result.ok()["auditLog"]
        assert page["totalCount"] == 5
        assert page["pageInfo"]["hasNextPage"] is expected_more
        seen += [n["id"] for n in page["nodes"]]
        after = page["pageInfo"]["endCursor"]
    assert seen == newest_first

    between = await audit_log(
        gql,
        ops.token,
        action=action,
        since=(T0 + timedelta(minutes=1)).isoformat(),
        until="2022-06-01T08:03:00",  # no offset: UTC
    )
    assert [n["id"] for n in between["nodes"]] == newest_first[2:4]
    bad = await gql(AUDIT_LOG, {"filter": {}, "after": "not-a-cursor"}, token=ops.token)
    assert bad.codes == ["VALIDATION_FAILED"]


async def test_actors_read_as_users_the_platform_or_users_no_longer_on_file(
    gql, factory, owner_conn
):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    ops = await factory.account("market_ops", display_name="Olga Ops")
    action = f"TEST_{uuid.uuid4().hex[:8].upper()}"
    actors = [
        (admin.user.id, "tenant_admin"),
        (ops.user.id, "market_ops"),
        (SYSTEM_USER_ID, "market_ops"),
        (uuid.uuid4(), "tenant_user"),  # a user deleted since
    ]
    for minute, (actor, role) in enumerate(actors):
        await owner_conn.execute(
            "INSERT INTO wfm.audit_log (tenant_id, actor_id, actor_role, action, target_type, "
            "target_id, occurred_at) VALUES ($1, $2, $3, $4, 'thing', 'x', $5)",
            tenant.id,
            actor,
            role,
            action,
            T0 + timedelta(minutes=minute),
        )
    nodes = (await audit_log(gql, admin.token, action=action))["nodes"]
    assert [(n["actor"]["kind"], n["actor"]["email"]) for n in reversed(nodes)] == [
        ("USER", admin.user.email),
        ("USER", None),  # staff, as a tenant sees them: by name alone
        ("PLATFORM", None),
        ("DELETED_USER", None),
    ]
    assert nodes[2]["actor"]["name"] == "Olga Ops"
    assert nodes[0]["actorRole"] == "tenant_user"  # the role it acted in, still on file
