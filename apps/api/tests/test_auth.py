"""Login, refresh-token rotation with reuse detection, logout, token verification."""

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from wfm_shared.principal import principal_for
from wfm_testing.factories import TEST_PASSWORD, codec_for

LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    accessToken tokenType refreshToken expiresAt user { email role tenant { id } }
  }
}"""
REFRESH = "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }"
LOGOUT = "mutation($t: String!) { logout(refreshToken: $t) }"
ME = "{ me { id email role permissions tenant { id slug } } }"


async def login(gql, email, password=TEST_PASSWORD):
    return await gql(LOGIN, {"email": email, "password": password})


async def test_login_returns_a_working_access_token(gql, factory):
    tenant = await factory.tenant()
    account = await factory.account("tenant_user", tenant)
    payload = (await login(gql, account.user.email.upper())).ok()["login"]
    assert payload["tokenType"] == "Bearer"
    assert payload["user"]["tenant"]["id"] == str(tenant.id)
    me = (await gql(ME, token=payload["accessToken"])).ok()["me"]
    assert me["email"] == account.user.email
    assert me["tenant"]["slug"] == tenant.slug
    assert "workflows.approve" not in me["permissions"]
    assert "workflows.execute" in me["permissions"]
    claims = jwt.decode(payload["accessToken"], options={"verify_signature": False})
    assert claims["tenantId"] == str(tenant.id)
    assert claims["role"] == "tenant_user"


async def test_wrong_password_and_unknown_email_answer_alike(gql, factory):
    account = await factory.account("tenant_user", await factory.tenant())
    wrong = await login(gql, account.user.email, "not the password")
    unknown = await login(gql, "nobody@example.test", "not the password")
    assert wrong.codes == unknown.codes == ["UNAUTHENTICATED"]
    assert wrong.errors[0]["message"] == unknown.errors[0]["message"]


@pytest.mark.parametrize("password", ["", "short", TEST_PASSWORD + "x" * 80, "é" * 40])
async def test_a_wrong_password_of_any_length_is_only_wrong(gql, factory, password):
    # a login never explains the password policy: too short or too long is just not it
    account = await factory.account("tenant_user", await factory.tenant())
    result = await login(gql, account.user.email, password)
    wrong = await login(gql, account.user.email, "not the password")
    assert result.codes == ["UNAUTHENTICATED"]
    assert result.errors[0]["message"] == wrong.errors[0]["message"]
    assert not (await login(gql, account.user.email, TEST_PASSWORD)).errors


async def test_disabled_user_and_suspended_tenant_cannot_log_in(gql, factory, owner_conn):
    account = await factory.account("tenant_user", await factory.tenant())
    await owner_conn.execute(
        "UPDATE wfm.users SET status = 'disabled' WHERE id = $1", account.user.id
    )
    assert (await login(gql, account.user.email)).codes == ["UNAUTHENTICATED"]
    suspended = await factory.tenant(status="suspended")
    member = await factory.account("tenant_admin", suspended)
    assert (await login(gql, member.user.email)).codes == ["UNAUTHENTICATED"]


async def test_refresh_rotates_and_a_reused_token_revokes_the_family(gql, factory):
    account = await factory.account("tenant_admin", await factory.tenant())
    first = (await login(gql, account.user.email)).ok()["login"]["refreshToken"]
    second = (await gql(REFRESH, {"t": first})).ok()["refreshToken"]["refreshToken"]
    assert second != first
    reused = await gql(REFRESH, {"t": first})
    assert reused.codes == ["UNAUTHENTICATED"]
    assert "revoked" in reused.errors[0]["message"]
    # the theft detection revoked the legitimate successor as well
    after = await gql(REFRESH, {"t": second})
    assert after.codes == ["UNAUTHENTICATED"], after.errors


async def test_logout_revokes_the_refresh_token(gql, factory):
    account = await factory.account("tenant_admin", await factory.tenant())
    token = (await login(gql, account.user.email)).ok()["login"]["refreshToken"]
    assert (await gql(LOGOUT, {"t": token})).ok()["logout"] is True
    assert (await gql(REFRESH, {"t": token})).codes == ["UNAUTHENTICATED"]
    assert (await gql(LOGOUT, {"t": "never-issued"})).ok()["logout"] is False


def _segment(part: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


async def test_bad_tokens_are_unauthenticated(gql, factory, wfm_settings):
    account = await factory.account("tenant_admin", await factory.tenant())
    claims = jwt.decode(account.token, options={"verify_signature": False})
    now = datetime.now(UTC)
    expired = jwt.encode(
        {
            **claims,
            "iat": int((now - timedelta(hours=2)).timestamp()),
            "exp": int((now - timedelta(hours=1)).timestamp()),
        },
        wfm_settings.jwt_secret.get_secret_value(),
        algorithm="HS256",
    )
    forged = jwt.encode(claims, "a-different-secret-that-is-long-enough!!", algorithm="HS256")
    alg_none = f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{_segment(claims)}."
    for token in (expired, forged, alg_none, "not-a-jwt"):
        result = await gql(ME, token=token)
        assert result.codes == ["UNAUTHENTICATED"], token
        assert result.data is None
    assert (await gql(ME)).codes == ["UNAUTHENTICATED"]
    basic = await gql(ME, headers={"authorization": "Basic dXNlcjpwYXNz"})
    assert basic.codes == ["UNAUTHENTICATED"]


async def test_a_signed_token_of_an_unknown_user_is_unauthenticated(gql, factory, wfm_settings):
    # as the token of a deleted user: the signature alone no longer makes a session
    tenant = await factory.tenant()
    ghost = principal_for(uuid.uuid4(), tenant.id, "tenant_user", token_version=1)
    token, _ = codec_for(wfm_settings).issue(ghost, datetime.now(UTC))
    assert (await gql(ME, token=token)).codes == ["UNAUTHENTICATED"]
