"""Access tokens die with their session: logout, a new password, a disabled user, a
suspended tenant or a changed role end them at once, checked in the round trip that opens
each transaction; other users' and other tenants' tokens keep working."""

import asyncio
import uuid
from datetime import UTC, datetime

import pytest

from wfm_engine import StartWorkflow
from wfm_shared.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from wfm_shared.principal import principal_for, system_principal
from wfm_storage.instrumentation import counting_round_trips
from wfm_testing.factories import TEST_PASSWORD, codec_for
from wfm_testing.onboarding import CREATE, EXECUTE, START, step_data
from wfm_workflows.service import Faults

LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken refreshToken }
}"""
REFRESH = "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }"
LOGOUT = "mutation($t: String!) { logout(refreshToken: $t) }"
ME = "{ me { id role } }"
ENDED = "the session has ended; log in again"
NEW_PASSWORD = "another sound password"


async def logged_in(gql, account, password=TEST_PASSWORD):
    return (await gql(LOGIN, {"email": account.user.email, "password": password})).ok()["login"]


async def assert_ended(gql, token):
    result = await gql(ME, token=token)
    assert result.codes == ["UNAUTHENTICATED"], result.errors
    assert result.errors[0]["message"] == ENDED
    assert result.data is None


async def assert_works(gql, token):
    assert (await gql(ME, token=token)).ok()["me"]["id"]


@pytest.fixture
def users(services):
    return services.users


async def test_an_access_token_stops_working_right_after_logout(gql, factory):
    tenant = await factory.tenant()
    account = await factory.account("tenant_user", tenant)
    colleague = await factory.account("tenant_user", tenant)
    session = await logged_in(gql, account)
    await assert_works(gql, session["accessToken"])
    assert (await gql(LOGOUT, {"t": session["refreshToken"]})).ok()["logout"] is True
    await assert_ended(gql, session["accessToken"])
    await assert_ended(gql, account.token)  # the version is the user's: every device's token
    await assert_works(gql, colleague.token)
    # a new login is a new session
    await assert_works(gql, (await logged_in(gql, account))["accessToken"])


async def test_another_devices_refresh_token_gets_a_working_access_token_after_logout(gql, factory):
    account = await factory.account("tenant_admin", await factory.tenant())
    laptop, phone = await logged_in(gql, account), await logged_in(gql, account)
    (await gql(LOGOUT, {"t": laptop["refreshToken"]})).ok()
    await assert_ended(gql, phone["accessToken"])
    renewed = (await gql(REFRESH, {"t": phone["refreshToken"]})).ok()["refreshToken"]
    await assert_works(gql, renewed["accessToken"])
    assert (await gql(REFRESH, {"t": laptop["refreshToken"]})).codes == ["UNAUTHENTICATED"]


async def test_disabling_a_user_ends_its_tokens_at_once_and_no_one_elses(gql, factory, users):
    tenant = await factory.tenant()
    account = await factory.account("tenant_user", tenant)
    colleague = await factory.account("tenant_admin", tenant)
    session = await logged_in(gql, account)
    disabled = await users.disable(system_principal(), account.user.email)
    assert disabled.status == "disabled"
    await assert_ended(gql, session["accessToken"])
    await assert_ended(gql, account.token)
    assert (await gql(REFRESH, {"t": session["refreshToken"]})).codes == ["UNAUTHENTICATED"]
    assert (await gql(LOGIN, {"email": account.user.email, "password": TEST_PASSWORD})).codes == [
        "UNAUTHENTICATED"
    ]
    await assert_works(gql, colleague.token)


async def test_a_tenant_administrator_disables_users_of_its_own_tenant_only(factory, users):
    tenant, other = await factory.tenant(), await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    member = await factory.account("tenant_user", tenant)
    stranger = await factory.account("tenant_user", other)
    assert (await users.disable(admin.principal, member.user.email)).status == "disabled"
    with pytest.raises(NotFound):
        await users.disable(admin.principal, stranger.user.email)
    with pytest.raises(Forbidden):
        await users.disable(stranger.principal, admin.user.email)


async def test_suspending_a_tenant_ends_its_users_tokens_and_not_another_tenants(
    gql, factory, services
):
    suspended, other = await factory.tenant(), await factory.tenant()
    admin = await factory.account("tenant_admin", suspended)
    member = await factory.account("tenant_user", suspended)
    neighbour = await factory.account("tenant_admin", other)
    ops = await factory.account("market_ops")
    session = await logged_in(gql, member)
    profile = await services.tenants.suspend(
        system_principal(), suspended.id, reason="session test"
    )
    assert profile.tenant.status == "suspended"
    for token in (admin.token, member.token, session["accessToken"]):
        await assert_ended(gql, token)
    assert (await gql(REFRESH, {"t": session["refreshToken"]})).codes == ["UNAUTHENTICATED"]
    assert (await gql(LOGIN, {"email": admin.user.email, "password": TEST_PASSWORD})).codes == [
        "UNAUTHENTICATED"
    ]
    await assert_works(gql, neighbour.token)
    await assert_works(gql, ops.token)


async def test_a_role_changed_in_the_database_ends_the_tokens_of_the_old_role(
    gql, factory, owner_conn, wfm_settings
):
    tenant = await factory.tenant()
    account = await factory.account("tenant_admin", tenant)
    await owner_conn.execute(
        "UPDATE wfm.users SET role = 'tenant_user' WHERE id = $1", account.user.id
    )
    await assert_ended(gql, account.token)
    # a token claiming another role than the user's, even at the current version
    version = await owner_conn.fetchval(
        "SELECT token_version FROM wfm.users WHERE id = $1", account.user.id
    )
    claimed = principal_for(account.user.id, tenant.id, "tenant_admin", token_version=version)
    mismatch, _ = codec_for(wfm_settings).issue(claimed, datetime.now(UTC))
    await assert_ended(gql, mismatch)
    relogged = await logged_in(gql, account)
    me = (await gql(ME, token=relogged["accessToken"])).ok()["me"]
    assert me["role"] == "tenant_user"


async def test_a_token_naming_another_tenant_than_its_users_is_refused(gql, factory, wfm_settings):
    account = await factory.account("tenant_admin", await factory.tenant())
    elsewhere = await factory.tenant()
    claimed = principal_for(
        account.user.id, elsewhere.id, "tenant_admin", token_version=account.user.token_version
    )
    token, _ = codec_for(wfm_settings).issue(claimed, datetime.now(UTC))
    await assert_ended(gql, token)


async def test_a_new_password_ends_every_session_of_the_user(gql, factory, users):
    tenant = await factory.tenant()
    account = await factory.account("tenant_user", tenant)
    colleague = await factory.account("tenant_user", tenant)
    session = await logged_in(gql, account)
    await users.set_password(system_principal(), account.user.email, NEW_PASSWORD)
    await assert_ended(gql, session["accessToken"])
    assert (await gql(REFRESH, {"t": session["refreshToken"]})).codes == ["UNAUTHENTICATED"]
    assert (await gql(LOGIN, {"email": account.user.email, "password": TEST_PASSWORD})).codes == [
        "UNAUTHENTICATED"
    ]
    await assert_works(gql, (await logged_in(gql, account, NEW_PASSWORD))["accessToken"])
    await assert_works(gql, colleague.token)


async def test_a_password_the_policy_refuses_changes_nothing(gql, factory, users):
    account = await factory.account("tenant_user", await factory.tenant())
    with pytest.raises(ValidationFailed):
        await users.set_password(system_principal(), account.user.email, "short")
    await assert_works(gql, account.token)
    await assert_works(gql, (await logged_in(gql, account))["accessToken"])


async def test_a_mutation_with_a_stale_token_is_unauthenticated_and_appends_no_event(
    gql, factory, owner_conn, storage
):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    created = (await gql(CREATE, {"role": "BRP"}, token=admin.token)).ok()["createWorkflow"]
    (await gql(START, {"id": created["id"]}, token=admin.token)).ok()
    events_before = await storage.events.for_instance(system_principal(), created["id"])
    await owner_conn.execute(
        "UPDATE wfm.users SET token_version = token_version + 1 WHERE id = $1", admin.user.id
    )
    data = step_data(tenant)["company-info"]
    refused = await gql(
        EXECUTE, {"id": created["id"], "step": "company-info", "data": data}, token=admin.token
    )
    assert refused.codes == ["UNAUTHENTICATED"]
    assert refused.errors[0]["message"] == ENDED
    again = await gql(CREATE, {"role": "GU"}, token=admin.token)
    assert again.codes == ["UNAUTHENTICATED"]
    events_after = await storage.events.for_instance(system_principal(), created["id"])
    assert [e.seq for e in events_after] == [e.seq for e in events_before]
    rows = await owner_conn.fetch(
        "SELECT version FROM wfm.workflow_instances_index WHERE tenant_id = $1", tenant.id
    )
    assert [r["version"] for r in rows] == [len(events_before)]


class SessionEndsAt(Faults):
    """Ends the user's sessions once the command path reaches `stage`."""

    def __init__(self, owner_conn, user_id, stage):
        self.owner_conn, self.user_id, self.stage = owner_conn, user_id, stage

    async def reached(self, stage):
        if stage == self.stage:
            await self.owner_conn.execute(
                "UPDATE wfm.users SET token_version = token_version + 1 WHERE id = $1",
                self.user_id,
            )


async def test_a_command_already_admitted_projects_the_events_it_appended(
    factory, owner_conn, storage, services, wfm_settings, make_services
):
    admin = await factory.account("tenant_admin", await factory.tenant())
    created = await services.workflows.create_workflow(
        admin.principal, market_role="BRP", template_key="contract-onboarding"
    )
    faulty = await make_services(
        wfm_settings, storage, faults=SessionEndsAt(owner_conn, admin.user.id, "events_appended")
    )
    ending = faulty.workflows
    started = await ending.execute(admin.principal, uuid.UUID(created.id), StartWorkflow())
    row = await owner_conn.fetchrow(
        "SELECT version, projected_version FROM wfm.workflow_instances_index WHERE id = $1",
        uuid.UUID(created.id),
    )
    assert tuple(row.values()) == (started.version, started.version)
    with pytest.raises(Unauthenticated):  # and the next command is refused
        await ending.execute(admin.principal, uuid.UUID(created.id), StartWorkflow())


async def test_the_session_check_costs_no_round_trip_of_its_own(gql, factory, owner_conn):
    account = await factory.account("tenant_user", await factory.tenant())
    await assert_works(gql, account.token)  # warm the statement cache
    with counting_round_trips() as trips:
        await assert_works(gql, account.token)
        for _ in range(3):  # asyncpg reports queries to its loggers with call_soon
            await asyncio.sleep(0)
    # BEGIN with the tenant settings and the check, the user, COMMIT
    assert trips.postgres == 3, trips
    await owner_conn.execute(
        "UPDATE wfm.users SET token_version = token_version + 1 WHERE id = $1", account.user.id
    )
    with counting_round_trips() as refused:
        await assert_ended(gql, account.token)
        for _ in range(3):
            await asyncio.sleep(0)
    # the refused BEGIN and its ROLLBACK: nothing else ran
    assert refused.postgres == 2, refused


async def test_requests_without_a_token_are_unchanged(gql):
    assert (await gql(ME)).codes == ["UNAUTHENTICATED"]
    assert (await gql("{ __typename }")).ok() == {"__typename": "Query"}
