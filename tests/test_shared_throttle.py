"""Login throttling holds behind several API processes: two `wfm serve` on the same
databases count into one budget (PostgreSQL), so spreading guesses over the processes
gains nothing."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest

from wfm_devkit.servers import ApiProcess
from wfm_storage.postgres import init_connection
from wfm_testing.factories import TEST_PASSWORD, Factory
from wfm_testing.graphql import GraphQLClient, GraphQLResult
from wfm_testing.pytest_plugin import api_env, discard_database, prepare_database

LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken } }"""
WRONG = "not the password"


@pytest.fixture(scope="module")
async def throttle_settings(wfm_servers):
    """A database of its own: the windows it counts are this module's alone."""
    settings = await prepare_database(wfm_servers, f"wfm_throttle_{uuid.uuid4().hex[:8]}")
    yield settings
    await discard_database(wfm_servers, settings)


@pytest.fixture(scope="module")
def two_apis(throttle_settings) -> Iterator[list[str]]:
    # the test speaks for many clients through one loopback peer, as a proxy would
    env = api_env(throttle_settings, WFM_TRUSTED_PROXIES='["127.0.0.1/32"]')
    processes = [
        ApiProcess(env, Path.cwd() / ".wfm" / f"throttle-api-{n}-{uuid.uuid4().hex[:8]}.log")
        for n in range(2)
    ]
    try:
        yield [api.start() for api in processes]
    finally:
        for api in processes:
            api.stop()
            api.log_path.unlink(missing_ok=True)


@dataclass
class Apis:
    clients: list[GraphQLClient]

    async def login(
        self, n: int, email: str, password: str = TEST_PASSWORD, *, client: str
    ) -> GraphQLResult:
        return await self.clients[n % 2](
            LOGIN, {"email": email, "password": password}, headers={"x-forwarded-for": client}
        )


@pytest.fixture
async def apis(two_apis) -> AsyncIterator[Apis]:
    async with (
        httpx.AsyncClient(base_url=two_apis[0], timeout=30) as first,
        httpx.AsyncClient(base_url=two_apis[1], timeout=30) as second,
    ):
        yield Apis([GraphQLClient(first), GraphQLClient(second)])


@pytest.fixture
async def throttle_factory(throttle_settings) -> AsyncIterator[Factory]:
    conn = await asyncpg.connect(throttle_settings.database_url)
    await init_connection(conn)
    yield Factory(conn, throttle_settings)
    await conn.close()


def refused_for(result: GraphQLResult, at_most: int) -> int:
    assert result.codes == ["RATE_LIMITED"], result.errors
    assert result.data is None
    wait = result.errors[0]["extensions"]["retryAfterSeconds"]
    assert 0 < wait <= at_most
    return wait


async def test_failed_logins_spread_over_two_processes_add_up(apis, throttle_factory):
    account = await throttle_factory.account("tenant_user", await throttle_factory.tenant())
    email = account.user.email
    # five failures, alternating between the processes, each from another address
    for n in range(5):
        result = await apis.login(n, email, WRONG, client=f"203.0.113.{n + 1}")
        assert result.codes == ["UNAUTHENTICATED"]
    # the next attempt is refused by either process, the right password too
    for n in range(2):
        refused_for(await apis.login(n, email, client=f"203.0.113.{n + 10}"), 15 * 60)


async def test_attempts_from_one_address_spread_over_two_processes_add_up(apis, throttle_factory):
    tenant = await throttle_factory.tenant()
    accounts = [await throttle_factory.account("tenant_user", tenant) for _ in range(6)]
    client = "198.51.100.77"
    for n in range(20):  # the address's budget: four wrong passwords for each of five accounts
        email = accounts[n % 5].user.email
        assert (await apis.login(n, email, WRONG, client=client)).codes == ["UNAUTHENTICATED"]
    for n in range(2):
        refused_for(await apis.login(n, accounts[5].user.email, client=client), 60)
    # another client is not held back, on either process
    for n in range(2):
        assert (await apis.login(n, accounts[5].user.email, client=f"198.51.100.{78 + n}")).ok()[
            "login"
        ]["accessToken"]


async def test_a_success_on_one_process_clears_the_failures_counted_by_the_other(
    apis, throttle_factory
):
    account = await throttle_factory.account("tenant_admin", await throttle_factory.tenant())
    email = account.user.email
    for n in range(4):
        await apis.login(0, email, WRONG, client=f"192.0.2.{n + 1}")
    assert (await apis.login(1, email, client="192.0.2.20")).ok()
    for n in range(4):
        result = await apis.login(n, email, WRONG, client=f"192.0.2.{n + 30}")
        assert result.codes == ["UNAUTHENTICATED"]
    assert (await apis.login(1, email, client="192.0.2.40")).ok()


async def test_concurrent_guesses_on_both_processes_get_no_more_than_the_budget(
    apis, throttle_factory
):
    account = await throttle_factory.account("tenant_user", await throttle_factory.tenant())
    guesses = [
        apis.login(n, account.user.email, WRONG, client=f"203.0.113.{100 + n}") for n in range(20)
    ]
    codes = sorted(code for result in await asyncio.gather(*guesses) for code in result.codes)
    assert codes == ["RATE_LIMITED"] * 15 + ["UNAUTHENTICATED"] * 5
