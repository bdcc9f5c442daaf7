"""Session fixtures: real PostgreSQL and MongoDB-wire servers, a migrated database, the API."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from wfm_bootstrap import Services, bootstrap
from wfm_devkit.clamav import ClamavDaemon
from wfm_devkit.databases import (
    APP_PASSWORD,
    JWT_SECRET,
    OUTGOING_ALLOWED_HOSTS,
    api_env,
    discard_database,
    prepare_database,
)
from wfm_devkit.servers import (
    ApiProcess,
    ServerUrls,
    running_servers,
)
from wfm_shared.settings import Settings
from wfm_storage.bootstrap import Storage
from wfm_storage.postgres import init_connection
from wfm_testing.clamd import ClamdPeer
from wfm_testing.factories import Factory
from wfm_testing.graphql import GraphQLClient
from wfm_testing.worker import quick_worker
from wfm_worker.worker import Worker

__all__ = [
    "APP_PASSWORD",
    "JWT_SECRET",
    "OUTGOING_ALLOWED_HOSTS",
    "World",
    "api_env",
    "discard_database",
    "next_client_address",
    "open_storage",
    "prepare_database",
]


@pytest.fixture(scope="session")
def wfm_servers() -> Iterator[ServerUrls]:
    """Embedded PostgreSQL + FerretDB for the whole run, or DATABASE_URL / MONGODB_URL."""
    data_dir = Path.cwd() / ".wfm" / f"test-{os.getpid()}"
    with running_servers(data_dir, fast_unsafe=True, keep_data=False) as urls:
        yield urls


@pytest.fixture(scope="session")
async def wfm_settings(wfm_servers: ServerUrls) -> AsyncIterator[Settings]:
    settings = await prepare_database(wfm_servers, f"wfm_test_{uuid.uuid4().hex[:10]}")
    yield settings
    await discard_database(wfm_servers, settings)


async def open_storage(settings: Settings) -> Storage:
    """The databases of `settings`, reading stored templates as the installation does (with
    the registries of the installed extensions)."""
    from wfm_workflows.extensions import load_catalog

    return await Storage.open(settings, registries=load_catalog().registries)


@pytest.fixture(scope="session")
async def storage(wfm_settings: Settings) -> AsyncIterator[Storage]:
    opened = await open_storage(wfm_settings)
    yield opened
    await opened.close()


@pytest.fixture(scope="session")
async def services(wfm_settings: Settings, storage: Storage) -> AsyncIterator[Services]:
    """Every service, built by the composition root on the session's storage."""
    built = await bootstrap(wfm_settings, storage=storage)
    yield built
    await built.close()


@pytest.fixture
async def make_services() -> AsyncIterator[Callable[..., Awaitable[Services]]]:
    """`await make_services(settings, storage, clock=..., faults=..., registries=...)`:
    services built by the composition root with a test's own collaborators, closed after
    the test."""
    built: list[Services] = []

    async def make(settings: Settings, storage: Storage, **collaborators: Any) -> Services:
        services = await bootstrap(settings, storage=storage, **collaborators)
        built.append(services)
        return services

    yield make
    for services in built:
        await services.close()


@pytest.fixture
async def worker(isolated_world: World) -> AsyncIterator[Worker]:
    """A worker on the module's own database, retrying at once (`wfm_testing.worker.drain`
    runs what is due)."""
    async with quick_worker(isolated_world.settings, isolated_world.storage) as started:
        yield started


@pytest.fixture(scope="session")
def clamav() -> Iterator[ClamavDaemon]:
    """ClamAV's own daemon (Debian's clamd) with a signature database that knows the EICAR
    test file: what uploads are scanned by end to end (`clamav.address`)."""
    with ClamavDaemon() as daemon:
        yield daemon


@pytest.fixture
async def clamd() -> AsyncIterator[ClamdPeer]:
    """A clamd-protocol peer on loopback TCP (`clamd.address` for WFM_CLAMD_ADDRESS): the
    EICAR test string is FOUND, anything else OK."""
    async with ClamdPeer() as peer:
        yield peer


@pytest.fixture
async def owner_conn(wfm_settings: Settings) -> AsyncIterator[asyncpg.Connection]:
    """A connection as the database owner, for arranging test data."""
    assert wfm_settings.database_url
    conn = await asyncpg.connect(wfm_settings.database_url)
    await init_connection(conn)
    yield conn
    await conn.close()


@pytest.fixture
async def factory(owner_conn: asyncpg.Connection, wfm_settings: Settings) -> Factory:
    return Factory(owner_conn, wfm_settings)


@pytest.fixture
async def two_tenants(factory: Factory) -> dict[str, Any]:
    """Tenant A (an administrator, a user) and tenant B (an administrator, a user): "a",
    "admin_a", "user_a", "b", "admin_b", "user_b"."""
    a, b = await factory.tenant(), await factory.tenant()
    return {
        "a": a,
        "b": b,
        "admin_a": await factory.account("tenant_admin", a),
        "user_a": await factory.account("tenant_user", a),
        "admin_b": await factory.account("tenant_admin", b),
        "user_b": await factory.account("tenant_user", b),
    }


@pytest.fixture(scope="session")
async def api_app(wfm_settings: Settings, storage: Storage) -> AsyncIterator[object]:
    from wfm_api.app import create_app

    app = create_app(wfm_settings, storage=storage)
    async with app.router.lifespan_context(app):
        yield app


# Each test's client has an address of its own (198.18.0.0/15, for testing): login attempts
# are counted per client address in the database, across the whole session.
_client_numbers = itertools.count(1)


def next_client_address() -> str:
    n = next(_client_numbers)
    return f"198.{18 + (n >> 16) % 2}.{(n >> 8) & 255}.{n & 255}"


@pytest.fixture
async def gql(api_app: object) -> AsyncIterator[GraphQLClient]:
    """GraphQL against the API in this process (ASGI), with the session's storage."""
    transport = httpx.ASGITransport(app=api_app, client=(next_client_address(), 50000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
        yield GraphQLClient(http)


@pytest.fixture(scope="session")
def live_api_url(wfm_settings: Settings) -> Iterator[str]:
    """The API as its own process (`wfm serve`), reached over real HTTP."""
    log_dir = Path.cwd() / ".wfm"
    api = ApiProcess(api_env(wfm_settings), log_dir / f"live-api-{uuid.uuid4().hex[:8]}.log")
    try:
        yield api.start()
    finally:
        api.stop()
        api.log_path.unlink(missing_ok=True)


@dataclass
class World:
    """A database of its own: for tests that watch everything that happens in it (the
    worker's queue, counters) and must not see other tests' work."""

    settings: Settings
    storage: Storage
    owner: asyncpg.Connection
    factory: Factory


@pytest.fixture(scope="module")
async def isolated_world(wfm_servers: ServerUrls) -> AsyncIterator[World]:
    settings = await prepare_database(wfm_servers, f"wfm_iso_{uuid.uuid4().hex[:10]}")
    storage = await open_storage(settings)
    assert settings.database_url
    owner = await asyncpg.connect(settings.database_url)
    await init_connection(owner)
    yield World(settings, storage, owner, Factory(owner, settings))
    await owner.close()
    await storage.close()
    await discard_database(wfm_servers, settings)
