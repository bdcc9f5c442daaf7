"""A market role's API credential through the real path: GraphQL changes a role's or a
tenant's status, the worker revokes or restores the Kong credential (a local server
implementing Kong's Admin API), and the participant reads each new key exactly once, or
gets one directly by rotating. No key is ever stored readable, audited or queued."""

import uuid

import httpx
import pytest

from wfm_api.app import create_app
from wfm_integrations.api_access import ApiAccessService
from wfm_integrations.kong import KongAdmin
from wfm_integrations.vault import KeyVault
from wfm_shared.principal import system_principal
from wfm_storage import jobs
from wfm_storage.repositories.tenants import TenantRepository
from wfm_testing.graphql import GraphQLClient
from wfm_testing.peers import FakeKongAdmin, serve_asgi

ROLES = """query($t: ID!) { tenant(id: $t) { marketRoles {
  role status statusReason apiCredential apiKeyAwaitingReveal } } }"""
REVEAL = """mutation($t: ID) { revealApiCredential(marketRole: BRP, tenantId: $t) {
  tenantId marketRole consumerUsername key } }"""
ROTATE = """mutation($t: ID) { rotateApiCredential(marketRole: BRP, tenantId: $t) {
  consumerUsername key } }"""
ROLE_CHANGE = """mutation($t: ID!, $r: String!) {{
  {name}(tenantId: $t, marketRole: BRP, reason: $r) {{ role status statusReason }} }}"""
TENANT_CHANGE = """mutation($t: ID!, $r: String!) {{ {name}(id: $t, reason: $r) {{ status }} }}"""


class Platform:
    """The API and the worker on the module's database, both talking to one fake Kong."""

    def __init__(self, gql, worker, kong, world):
        self.gql, self.worker, self.kong, self.world = gql, worker, kong, world

    async def role_change(self, name, tenant, reason, token):
        query = ROLE_CHANGE.format(name=name)
        return await self.gql(query, {"t": str(tenant.id), "r": reason}, token=token)

    async def tenant_change(self, name, tenant, reason, token):
        query = TENANT_CHANGE.format(name=name)
        return await self.gql(query, {"t": str(tenant.id), "r": reason}, token=token)

    async def brp(self, tenant, token):
        roles = (await self.gql(ROLES, {"t": str(tenant.id)}, token=token)).ok()
        return next(r for r in roles["tenant"]["marketRoles"] if r["role"] == "BRP")

    async def access(self, tenant):
        return await self.world.owner.fetchrow(
            "SELECT * FROM wfm.api_access WHERE tenant_id = $1 AND market_role = 'BRP'",
            tenant.id,
        )

    async def brp_holder(self):
        """A tenant whose BRP onboarding was just approved (the role active, the job that
        provisions its access queued, as the approval leaves them), and its admin."""
        factory = self.world.factory
        tenant = await factory.tenant(slug=f"cred-{uuid.uuid4().hex[:6]}")
        admin = await factory.account("tenant_admin", tenant)
        owner = self.world.owner
        await TenantRepository().activate_market_role(owner, tenant.id, "BRP", "C-1")
        payload = {"tenantId": str(tenant.id), "marketRole": "BRP"}
        await self.world.storage.jobs.enqueue(owner, jobs.PROVISION_API_ACCESS, payload)
        return tenant, admin


@pytest.fixture
async def platform(isolated_world, make_worker):
    kong = FakeKongAdmin()
    async with serve_asgi(kong.app()) as admin_url:
        settings = isolated_world.settings.model_copy(
            update={"kong_admin_url": admin_url, "kong_roles": ["BRP"]}
        )
        worker = await make_worker(kong_admin_url=admin_url, kong_roles=["BRP"])
        app = create_app(settings, storage=isolated_world.storage)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
                yield Platform(GraphQLClient(http), worker, kong, isolated_world)


async def keys_nowhere_readable(world, keys):
    """No key in any table of the platform nor of the job queue (payloads, errors), bytes
    read as text."""
    tables = await world.owner.fetch(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_schema IN ('wfm', 'wfm_queue') AND table_type = 'BASE TABLE'"
    )
    assert len(tables) > 10
    for table in tables:
        name = f"{table['table_schema']}.{table['table_name']}"
        for row in await world.owner.fetch(f"SELECT * FROM {name}"):
            text = " ".join(
                v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                for v in row.values()
            )
            assert not [key for key in keys if key in text], name


async def test_a_new_key_is_read_once_suspension_revokes_it_and_reactivation_restores_a_new_one(
    platform,
):
    tenant, admin = await platform.brp_holder()
    ops = await platform.world.factory.account("market_ops")
    await platform.worker.run_until_idle()

    # the worker created the consumer and a credential whose key the platform generated
    username = f"{tenant.slug}-brp"
    assert platform.kong.consumers[username]["custom_id"] == f"{tenant.id}:BRP"
    (first,) = platform.kong.credentials.values()
    access = await platform.access(tenant)
    assert (access["status"], str(access["credential_id"])) == ("active", first["id"])
    assert access["pending_key"].startswith("gAAAAA")  # a Fernet token: encrypted
    assert await platform.brp(tenant, admin.token) == {
        "role": "BRP",
        "status": "active",
        "statusReason": None,
        "apiCredential": "active",
        "apiKeyAwaitingReveal": True,
    }

    # read once; the second time there is nothing to read
    revealed = (await platform.gql(REVEAL, token=admin.token)).ok()["revealApiCredential"]
    assert revealed == {
        "tenantId": str(tenant.id),
        "marketRole": "BRP",
        "consumerUsername": username,
        "key": first["key"],
    }
    assert (await platform.gql(REVEAL, token=admin.token)).codes == ["NOT_FOUND"]
    assert (await platform.access(tenant))["pending_key"] is None
    assert (await platform.brp(tenant, admin.token))["apiKeyAwaitingReveal"] is False

    # suspended: the worker deletes the credential in Kong
    suspended = await platform.role_change(
        "suspendMarketRole", tenant, "collateral missing", ops.token
    )
    assert suspended.ok()["suspendMarketRole"] == {
        "role": "BRP",
        "status": "suspended",
        "statusReason": "collateral missing",
    }
    await platform.worker.run_until_idle()
    assert platform.kong.credentials == {}
    assert f"DELETE key-auth {first['id']}" in platform.kong.requests
    assert (await platform.brp(tenant, admin.token))["apiCredential"] == "revoked"
    assert (await platform.gql(ROTATE, token=admin.token)).codes == ["NOT_FOUND"]

    # reactivated: a new credential with a new key, to be read once
    reactivated = await platform.role_change(
        "reactivateMarketRole", tenant, "collateral lodged", ops.token
    )
    assert reactivated.ok()["reactivateMarketRole"]["status"] == "active"
    await platform.worker.run_until_idle()
    (second,) = platform.kong.credentials.values()
    assert second["id"] != first["id"]
    assert second["key"] != first["key"]
    again = (await platform.gql(REVEAL, token=admin.token)).ok()["revealApiCredential"]
    assert again["key"] == second["key"]

    # terminated: revoked for good
    ended = await platform.role_change("terminateMarketRole", tenant, "contract ended", ops.token)
    assert ended.ok()["terminateMarketRole"]["status"] == "terminated"
    await platform.worker.run_until_idle()
    assert platform.kong.credentials == {}
    refused = await platform.role_change("reactivateMarketRole", tenant, "back", ops.token)
    assert refused.codes == ["INVALID_TRANSITION"]

    actions = [
        row["action"]
        for row in await platform.world.owner.fetch(
            "SELECT action FROM wfm.audit_log WHERE tenant_id = $1 ORDER BY id", tenant.id
        )
    ]
    assert actions == [
        "API_CREDENTIAL_PROVISIONED",
        "API_CREDENTIAL_REVEALED",
        "MARKET_ROLE_SUSPENDED",
        "API_CREDENTIAL_REVOKED",
        "MARKET_ROLE_REACTIVATED",
        "API_CREDENTIAL_PROVISIONED",
        "API_CREDENTIAL_REVEALED",
        "MARKET_ROLE_TERMINATED",
        "API_CREDENTIAL_REVOKED",
    ]
    await keys_nowhere_readable(platform.world, [first["key"], second["key"]])


async def test_rotation_returns_a_new_key_once_and_the_old_one_stops_working(platform):
    tenant, admin = await platform.brp_holder()
    await platform.worker.run_until_idle()
    (credential,) = platform.kong.credentials.values()
    provisioned = credential["key"]

    rotated = (await platform.gql(ROTATE, token=admin.token)).ok()["rotateApiCredential"]
    assert rotated["key"] not in (provisioned, "")
    assert platform.kong.credentials[credential["id"]]["key"] == rotated["key"]
    # the key the worker left unread is no longer the credential's: dropped, never shown
    assert (await platform.gql(REVEAL, token=admin.token)).codes == ["NOT_FOUND"]
    access = await platform.access(tenant)
    assert (access["pending_key"], access["rotated_at"] is not None) == (None, True)

    # market operations may rotate it too, naming the tenant
    ops = await platform.world.factory.account("market_ops")
    by_ops = await platform.gql(ROTATE, {"t": str(tenant.id)}, token=ops.token)
    assert by_ops.ok()["rotateApiCredential"]["key"] != rotated["key"]
    assert (await platform.gql(ROTATE, token=ops.token)).codes == ["VALIDATION_FAILED"]

    # another tenant's administrator, and a tenant's plain user, may not
    other = await platform.world.factory.tenant()
    stranger = await platform.world.factory.account("tenant_admin", other)
    member = await platform.world.factory.account("tenant_user", tenant)
    for token, variables in ((stranger.token, {"t": str(tenant.id)}), (member.token, {})):
        for operation in (ROTATE, REVEAL):
            assert (await platform.gql(operation, variables, token=token)).codes == ["FORBIDDEN"]
    await keys_nowhere_readable(platform.world, [provisioned, rotated["key"]])


async def test_suspending_or_archiving_a_tenant_revokes_its_credentials(platform):
    tenant, admin = await platform.brp_holder()
    ops = await platform.world.factory.account("market_ops")
    await platform.worker.run_until_idle()
    assert len(platform.kong.credentials) == 1

    suspended = await platform.tenant_change("suspendTenant", tenant, "unpaid", ops.token)
    assert suspended.ok()["suspendTenant"]["status"] == "suspended"
    await platform.worker.run_until_idle()
    assert platform.kong.credentials == {}

    reactivated = await platform.tenant_change("reactivateTenant", tenant, "paid", ops.token)
    assert reactivated.ok()["reactivateTenant"]["status"] == "active"
    await platform.worker.run_until_idle()
    (restored,) = platform.kong.credentials.values()
    revealed = (await platform.gql(REVEAL, token=admin.token)).ok()["revealApiCredential"]
    assert revealed["key"] == restored["key"]

    archived = await platform.tenant_change("archiveTenant", tenant, "left", ops.token)
    assert archived.ok()["archiveTenant"]["status"] == "active"
    await platform.worker.run_until_idle()
    assert platform.kong.credentials == {}


async def test_a_credential_revoked_while_kong_creates_it_is_deleted_again(
    isolated_world, make_services
):
    """The revocation's job runs between the provisioning job's decision and its call to
    Kong: Kong gets the credential after it was deleted, and the provisioning job, finding
    it revoked, deletes it again."""
    tenant = await isolated_world.factory.tenant()
    owner = isolated_world.owner
    await TenantRepository().activate_market_role(owner, tenant.id, "BRP", "C-1")
    services = await make_services(isolated_world.settings, isolated_world.storage)
    storage = isolated_world.storage
    kong = FakeKongAdmin()

    class RevokedMeanwhile(KongAdmin):
        revoked = False

        async def put_key_auth(self, username, credential_id, key, tags):
            if not self.revoked:
                self.revoked = True
                await services.market_roles.suspend(
                    system_principal(), tenant.id, "BRP", reason="revoked meanwhile"
                )
                await access.sync(tenant.id, "BRP")
            return await super().put_key_auth(username, credential_id, key, tags)

    async with serve_asgi(kong.app()) as admin_url, httpx.AsyncClient() as client:
        access = ApiAccessService(
            storage.db,
            tenants=storage.tenants,
            jobs=storage.jobs,
            audit=storage.audit,
            kong=RevokedMeanwhile(client, admin_url),
            kong_roles=["BRP"],
            vault=KeyVault("a test secret that is long enough to derive from"),
        )
        await access.sync(tenant.id, "BRP")
    assert kong.credentials == {}
    row = await owner.fetchrow("SELECT status FROM wfm.api_access WHERE tenant_id = $1", tenant.id)
    assert row["status"] == "revoked"
    (credential,) = {r.rsplit(" ", 1)[1] for r in kong.requests if "key-auth" in r}
    assert kong.requests[1:] == [
        f"DELETE key-auth {credential}",  # the revocation, before Kong has it
        f"PUT key-auth {credential}",  # the provisioning's call, late
        f"DELETE key-auth {credential}",  # which finds it revoked and takes it back
    ]


def test_a_sealed_key_opens_only_under_the_secret_it_was_sealed_with():
    vault = KeyVault("the secret of one installation, long enough")
    sealed = vault.seal("k3y")
    assert "k3y" not in sealed
    assert sealed.startswith("gAAAAA")
    assert vault.open(sealed) == "k3y"
    assert KeyVault("another installation's secret, long enough").open(sealed) is None
