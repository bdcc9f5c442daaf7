"""Abuse limits: login attempts throttled per account and per client address (RATE_LIMITED
with retryAfterSeconds, refused before any password is checked), one operation per request,
request bodies capped, and query depth, aliases, tokens and page sizes bounded."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

import wfm_api.auth
from wfm_api.app import create_app
from wfm_api.limits import ClientAddress, ClientThrottle, Limit
from wfm_api.schema import build_schema
from wfm_shared.clock import FrozenClock
from wfm_shared.settings import Settings
from wfm_testing.factories import TEST_PASSWORD
from wfm_testing.graphql import GraphQLClient
from wfm_testing.onboarding import drive
from wfm_testing.triggers import SCHEDULE, create_trigger

LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken } }"""
WRONG = "not the password"


class Api:
    """The API in this process with its own login windows and clock; each client address
    gets its own connection."""

    def __init__(self, app: object, clock: FrozenClock, stack: contextlib.AsyncExitStack):
        self.app = app
        self.clock = clock
        self._stack = stack
        self._clients: dict[str, GraphQLClient] = {}

    async def client(self, address: str = "198.51.100.1") -> GraphQLClient:
        if address not in self._clients:
            transport = httpx.ASGITransport(app=self.app, client=(address, 50000))  # type: ignore[arg-type]
            http = await self._stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="http://api.test")
            )
            self._clients[address] = GraphQLClient(http)
        return self._clients[address]

    async def login(self, email, password=TEST_PASSWORD, *, address="198.51.100.1", headers=None):
        gql = await self.client(address)
        return await gql(LOGIN, {"email": email, "password": password}, headers=headers)


async def forget_login_history(settings: Settings) -> None:
    """The windows are shared by every API on the database: each test starts without the
    attempts of the tests before it (whose clocks were moved ahead)."""
    conn = await asyncpg.connect(settings.database_url)
    try:
        await conn.execute("DELETE FROM wfm.throttle_windows")
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def serving(settings: Settings, storage, **overrides) -> AsyncIterator[Api]:
    await forget_login_history(settings)
    clock = FrozenClock(datetime.now(UTC))
    app = create_app(settings.model_copy(update=overrides), storage=storage, clock=clock)
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(app.router.lifespan_context(app))
        yield Api(app, clock, stack)


@pytest.fixture
async def api(wfm_settings, storage) -> AsyncIterator[Api]:
    async with serving(wfm_settings, storage) as running:
        yield running


@pytest.fixture
def password_checks(monkeypatch) -> list[str]:
    """Every bcrypt comparison the API makes."""
    checked: list[str] = []
    verify = wfm_api.auth.verify_password

    def counting(password: str, password_hash: str) -> bool:
        checked.append(password)
        return verify(password, password_hash)

    monkeypatch.setattr(wfm_api.auth, "verify_password", counting)
    return checked


async def test_after_five_failed_logins_the_account_is_refused_without_a_password_check(
    api, factory, password_checks
):
    account = await factory.account("tenant_user", await factory.tenant())
    for _ in range(5):
        assert (await api.login(account.user.email, WRONG)).codes == ["UNAUTHENTICATED"]
    assert len(password_checks) == 5

    refused = await api.login(account.user.email.upper(), TEST_PASSWORD, address="198.51.100.2")
    assert refused.codes == ["RATE_LIMITED"]
    assert refused.data is None
    assert 0 < refused.errors[0]["extensions"]["retryAfterSeconds"] <= 15 * 60
    assert len(password_checks) == 5  # no bcrypt work for a refused attempt

    api.clock.advance(timedelta(minutes=15, seconds=1))
    assert (await api.login(account.user.email)).ok()["login"]["accessToken"]


async def test_retry_after_counts_down_from_the_oldest_failure(api, factory):
    account = await factory.account("tenant_user", await factory.tenant())
    await api.login(account.user.email, WRONG)
    api.clock.advance(timedelta(minutes=10))
    for _ in range(4):
        await api.login(account.user.email, WRONG)
    refused = await api.login(account.user.email, WRONG)
    assert refused.errors[0]["extensions"]["retryAfterSeconds"] == 5 * 60
    api.clock.advance(timedelta(minutes=5))
    assert (await api.login(account.user.email)).ok()


async def test_a_successful_login_resets_the_accounts_failures(api, factory):
    account = await factory.account("tenant_admin", await factory.tenant())
    for _ in range(4):
        await api.login(account.user.email, WRONG)
    assert (await api.login(account.user.email)).ok()
    for _ in range(4):
        assert (await api.login(account.user.email, WRONG)).codes == ["UNAUTHENTICATED"]
    assert (await api.login(account.user.email)).ok()


async def test_unknown_accounts_are_throttled_alike(api):
    """A refusal must not tell whether the account exists."""
    for _ in range(5):
        assert (await api.login("nobody@example.test", WRONG)).codes == ["UNAUTHENTICATED"]
    assert (await api.login("Nobody@Example.test ", WRONG)).codes == ["RATE_LIMITED"]


async def test_one_address_gets_twenty_attempts_a_minute(api, factory, password_checks):
    tenant = await factory.tenant()
    accounts = [await factory.account("tenant_user", tenant) for _ in range(6)]
    for attempt in range(20):  # four wrong passwords for each of five accounts
        email = accounts[attempt % 5].user.email
        assert (await api.login(email, WRONG)).codes == ["UNAUTHENTICATED"]
    checked = len(password_checks)
    refused = await api.login(accounts[5].user.email)
    assert refused.codes == ["RATE_LIMITED"]
    assert 0 < refused.errors[0]["extensions"]["retryAfterSeconds"] <= 60
    assert len(password_checks) == checked
    # another address is not held back, and the first one may try again a minute later
    assert (await api.login(accounts[5].user.email, address="198.51.100.9")).ok()
    api.clock.advance(timedelta(seconds=61))
    assert (await api.login(accounts[0].user.email)).ok()


async def test_forwarded_for_counts_only_behind_a_trusted_proxy(wfm_settings, storage, factory):
    account = await factory.account("tenant_user", await factory.tenant())
    proxy = "10.0.0.5"

    def via_proxy(client: str) -> dict[str, str]:
        return {"x-forwarded-for": f"{client}"}

    async with serving(wfm_settings, storage, login_max_attempts_per_address=2) as direct:
        for client in ("203.0.113.1", "203.0.113.2"):
            await direct.login(account.user.email, address=proxy, headers=via_proxy(client))
        spoofed = await direct.login(
            account.user.email, address=proxy, headers=via_proxy("203.0.113.3")
        )
        assert spoofed.codes == ["RATE_LIMITED"]

    async with serving(
        wfm_settings, storage, login_max_attempts_per_address=2, trusted_proxies=["10.0.0.0/8"]
    ) as proxied:
        for client in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
            result = await proxied.login(
                account.user.email, address=proxy, headers=via_proxy(client)
            )
            assert result.ok()


def test_the_client_address_is_the_nearest_untrusted_hop():
    address = ClientAddress(["10.0.0.0/8", "192.0.2.7"])
    assert address.of("10.1.2.3", "203.0.113.9, 192.0.2.7") == "203.0.113.9"
    assert address.of("10.1.2.3", "198.51.100.4, 203.0.113.9") == "203.0.113.9"
    assert address.of("10.1.2.3", "garbage") == "10.1.2.3"
    assert address.of("10.1.2.3", None) == "10.1.2.3"
    assert address.of("203.0.113.50", "198.51.100.4") == "203.0.113.50"


async def test_login_windows_forget_idle_keys(wfm_settings, storage, owner_conn):
    await forget_login_history(wfm_settings)
    clock = FrozenClock(datetime(2030, 1, 1, tzinfo=UTC))
    throttle = ClientThrottle(storage.db, storage.throttle, clock)
    per_address = Limit("login_address", 2, 60)
    for n in range(100):
        assert (await throttle.admit(per_address.of(f"192.0.2.{n}")))[1] == 0
    clock.advance(timedelta(seconds=61))
    await throttle.admit(per_address.of("192.0.2.200"))
    assert await owner_conn.fetchval("SELECT count(*) FROM wfm.throttle_windows") == 1
    # what is kept of a key is a digest: no address in the clear
    stored = await owner_conn.fetchval("SELECT key_digest FROM wfm.throttle_windows")
    assert b"192.0.2.200" not in bytes(stored)


def test_a_malformed_trusted_proxy_is_refused_at_start():
    with pytest.raises(ValueError, match="not-an-address"):
        Settings(trusted_proxies=["not-an-address"])


async def test_a_batch_of_operations_is_refused_clearly(gql):
    response = await gql.http.post(
        "/graphql", json=[{"query": "{ __typename }"}, {"query": "{ __typename }"}]
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "one operation per request" in error["message"]


@pytest.mark.parametrize("body", [b"42", b'"query"', b"null", b"true", b"[]"])
async def test_a_body_that_is_not_a_json_object_is_a_bad_request(gql, body):
    response = await gql.http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_a_body_nested_past_the_json_decoder_is_a_bad_request(gql):
    for body in (b"[" * 100_000, b'{"query": "{ me { id } }", "variables": ' + b'{"a":' * 100_000):
        response = await gql.http.post(
            "/graphql", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_unstorable_text_is_refused_before_anything_is_stored(gql, factory):
    """NUL characters (PostgreSQL cannot store them) and lone surrogates (no UTF-8 encoding
    has them): a cancel reason with one would reach the event log and fail afterwards."""
    tenant = await factory.tenant()
    account = await factory.account("tenant_admin", tenant)
    workflow_id = await drive(gql, tenant, account.token, until="IN_PROGRESS")
    cancel = "mutation($id: ID!, $r: String) { cancelWorkflow(workflowId: $id, reason: $r) { id } }"
    by_variable = await gql(cancel, {"id": workflow_id, "r": "gone\x00"}, token=account.token)
    by_literal = await gql(
        f'mutation {{ cancelWorkflow(workflowId: "{workflow_id}", reason: "gone\\u0000") {{ id }} }}',
        token=account.token,
    )
    in_a_key = await gql(
        "mutation($id: ID!, $d: JSON!) { executeStep(workflowId: $id, stepId: "
        '"company-info", data: $d) { id } }',
        {"id": workflow_id, "d": {"name\x00": "x"}},
        token=account.token,
    )
    half_a_pair = await gql.http.post(
        "/graphql",
        content=b'{"query": "mutation($id: ID!, $r: String) { pauseWorkflow(workflowId: $id, '
        b'reason: $r) { id } }", "variables": {"id": "%s", "r": "\\ud800"}}' % workflow_id.encode(),
        headers={**account.headers, "content-type": "application/json"},
    )
    for response in (by_variable.response, by_literal.response, in_a_key.response, half_a_pair):
        assert response.status_code == 400
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "BAD_REQUEST"
        assert "NUL" in error["message"]
    state = "query($id: ID!) { workflow(id: $id) { status version } }"
    assert (await gql(state, {"id": workflow_id}, token=account.token)).ok()["workflow"] == {
        "status": "IN_PROGRESS",
        "version": 2,
    }


async def test_a_streamed_body_past_the_cap_is_refused(api):
    gql = await api.client()

    async def chunks():
        for _ in range(3):
            yield b" " * (512 * 1024)

    response = await gql.http.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert "x-request-id" in response.headers


async def test_the_body_cap_is_a_setting(wfm_settings, storage):
    async with serving(wfm_settings, storage, max_body_bytes=64) as small:
        gql = await small.client()
        assert (await gql("{ __typename }")).ok() == {"__typename": "Query"}
        big = await gql.http.post("/graphql", json={"query": "{ __typename }", "x": "y" * 64})
        assert big.status_code == 413


async def test_too_many_tokens_are_refused_before_execution():
    schema = build_schema(Settings(max_tokens=20))
    result = await schema.execute("{ " + " ".join(f"a{i}: __typename" for i in range(20)) + " }")
    assert result.errors
    assert "token" in result.errors[0].message.lower()


async def test_too_many_aliases_are_refused(gql):
    aliases = "{ " + " ".join(f"a{i}: __typename" for i in range(16)) + " }"
    assert (await gql(aliases)).codes == ["GRAPHQL_VALIDATION_FAILED"]


async def test_every_page_size_argument_is_bounded(gql, factory, wfm_settings):
    """Every root field with a `first` or `last` argument refuses a page over the limit."""
    ops = await factory.account("market_ops")
    introspection = """{ __schema { queryType { fields { name args { name defaultValue type { name kind
      ofType { name kind } } } type { name kind ofType { name kind ofType { name kind
      ofType { name kind } } } } } } } }"""
    fields = (await gql(introspection, token=ops.token)).ok()["__schema"]["queryType"]["fields"]
    limit = wfm_settings.max_page_size
    paged = [f for f in fields if {a["name"] for a in f["args"]} & {"first", "last"}]
    assert len(paged) >= 5, [f["name"] for f in paged]
    # the arguments a paged field cannot do without, filled with something that exists
    tenant = await factory.tenant()
    trigger = (
        await gql(create_trigger("id"), {**SCHEDULE, "tenantId": str(tenant.id)}, token=ops.token)
    ).ok()["createWorkflowTrigger"]["id"]
    fills = {"triggerId": f'"{trigger}"'}
    for field in paged:
        required = [
            a["name"]
            for a in field["args"]
            if a["type"]["kind"] == "NON_NULL" and a["defaultValue"] is None
        ]
        assert set(required) <= set(fills), (
            f"{field['name']} needs arguments this test does not fill"
        )
        filled = "".join(f"{name}: {fills[name]}, " for name in required)
        size_arg = "first" if "first" in {a["name"] for a in field["args"]} else "last"
        selection = "" if _is_leaf(field["type"]) else "{ __typename }"
        for size in (limit + 1, 0, -1):
            result = await gql(
                f"{{ {field['name']}({filled}{size_arg}: {size}) {selection} }}", token=ops.token
            )
            assert result.codes == ["VALIDATION_FAILED"], (field["name"], size, result.errors)
        assert not (
            await gql(
                f"{{ {field['name']}({filled}{size_arg}: {limit}) {selection} }}", token=ops.token
            )
        ).errors


def _is_leaf(type_ref: dict) -> bool:
    while type_ref.get("ofType"):
        type_ref = type_ref["ofType"]
    return type_ref["kind"] in {"SCALAR", "ENUM"}


async def test_nested_page_sizes_are_bounded(gql, factory):
    tenant = await factory.tenant()
    account = await factory.account("tenant_admin", tenant)
    workflow_id = await drive(gql, tenant, account.token, until="IN_PROGRESS")
    query = "query($id: ID!, $n: Int!) { workflow(id: $id) { events(first: $n) { totalCount } } }"
    assert (await gql(query, {"id": workflow_id, "n": 1000}, token=account.token)).codes == [
        "VALIDATION_FAILED"
    ]
    assert (await gql(query, {"id": workflow_id, "n": 10}, token=account.token)).ok()


async def test_an_id_list_is_bounded(gql, factory):
    account = await factory.account("tenant_admin", await factory.tenant())
    mark = "mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }"
    too_many = [str(uuid.uuid4()) for _ in range(501)]
    refused = await gql(mark, {"ids": too_many}, token=account.token)
    assert refused.codes == ["VALIDATION_FAILED"]
    assert refused.errors[0]["extensions"]["fields"][0]["path"] == ["ids"]
    assert (await gql(mark, {"ids": too_many[:500]}, token=account.token)).ok() == {
        "markNotificationsRead": 0
    }


async def test_a_query_refused_once_is_refused_every_time_it_is_sent(gql):
    # parse and validation are cached per query text: the cache keeps refusals too
    aliases = "{ " + " ".join(f"b{i}: __typename" for i in range(16)) + " }"
    malformed = "{ workflows(first: 1) { edges "
    for _ in range(3):
        assert (await gql(aliases)).codes == ["GRAPHQL_VALIDATION_FAILED"]
        assert (await gql(malformed)).codes == ["GRAPHQL_PARSE_FAILED"]


async def test_limits_of_another_schema_are_its_own():
    # two schemas with other limits in one process share the caches, not the limits
    strict, lenient = build_schema(Settings(max_aliases=2)), build_schema(Settings(max_aliases=5))
    query = "{ a: __typename b: __typename c: __typename }"
    assert (await lenient.execute(query)).errors is None
    assert (await strict.execute(query)).errors
    assert (await lenient.execute(query)).errors is None
