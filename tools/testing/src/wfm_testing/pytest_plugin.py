"""Session fixtures: real PostgreSQL and MongoDB-wire servers, a migrated database, the API."""

from __future__ import annotations

import itertools
import json
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
from pymongo import AsyncMongoClient

from wfm_shared.settings import Settings
from wfm_storage.bootstrap import Storage
from wfm_storage.migrations import migrate
from wfm_storage.mongo_indexes import migrate_mongo
from wfm_storage.postgres import init_connection
from wfm_testing.factories import Factory
from wfm_testing.graphql import GraphQLClient
from wfm_testing.servers import (
    ApiProcess,
    ServerUrls,
    create_database,
    drop_database,
    running_servers,
)

APP_PASSWORD = "wfm-app-test-password"
# The tests' peers (webhook receivers, registries) listen on loopback, which the outgoing-call
# policy refuses: they are let through as an operator lets an internal receiver through.
OUTGOING_ALLOWED_HOSTS = ["127.0.0.1"]
JWT_SECRET = "test-only-secret-with-enough-length-0123456789"


@pytest.fixture(scope="session")
def wfm_servers() -> Iterator[ServerUrls]:
    """Embedded PostgreSQL + FerretDB for the whole run, or DATABASE_URL / MONGODB_URL."""
    data_dir = Path.cwd() / ".wfm" / f"test-{os.getpid()}"
    with running_servers(data_dir, fast_unsafe=True, keep_data=False) as urls:
        yield urls


async def prepare_database(servers: ServerUrls, name: str) -> Settings:
    """A fresh database (Postgres) and database name (MongoDB), migrated and seeded."""
    from wfm_workflows.seed import seed_templates

    url = await create_database(servers.database_url, name)
    await migrate(url, APP_PASSWORD)
    await migrate_mongo(
        servers.mongodb_url, name, ferretdb_storage_url=servers.ferretdb_postgresql_url
    )
    conn = await asyncpg.connect(url)
    try:
        await init_connection(conn)
        await seed_templates(conn)
    finally:
        await conn.close()
    return Settings(
        env="test",
        database_url=url,
        app_db_password=APP_PASSWORD,
        mongodb_url=servers.mongodb_url,
        mongodb_database=name,
        ferretdb_postgresql_url=servers.ferretdb_postgresql_url,
        jwt_secret=JWT_SECRET,
        bcrypt_rounds=4,
        log_json=True,
        db_pool_max=20,
        outgoing_allowed_hosts=OUTGOING_ALLOWED_HOSTS,
    )


async def discard_database(servers: ServerUrls, settings: Settings) -> None:
    await drop_database(servers.database_url, settings.mongodb_database)
    assert settings.mongodb_url
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(settings.mongodb_url)
    try:
        await client.drop_database(settings.mongodb_database)
    finally:
        await client.close()


@pytest.fixture(scope="session")
async def wfm_settings(wfm_servers: ServerUrls) -> AsyncIterator[Settings]:
    settings = await prepare_database(wfm_servers, f"wfm_test_{uuid.uuid4().hex[:10]}")
    yield settings
    await discard_database(wfm_servers, settings)


@pytest.fixture(scope="session")
async def storage(wfm_settings: Settings) -> AsyncIterator[Storage]:
    opened = await Storage.open(wfm_settings)
    yield opened
    await opened.close()


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


def api_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a `wfm serve` process on `settings`' databases (test secrets, cheap
    password hashing); `extra` adds WFM_ variables."""
    return {
        "WFM_ENV": "test",
        "DATABASE_URL": settings.database_url or "",
        "MONGODB_URL": settings.mongodb_url or "",
        "WFM_MONGODB_DATABASE": settings.mongodb_database,
        "WFM_FERRETDB_POSTGRESQL_URL": settings.ferretdb_postgresql_url or "",
        "WFM_APP_DB_PASSWORD": APP_PASSWORD,
        "WFM_JWT_SECRET": JWT_SECRET,
        "WFM_BCRYPT_ROUNDS": "4",
        "WFM_OUTGOING_ALLOWED_HOSTS": json.dumps(OUTGOING_ALLOWED_HOSTS),
        **extra,
    }


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
    storage = await Storage.open(settings)
    assert settings.database_url
    owner = await asyncpg.connect(settings.database_url)
    await init_connection(owner)
    yield World(settings, storage, owner, Factory(owner, settings))
    await owner.close()
    await storage.close()
    await discard_database(wfm_servers, settings)
