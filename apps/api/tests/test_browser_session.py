"""A browser's session: with `X-WFM-Session: cookie` every sign-in keeps its refresh token
in an HttpOnly cookie (never in the payload), which `POST /auth/refresh` rotates and
`POST /auth/logout` revokes; without the header nothing changes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from typing import Any

import httpx
import pyotp
import pytest

from wfm_api.app import create_app
from wfm_shared.clock import FrozenClock
from wfm_testing.factories import TEST_PASSWORD
from wfm_testing.graphql import GraphQLClient, GraphQLResult
from wfm_testing.pytest_plugin import next_client_address

BROWSER = {"x-wfm-session": "cookie"}
LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    accessToken refreshToken expiresAt mfaRequired mfaChallenge user { email }
  }
}"""
VERIFY = """mutation($challenge: String!, $code: String!) {
  verifyMfa(challenge: $challenge, code: $code) { accessToken refreshToken }
}"""
REFRESH = "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }"
CHANGE = """mutation($current: String!, $new: String!) {
  changePassword(currentPassword: $current, newPassword: $new) { accessToken refreshToken }
}"""
BEGIN = "mutation { beginMfaEnrolment { provisioningUri } }"
CONFIRM = "mutation($code: String!) { confirmMfaEnrolment(code: $code) { recoveryCodes } }"
ME = "{ me { email tenant { id } } }"
TENANTS = "{ tenants { edges { node { id } } } }"
TENANT = "query($id: ID!) { tenant(id: $id) { id } }"
NEW_PASSWORD = "violet tractors sing at dawn"


@dataclass
class Browser:
    """The API in this process, reached as a browser would: one cookie jar, one address."""

    http: httpx.AsyncClient
    clock: FrozenClock

    @property
    def gql(self) -> GraphQLClient:
        return GraphQLClient(self.http)

    async def login(self, email: str, *, headers: dict[str, str] | None = None) -> GraphQLResult:
        sent = BROWSER if headers is None else headers
        return await self.gql(LOGIN, {"email": email, "password": TEST_PASSWORD}, headers=sent)

    async def refresh(self, **kwargs: Any) -> httpx.Response:
        return await self.http.post("/auth/refresh", **({"headers": BROWSER} | kwargs))

    async def logout(self, **kwargs: Any) -> httpx.Response:
        return await self.http.post("/auth/logout", **({"headers": BROWSER} | kwargs))

    async def refresh_with(self, cookie: str) -> httpx.Response:
        """Refresh with this cookie value, as a browser that kept an old one would."""
        self.http.cookies.clear()
        return await self.refresh(headers=BROWSER | {"cookie": f"wfm_refresh={cookie}"})

    @property
    def cookie(self) -> str | None:
        return self.http.cookies.get("wfm_refresh")


def refresh_cookie(response: httpx.Response) -> SimpleCookie:
    (header,) = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    cookie = SimpleCookie()
    cookie.load(header)
    assert list(cookie) == ["wfm_refresh"]
    return cookie


@contextlib.asynccontextmanager
async def serving(wfm_settings, storage, **overrides: Any) -> AsyncIterator[Browser]:
    # behind the real time, so that its tokens are valid while a test moves it a few steps
    clock = FrozenClock(datetime.now(UTC) - timedelta(minutes=10))
    settings = wfm_settings.model_copy(update={"mfa_required_for_market_ops": False, **overrides})
    app = create_app(settings, storage=storage, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(next_client_address(), 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            yield Browser(http, clock)


@pytest.fixture
async def browser(wfm_settings, storage) -> AsyncIterator[Browser]:
    async with serving(wfm_settings, storage) as running:
        yield running


async def test_a_browsers_login_keeps_the_refresh_token_in_an_httponly_cookie(
    browser, factory, wfm_settings
):
    account = await factory.account("tenant_user", await factory.tenant())
    result = await browser.login(account.user.email)
    payload = result.ok()["login"]
    assert payload["refreshToken"] is None
    assert payload["accessToken"]
    assert payload["user"] == {"email": account.user.email}
    cookie = refresh_cookie(result.response)["wfm_refresh"]
    assert len(cookie.value) >= 40
    assert cookie["httponly"] is True
    assert cookie["samesite"].lower() == "strict"
    assert cookie["path"] == "/auth"
    assert cookie["max-age"] == str(wfm_settings.refresh_token_ttl_seconds)
    assert not cookie["secure"]  # WFM_PUBLIC_URL is http here
    assert not cookie["domain"]  # this host alone


async def test_the_cookie_is_secure_where_the_platform_is_reached_over_https(
    wfm_settings, storage, factory
):
    account = await factory.account("tenant_user", await factory.tenant())
    async with serving(wfm_settings, storage, public_url="https://wfm.example.com") as browser:
        result = await browser.login(account.user.email)
    assert refresh_cookie(result.response)["wfm_refresh"]["secure"] is True


async def test_without_the_header_a_login_answers_the_refresh_token_and_sets_no_cookie(
    browser, factory
):
    account = await factory.account("tenant_user", await factory.tenant())
    result = await browser.login(account.user.email, headers={})
    assert result.ok()["login"]["refreshToken"]
    assert "set-cookie" not in result.response.headers


async def test_a_wrong_password_sets_no_cookie(browser, factory):
    account = await factory.account("tenant_user", await factory.tenant())
    result = await browser.gql(
        LOGIN, {"email": account.user.email, "password": "not the password"}, headers=BROWSER
    )
    assert result.codes == ["UNAUTHENTICATED"]
    assert "set-cookie" not in result.response.headers


async def test_the_cookie_goes_back_to_the_refresh_route_which_rotates_it(browser, factory):
    account = await factory.account("tenant_admin", await factory.tenant())
    await browser.login(account.user.email)
    first = browser.cookie
    assert first

    refreshed = await browser.refresh()  # the jar sends the cookie: its path is /auth
    assert refreshed.status_code == 200
    body = refreshed.json()
    assert set(body) == {"accessToken", "expiresIn", "tokenType"}
    assert body["tokenType"] == "Bearer"
    assert 0 < body["expiresIn"] <= 900
    assert refreshed.headers["cache-control"] == "no-store"
    second = refresh_cookie(refreshed)["wfm_refresh"]
    assert second.value != first
    assert second["httponly"] is True
    assert second["path"] == "/auth"
    me = await browser.gql(ME, token=body["accessToken"])
    assert me.ok()["me"]["email"] == account.user.email


async def test_a_reused_cookie_is_refused_and_revokes_every_session_of_the_login(browser, factory):
    account = await factory.account("tenant_admin", await factory.tenant())
    await browser.login(account.user.email)
    first = browser.cookie
    assert first
    second = refresh_cookie(await browser.refresh())["wfm_refresh"].value

    reused = await browser.refresh_with(first)
    assert reused.status_code == 401
    assert reused.json()["error"] == "UNAUTHENTICATED"
    # the family is revoked: the token it was rotated into is refused too
    after = await browser.refresh_with(second)
    assert after.status_code == 401
    assert after.json()["error"] == "UNAUTHENTICATED"


async def test_no_cookie_or_an_unknown_one_is_unauthenticated_and_the_cookie_cleared(browser):
    missing = await browser.refresh()
    assert missing.status_code == 401
    assert missing.json()["error"] == "UNAUTHENTICATED"
    assert missing.headers["cache-control"] == "no-store"
    unknown = await browser.refresh_with("not-a-token")
    assert unknown.status_code == 401
    cleared = refresh_cookie(unknown)["wfm_refresh"]
    assert cleared.value == ""
    assert cleared["max-age"] == "0"
    assert cleared["path"] == "/auth"


@pytest.mark.parametrize("header", [None, "token", ""])
@pytest.mark.parametrize("route", ["/auth/refresh", "/auth/logout"])
async def test_the_routes_refuse_a_request_without_the_session_header(
    browser, factory, route, header
):
    # a form or a link of another site cannot send the header: it cannot spend the cookie
    account = await factory.account("tenant_user", await factory.tenant())
    await browser.login(account.user.email)
    kept = browser.cookie
    refused = await browser.http.post(
        route, headers={} if header is None else {"x-wfm-session": header}
    )
    assert refused.status_code == 403
    assert refused.json()["error"] == "FORBIDDEN"
    assert "set-cookie" not in refused.headers
    assert (await browser.refresh_with(kept)).status_code == 200  # nothing was spent


async def test_the_routes_take_post_alone(browser):
    for route in ("/auth/refresh", "/auth/logout"):
        assert (await browser.http.get(route, headers=BROWSER)).status_code == 405


async def test_logout_revokes_the_session_and_clears_the_cookie(browser, factory):
    account = await factory.account("tenant_user", await factory.tenant())
    signed_in = (await browser.login(account.user.email)).ok()["login"]
    kept = browser.cookie
    assert kept

    ended = await browser.logout()
    assert ended.status_code == 204
    cleared = refresh_cookie(ended)["wfm_refresh"]
    assert (cleared.value, cleared["max-age"], cleared["path"]) == ("", "0", "/auth")
    assert browser.cookie is None
    assert (await browser.refresh_with(kept)).status_code == 401
    # the access tokens of the login end at once too
    assert (await browser.gql(ME, token=signed_in["accessToken"])).codes == ["UNAUTHENTICATED"]


async def test_logout_without_a_session_is_no_error(browser):
    assert (await browser.logout()).status_code == 204
    assert (
        await browser.logout(headers=BROWSER | {"cookie": "wfm_refresh=nothing"})
    ).status_code == 204


async def test_a_second_factor_sign_in_sets_the_cookie_at_verify_mfa(browser, factory):
    account = await factory.account("tenant_admin", await factory.tenant())
    begun = (await browser.gql(BEGIN, token=account.token)).ok()["beginMfaEnrolment"]
    totp = pyotp.parse_uri(begun["provisioningUri"])
    assert isinstance(totp, pyotp.TOTP)
    await browser.gql(CONFIRM, {"code": totp.at(browser.clock.now())}, token=account.token)
    browser.clock.advance(timedelta(seconds=30))  # the confirming code is used up

    challenged = await browser.login(account.user.email)
    assert challenged.ok()["login"]["mfaRequired"] is True
    assert "set-cookie" not in challenged.response.headers  # no session yet
    verified = await browser.gql(
        VERIFY,
        {
            "challenge": challenged.ok()["login"]["mfaChallenge"],
            "code": totp.at(browser.clock.now()),
        },
        headers=BROWSER,
    )
    assert verified.ok()["verifyMfa"]["refreshToken"] is None
    assert refresh_cookie(verified.response)["wfm_refresh"]["httponly"] is True
    assert (await browser.refresh()).status_code == 200


async def test_a_token_refreshed_or_a_password_changed_in_graphql_goes_to_the_cookie_too(
    browser, factory
):
    account = await factory.account("tenant_user", await factory.tenant())
    token = (await browser.login(account.user.email, headers={})).ok()["login"]["refreshToken"]
    rotated = await browser.gql(REFRESH, {"t": token}, headers=BROWSER)
    assert rotated.ok()["refreshToken"]["refreshToken"] is None
    assert refresh_cookie(rotated.response)["wfm_refresh"].value

    changed = await browser.gql(
        CHANGE,
        {"current": TEST_PASSWORD, "new": NEW_PASSWORD},
        token=rotated.ok()["refreshToken"]["accessToken"],
        headers=BROWSER,
    )
    assert changed.ok()["changePassword"]["refreshToken"] is None
    browser.http.cookies.clear()
    browser.http.cookies.extract_cookies(changed.response)
    refreshed = await browser.refresh()
    assert refreshed.status_code == 200
    me = await browser.gql(ME, token=refreshed.json()["accessToken"])
    assert me.ok()["me"]["email"] == account.user.email


async def test_a_refreshed_session_sees_its_own_tenant_only(browser, factory):
    tenant_a, tenant_b = await factory.tenant(), await factory.tenant()
    anna = await factory.account("tenant_admin", tenant_a)
    bert = await factory.account("tenant_admin", tenant_b)
    await browser.login(bert.user.email)
    bert_cookie = browser.cookie
    assert bert_cookie
    browser.http.cookies.clear()
    await browser.login(anna.user.email)

    access = (await browser.refresh()).json()["accessToken"]
    me = (await browser.gql(ME, token=access)).ok()["me"]
    assert me == {"email": anna.user.email, "tenant": {"id": str(tenant_a.id)}}
    seen = (await browser.gql(TENANTS, token=access)).ok()["tenants"]["edges"]
    assert [edge["node"]["id"] for edge in seen] == [str(tenant_a.id)]
    other = await browser.gql(TENANT, {"id": str(tenant_b.id)}, token=access)
    unknown = await browser.gql(
        TENANT, {"id": "00000000-0000-4000-8000-000000000000"}, token=access
    )
    assert other.codes == unknown.codes == ["NOT_FOUND"]
    assert other.errors[0]["message"].replace(str(tenant_b.id), "X") == unknown.errors[0][
        "message"
    ].replace("00000000-0000-4000-8000-000000000000", "X")

    # ending A's session leaves B's alone
    assert (await browser.logout()).status_code == 204
    assert (await browser.refresh_with(bert_cookie)).status_code == 200
