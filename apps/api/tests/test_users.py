"""Users through the API, with two tenants and a real SMTP peer: the directory (list, one user,
invite, change, disable, enable) for a tenant's administrators within their tenant and for
market operations; invitations accepted by mail; the caller's own password; password resets
that answer the same whatever the address."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from wfm_api.app import create_app
from wfm_shared.clock import FrozenClock
from wfm_shared.settings import Settings
from wfm_testing.factories import TEST_PASSWORD
from wfm_testing.graphql import GraphQLClient
from wfm_testing.peers import SmtpSink
from wfm_testing.pytest_plugin import next_client_address

PUBLIC_URL = "https://wfm.example.test"
NEW_PASSWORD = "violet tractors sing at dawn"
LINK = re.compile(re.escape(PUBLIC_URL) + r"/(?:invitations|reset-password)/([A-Za-z0-9_-]+)")

USER_FIELDS = "id email role status displayName locale permissions tenant { id }"
USERS = f"""query($filter: UserFilter, $first: Int!, $after: String) {{
  users(filter: $filter, first: $first, after: $after) {{
    totalCount edges {{ cursor node {{ {USER_FIELDS} }} }} pageInfo {{ hasNextPage endCursor }}
  }}
}}"""
USER = f"query($id: ID!) {{ user(id: $id) {{ {USER_FIELDS} }} }}"
INVITE = f"""mutation($input: InviteUserInput!) {{
  inviteUser(input: $input) {{ {USER_FIELDS} }} }}"""
ACCEPT = """mutation($token: String!, $password: String!, $name: String) {
  acceptInvitation(token: $token, password: $password, displayName: $name) {
    email status displayName tenant { id } } }"""
UPDATE = f"""mutation($id: ID!, $input: UpdateUserInput!) {{
  updateUser(id: $id, input: $input) {{ {USER_FIELDS} }} }}"""
DISABLE = "mutation($id: ID!) { disableUser(id: $id) { status } }"
ENABLE = "mutation($id: ID!) { enableUser(id: $id) { status } }"
CHANGE = """mutation($current: String!, $new: String!) {
  changePassword(currentPassword: $current, newPassword: $new) {
    accessToken refreshToken user { email } } }"""
REQUEST_RESET = "mutation($email: String!) { requestPasswordReset(email: $email) }"
RESET = """mutation($token: String!, $new: String!) {
  resetPassword(token: $token, newPassword: $new) }"""
LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken refreshToken } }"""
REFRESH = "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }"
ME = "{ me { email status } }"


def unique_email(prefix="someone"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.test"


@dataclass
class Api:
    gql: GraphQLClient
    sink: SmtpSink
    clock: FrozenClock

    async def login(self, email: str, password: str = TEST_PASSWORD) -> Any:
        return await self.gql(LOGIN, {"email": email, "password": password})

    async def token_mailed_to(self, email: str) -> str:
        """The token of the latest link mailed to `email`."""
        await self.sink.wait_for(1)
        for mail in reversed(self.sink.messages):
            if mail["To"].addresses[0].addr_spec == email:
                found = LINK.search(mail.get_content())
                assert found is not None
                return found.group(1)
        raise AssertionError(f"no mail to {email}")


@contextlib.asynccontextmanager
async def serving(settings: Settings, storage: object) -> AsyncIterator[Api]:
    # Behind the real time: the access tokens it issues are checked against the real time.
    clock = FrozenClock(datetime.now(UTC) - timedelta(minutes=10))
    with SmtpSink() as sink:
        overrides = {"smtp_host": sink.host, "smtp_port": sink.port, "public_url": PUBLIC_URL}
        app = create_app(settings.model_copy(update=overrides), storage=storage, clock=clock)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=(next_client_address(), 50000))
            async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
                yield Api(GraphQLClient(http), sink, clock)


@pytest.fixture
async def api(wfm_settings, storage) -> AsyncIterator[Api]:
    async with serving(wfm_settings, storage) as running:
        yield running


async def test_a_colleague_is_invited_accepts_by_mail_and_logs_in(
    api, two_tenants, owner_conn, capfd
):
    admin = two_tenants["admin_a"]
    email = unique_email("colleague")
    invited = (
        await api.gql(
            INVITE,
            {"input": {"email": email, "role": "tenant_user", "locale": "FR"}},
            token=admin.token,
        )
    ).ok()["inviteUser"]
    assert (invited["status"], invited["tenant"]["id"], invited["locale"]) == (
        "invited",
        str(two_tenants["a"].id),
        "fr",
    )
    token = await api.token_mailed_to(email)
    # an invited user does not log in, with whatever password
    assert (await api.login(email, NEW_PASSWORD)).codes == ["UNAUTHENTICATED"]
    accepted = (
        await api.gql(ACCEPT, {"token": token, "password": NEW_PASSWORD, "name": "Élise Dupont"})
    ).ok()["acceptInvitation"]
    assert accepted == {
        "email": email,
        "status": "active",
        "displayName": "Élise Dupont",
        "tenant": {"id": str(two_tenants["a"].id)},
    }
    session = (await api.login(email, NEW_PASSWORD)).ok()["login"]
    assert (await api.gql(ME, token=session["accessToken"])).ok()["me"]["status"] == "active"
    again = await api.gql(ACCEPT, {"token": token, "password": NEW_PASSWORD})
    assert again.codes == ["VALIDATION_FAILED"]
    assert again.errors[0]["extensions"]["fields"] == [
        {"path": ["token"], "message": "is unknown, used or expired"}
    ]
    # the token is in the mail and nowhere else: not in the log, the audit trail or answers
    out, err = capfd.readouterr()
    assert token not in out + err
    details = await owner_conn.fetch(
        "SELECT details::text FROM wfm.audit_log WHERE target_id = $1", invited["id"]
    )
    assert details
    assert all(token not in row["details"] for row in details)


async def test_the_list_shows_an_admin_its_tenant_and_market_operations_everyone(
    api, factory, two_tenants
):
    a, b = two_tenants["a"], two_tenants["b"]
    admin = two_tenants["admin_a"]
    ops = await factory.account("market_ops")
    mine = (await api.gql(USERS, {"first": 100}, token=admin.token)).ok()["users"]
    assert {e["node"]["tenant"]["id"] for e in mine["edges"]} == {str(a.id)}
    assert mine["totalCount"] == 2
    assert {e["node"]["email"] for e in mine["edges"]} == {
        two_tenants["admin_a"].user.email,
        two_tenants["user_a"].user.email,
    }
    refused = await api.gql(
        USERS, {"first": 10, "filter": {"tenantId": str(b.id)}}, token=admin.token
    )
    assert refused.codes == ["FORBIDDEN"]
    theirs = (
        await api.gql(USERS, {"first": 1, "filter": {"tenantId": str(b.id)}}, token=ops.token)
    ).ok()["users"]
    assert theirs["totalCount"] == 2
    assert theirs["pageInfo"]["hasNextPage"] is True
    rest = (
        await api.gql(
            USERS,
            {
                "first": 1,
                "after": theirs["pageInfo"]["endCursor"],
                "filter": {"tenantId": str(b.id)},
            },
            token=ops.token,
        )
    ).ok()["users"]
    assert rest["pageInfo"]["hasNextPage"] is False
    emails = [p["edges"][0]["node"]["email"] for p in (theirs, rest)]
    assert emails == sorted([two_tenants["admin_b"].user.email, two_tenants["user_b"].user.email])
    admins = (
        await api.gql(
            USERS,
            {"first": 10, "filter": {"tenantId": str(b.id), "role": "tenant_admin"}},
            token=ops.token,
        )
    ).ok()["users"]
    assert [e["node"]["email"] for e in admins["edges"]] == [two_tenants["admin_b"].user.email]
    search = two_tenants["user_b"].user.email.split("@")[0][-8:]
    found = (
        await api.gql(USERS, {"first": 10, "filter": {"search": search}}, token=ops.token)
    ).ok()["users"]
    assert [e["node"]["email"] for e in found["edges"]] == [two_tenants["user_b"].user.email]
    node = found["edges"][0]["node"]
    assert node["permissions"] == sorted(node["permissions"])
    assert "users.manage" not in node["permissions"]  # the user's own, not the caller's


async def test_a_tenant_admin_reaches_no_other_tenants_users_and_grants_no_market_ops(
    api, two_tenants
):
    admin, foreign = two_tenants["admin_a"], two_tenants["user_b"].user
    unknown = str(uuid.uuid4())
    for query, variables in (
        (USER, {}),
        (UPDATE, {"input": {"displayName": "taken over"}}),
        (DISABLE, {}),
        (ENABLE, {}),
    ):
        theirs = await api.gql(query, {**variables, "id": str(foreign.id)}, token=admin.token)
        nobodys = await api.gql(query, {**variables, "id": unknown}, token=admin.token)
        assert theirs.codes == nobodys.codes == ["NOT_FOUND"]
        assert (
            theirs.errors[0]["message"].replace(str(foreign.id), unknown)
            == (nobodys.errors[0]["message"])
        )
    into_b = await api.gql(
        INVITE,
        {
            "input": {
                "email": unique_email(),
                "role": "tenant_user",
                "locale": "EN",
                "tenantId": str(two_tenants["b"].id),
            }
        },
        token=admin.token,
    )
    assert into_b.codes == ["FORBIDDEN"]
    staff = await api.gql(
        INVITE,
        {"input": {"email": unique_email(), "role": "market_ops", "locale": "EN"}},
        token=admin.token,
    )
    assert staff.codes == ["FORBIDDEN"]
    assert "lacks operators.manage" in staff.errors[0]["message"]
    promoted = await api.gql(
        UPDATE,
        {"id": str(two_tenants["user_a"].user.id), "input": {"role": "market_ops"}},
        token=admin.token,
    )
    assert promoted.codes == ["VALIDATION_FAILED"]
    assert api.sink.messages == []


async def test_a_tenant_user_manages_no_users(api, two_tenants):
    plain, colleague = two_tenants["user_a"], two_tenants["admin_a"].user
    for query, variables in (
        (USERS, {"first": 10}),
        (USER, {"id": str(colleague.id)}),
        (INVITE, {"input": {"email": unique_email(), "role": "tenant_user", "locale": "EN"}}),
        (UPDATE, {"id": str(colleague.id), "input": {"locale": "NL"}}),
        (DISABLE, {"id": str(colleague.id)}),
        (ENABLE, {"id": str(colleague.id)}),
    ):
        result = await api.gql(query, variables, token=plain.token)
        assert result.codes == ["FORBIDDEN"], query
        assert "lacks users.manage" in result.errors[0]["message"]


async def test_disabling_ends_the_users_sessions_and_enabling_lets_it_log_in_again(
    api, two_tenants
):
    admin, user = two_tenants["admin_a"], two_tenants["user_a"]
    session = (await api.login(user.user.email)).ok()["login"]
    disabled = await api.gql(DISABLE, {"id": str(user.user.id)}, token=admin.token)
    assert disabled.ok()["disableUser"]["status"] == "disabled"
    assert (await api.gql(ME, token=session["accessToken"])).codes == ["UNAUTHENTICATED"]
    assert (await api.gql(REFRESH, {"t": session["refreshToken"]})).codes == ["UNAUTHENTICATED"]
    assert (await api.login(user.user.email)).codes == ["UNAUTHENTICATED"]
    enabled = await api.gql(ENABLE, {"id": str(user.user.id)}, token=admin.token)
    assert enabled.ok()["enableUser"]["status"] == "active"
    assert (await api.login(user.user.email)).ok()["login"]["accessToken"]


async def test_a_new_password_keeps_this_session_and_ends_the_others(api, two_tenants):
    account = two_tenants["user_a"]
    here = (await api.login(account.user.email)).ok()["login"]
    elsewhere = (await api.login(account.user.email)).ok()["login"]
    wrong = await api.gql(
        CHANGE, {"current": "not my password", "new": NEW_PASSWORD}, token=here["accessToken"]
    )
    assert wrong.errors[0]["extensions"]["fields"] == [
        {"path": ["currentPassword"], "message": "is not your password"}
    ]
    changed = (
        await api.gql(
            CHANGE, {"current": TEST_PASSWORD, "new": NEW_PASSWORD}, token=here["accessToken"]
        )
    ).ok()["changePassword"]
    assert changed["user"]["email"] == account.user.email
    assert (await api.gql(ME, token=changed["accessToken"])).ok()["me"]
    assert (await api.gql(REFRESH, {"t": changed["refreshToken"]})).ok()
    for old in (here, elsewhere):
        assert (await api.gql(ME, token=old["accessToken"])).codes == ["UNAUTHENTICATED"]
        assert (await api.gql(REFRESH, {"t": old["refreshToken"]})).codes == ["UNAUTHENTICATED"]
    assert (await api.login(account.user.email, NEW_PASSWORD)).ok()["login"]["accessToken"]


async def test_a_reset_request_answers_the_same_whatever_the_address_and_its_link_works(
    api, two_tenants
):
    account = two_tenants["user_b"]
    known = await api.gql(REQUEST_RESET, {"email": account.user.email})
    unknown = await api.gql(REQUEST_RESET, {"email": unique_email("nobody")})
    assert known.body == unknown.body == {"data": {"requestPasswordReset": True}}
    token = await api.token_mailed_to(account.user.email)
    assert len(api.sink.messages) == 1
    weak = await api.gql(RESET, {"token": token, "new": "short"})
    assert weak.errors[0]["extensions"]["fields"] == [
        {"path": ["newPassword"], "message": "must be at least 12 characters"}
    ]
    assert (await api.gql(RESET, {"token": token, "new": NEW_PASSWORD})).ok() == {
        "resetPassword": True
    }
    assert (await api.gql(ME, token=account.token)).codes == ["UNAUTHENTICATED"]
    assert (await api.login(account.user.email, NEW_PASSWORD)).ok()["login"]["accessToken"]
    used = await api.gql(RESET, {"token": token, "new": "another sound password"})
    assert used.codes == ["VALIDATION_FAILED"]


async def test_reset_requests_from_one_address_are_throttled_alike_for_any_address(api):
    answers = [(await api.gql(REQUEST_RESET, {"email": unique_email()})).codes for _ in range(11)]
    assert answers[:10] == [[]] * 10
    assert answers[10] == ["RATE_LIMITED"]
