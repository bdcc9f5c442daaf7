"""Tenants and market roles over GraphQL, with two tenants: market operations create,
change, list, suspend, reactivate and archive tenants and suspend, terminate and reactivate
their market roles; a tenant's administrator sees only its own tenant and touches none of
it (FORBIDDEN) nor another's (FORBIDDEN or NOT_FOUND). An archived tenant's users can no
longer log in."""

import uuid

import pytest

from wfm_storage.repositories.tenants import TenantRepository
from wfm_testing.factories import TEST_PASSWORD, belgian_vat

CREATE = """mutation($input: CreateTenantInput!) { createTenant(input: $input) {
  id slug companyName vatNumber status marketRoles { role status } } }"""
UPDATE = """mutation($id: ID!, $input: UpdateTenantInput!) { updateTenant(id: $id, input: $input) {
  companyName vatNumber } }"""
SUSPEND = """mutation($id: ID!, $r: String!) { suspendTenant(id: $id, reason: $r) {
  status statusReason } }"""
REACTIVATE = """mutation($id: ID!) { reactivateTenant(id: $id) { status statusReason } }"""
ARCHIVE = """mutation($id: ID!, $r: String!) { archiveTenant(id: $id, reason: $r) {
  archivedAt statusReason } }"""
TENANT = "query($id: ID!) { tenant(id: $id) { id slug status } }"
TENANTS = """query($f: TenantFilter, $first: Int!, $after: String) {
  tenants(filter: $f, first: $first, after: $after) {
    totalCount edges { cursor node { id companyName } } pageInfo { hasNextPage endCursor } } }"""
ROLE = """mutation($t: ID!, $r: String!) {{ {name}(tenantId: $t, marketRole: BRP, reason: $r) {{
  role status statusReason }} }}"""
REVEAL = """mutation($t: ID) { revealApiCredential(marketRole: BRP, tenantId: $t) { key } }"""
ROTATE = """mutation($t: ID) { rotateApiCredential(marketRole: BRP, tenantId: $t) { key } }"""
LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken } }"""


def fresh_vat():
    return belgian_vat(uuid.uuid4().int % 10_000_000)


@pytest.fixture
async def world(factory):
    a, b = await factory.tenant(), await factory.tenant()
    return {
        "a": a,
        "b": b,
        "a_admin": await factory.account("tenant_admin", a),
        "a_user": await factory.account("tenant_user", a),
        "b_admin": await factory.account("tenant_admin", b),
        "ops": await factory.account("market_ops"),
    }


async def test_market_operations_create_a_tenant_with_its_vat_number_normalised(gql, world):
    vat = fresh_vat()
    name = f"Flux Énergie {uuid.uuid4().hex[:6]}"
    given = {
        "companyName": name,
        "vatNumber": f"{vat[:2]} {vat[2:6]}.{vat[6:9]}.{vat[9:]}".lower(),
        "marketRoles": ["BRP", "GU"],
    }
    created = (await gql(CREATE, {"input": given}, token=world["ops"].token)).ok()["createTenant"]
    assert created["slug"] == f"flux-energie-{name.split()[2]}"
    assert (created["companyName"], created["vatNumber"], created["status"]) == (
        name,
        vat,
        "active",
    )
    assert created["marketRoles"] == [
        {"role": "BRP", "status": "pending"},
        {"role": "GU", "status": "pending"},
    ]
    again = await gql(
        CREATE, {"input": {**given, "companyName": "Other"}}, token=world["ops"].token
    )
    assert again.codes == ["CONFLICT"]
    for role in ("a_admin", "a_user"):
        refused = await gql(CREATE, {"input": given}, token=world[role].token)
        assert refused.codes == ["FORBIDDEN"]


async def test_invalid_input_is_refused_with_the_path_of_each_field(gql, world):
    invalid = {"companyName": " ", "vatNumber": "BE0123456789", "slug": "-No"}
    refused = await gql(CREATE, {"input": invalid}, token=world["ops"].token)
    assert refused.codes == ["VALIDATION_FAILED"]
    fields = {tuple(f["path"]) for f in refused.errors[0]["extensions"]["fields"]}
    assert fields == {("slug",), ("companyName",), ("vatNumber",)}
    empty = await gql(SUSPEND, {"id": str(world["a"].id), "r": ""}, token=world["ops"].token)
    assert [f["path"] for f in empty.errors[0]["extensions"]["fields"]] == [["reason"]]


async def test_market_operations_search_filter_and_page_through_the_tenants(gql, world):
    ops = world["ops"].token
    marker = uuid.uuid4().hex[:8]
    ids = []
    for index in range(3):
        given = {"companyName": f"Paged {marker} {index}", "vatNumber": fresh_vat()}
        ids.append((await gql(CREATE, {"input": given}, token=ops)).ok()["createTenant"]["id"])
    await gql(SUSPEND, {"id": ids[2], "r": "audit pending"}, token=ops)

    first = (await gql(TENANTS, {"f": {"search": marker}, "first": 2}, token=ops)).ok()["tenants"]
    assert first["totalCount"] == 3
    assert [e["node"]["id"] for e in first["edges"]] == ids[:2]
    assert first["pageInfo"]["hasNextPage"] is True
    after = first["pageInfo"]["endCursor"]
    rest = await gql(TENANTS, {"f": {"search": marker}, "first": 2, "after": after}, token=ops)
    assert [e["node"]["id"] for e in rest.ok()["tenants"]["edges"]] == [ids[2]]
    suspended = await gql(
        TENANTS, {"f": {"search": marker.upper(), "status": "SUSPENDED"}, "first": 5}, token=ops
    )
    assert [e["node"]["id"] for e in suspended.ok()["tenants"]["edges"]] == [ids[2]]
    bad = await gql(TENANTS, {"first": 2, "after": "nonsense"}, token=ops)
    assert bad.codes == ["VALIDATION_FAILED"]


async def test_a_tenant_admin_sees_only_its_tenant_and_changes_nothing(gql, world):
    a, b, admin = world["a"], world["b"], world["a_admin"].token
    listed = (await gql(TENANTS, {"first": 50}, token=admin)).ok()["tenants"]
    assert (listed["totalCount"], [e["node"]["id"] for e in listed["edges"]]) == (1, [str(a.id)])
    found = (await gql(TENANT, {"id": str(a.id)}, token=admin)).ok()["tenant"]
    assert found["slug"] == a.slug
    assert (await gql(TENANT, {"id": str(b.id)}, token=admin)).codes == ["NOT_FOUND"]
    for tenant in (a, b):
        ident = str(tenant.id)
        refused = [
            await gql(UPDATE, {"id": ident, "input": {"companyName": "Mine"}}, token=admin),
            await gql(SUSPEND, {"id": ident, "r": "no"}, token=admin),
            await gql(REACTIVATE, {"id": ident}, token=admin),
            await gql(ARCHIVE, {"id": ident, "r": "no"}, token=admin),
            *[
                await gql(ROLE.format(name=name), {"t": ident, "r": "no"}, token=admin)
                for name in ("suspendMarketRole", "terminateMarketRole", "reactivateMarketRole")
            ],
        ]
        assert [r.codes for r in refused] == [["FORBIDDEN"]] * 7
    # its own API credential: it may read it (none here); another tenant's: not at all
    assert (await gql(REVEAL, token=admin)).codes == ["NOT_FOUND"]
    assert (await gql(ROTATE, token=admin)).codes == ["NOT_FOUND"]
    for operation in (REVEAL, ROTATE):
        assert (await gql(operation, {"t": str(b.id)}, token=admin)).codes == ["FORBIDDEN"]
        assert (await gql(operation, token=world["a_user"].token)).codes == ["FORBIDDEN"]
    b_seen = (await gql(TENANT, {"id": str(b.id)}, token=world["b_admin"].token)).ok()
    assert b_seen["tenant"]["status"] == "active"


async def test_suspending_and_reactivating_a_tenant_through_graphql(gql, world, owner_conn):
    ops, a = world["ops"].token, world["a"]
    suspended = (await gql(SUSPEND, {"id": str(a.id), "r": "unpaid"}, token=ops)).ok()
    assert suspended["suspendTenant"] == {"status": "suspended", "statusReason": "unpaid"}
    login = {"email": world["a_admin"].user.email, "password": TEST_PASSWORD}
    assert (await gql(LOGIN, login)).codes == ["UNAUTHENTICATED"]
    active = (await gql(REACTIVATE, {"id": str(a.id)}, token=ops)).ok()["reactivateTenant"]
    assert active == {"status": "active", "statusReason": None}
    assert (await gql(LOGIN, login)).ok()["login"]["accessToken"]
    actions = await owner_conn.fetch(
        "SELECT action, actor_id FROM wfm.audit_log WHERE tenant_id = $1 ORDER BY id", a.id
    )
    assert [(r["action"], r["actor_id"]) for r in actions if r["action"].startswith("TENANT")] == [
        ("TENANT_SUSPENDED", world["ops"].user.id),
        ("TENANT_REACTIVATED", world["ops"].user.id),
    ]


async def test_an_archived_tenant_is_hidden_and_its_users_cannot_log_in(gql, world):
    ops, a = world["ops"].token, world["a"]
    member = world["a_user"]
    login = {"email": member.user.email, "password": TEST_PASSWORD}
    assert (await gql(LOGIN, login)).ok()["login"]["accessToken"]
    archived = (await gql(ARCHIVE, {"id": str(a.id), "r": "left the market"}, token=ops)).ok()
    assert archived["archiveTenant"]["archivedAt"] is not None
    assert archived["archiveTenant"]["statusReason"] == "left the market"
    assert (await gql(TENANT, {"id": str(a.id)}, token=ops)).codes == ["NOT_FOUND"]
    listed = await gql(TENANTS, {"f": {"search": a.slug}, "first": 5}, token=ops)
    assert listed.ok()["tenants"]["totalCount"] == 0
    # logins refused (wfm.auth_find_user leaves archived tenants out), sessions ended
    assert (await gql(LOGIN, login)).codes == ["UNAUTHENTICATED"]
    assert (await gql("{ me { id } }", token=member.token)).codes == ["UNAUTHENTICATED"]
    # archived for good: no reactivation
    assert (await gql(REACTIVATE, {"id": str(a.id)}, token=ops)).codes == ["NOT_FOUND"]
    # the other tenant is untouched
    b_login = {"email": world["b_admin"].user.email, "password": TEST_PASSWORD}
    assert (await gql(LOGIN, b_login)).ok()["login"]["accessToken"]


async def test_market_roles_are_suspended_and_reactivated_with_a_reason(gql, world, owner_conn):
    ops, a = world["ops"].token, world["a"]
    await TenantRepository().activate_market_role(owner_conn, a.id, "BRP", "C-1")

    async def change(name, reason):
        return await gql(ROLE.format(name=name), {"t": str(a.id), "r": reason}, token=ops)

    suspended = (await change("suspendMarketRole", "collateral missing")).ok()
    assert suspended["suspendMarketRole"] == {
        "role": "BRP",
        "status": "suspended",
        "statusReason": "collateral missing",
    }
    roles = """query($id: ID!) { tenant(id: $id) { marketRoles { role status statusReason } } }"""
    seen = (await gql(roles, {"id": str(a.id)}, token=world["a_admin"].token)).ok()
    assert seen["tenant"]["marketRoles"] == [suspended["suspendMarketRole"]]
    reactivated = (await change("reactivateMarketRole", "collateral lodged")).ok()
    assert reactivated["reactivateMarketRole"]["status"] == "active"
    assert (await change("terminateMarketRole", "contract ended")).ok()
    assert (await change("reactivateMarketRole", "again")).codes == ["INVALID_TRANSITION"]
    unknown = await gql(
        ROLE.format(name="suspendMarketRole"), {"t": str(uuid.uuid4()), "r": "x"}, token=ops
    )
    assert unknown.codes == ["NOT_FOUND"]
