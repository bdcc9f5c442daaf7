"""Databases of their own for a benchmark run (and for the tests, through
`wfm_testing.pytest_plugin`): created on the embedded servers, migrated and seeded, with
the settings and the environment of an API process on them."""

from __future__ import annotations

import json

import asyncpg
from pymongo import AsyncMongoClient

from wfm_devkit.servers import ServerUrls, create_database, drop_database
from wfm_shared.settings import Settings
from wfm_storage.migrations import migrate
from wfm_storage.mongo_indexes import migrate_mongo
from wfm_storage.postgres import init_connection
from wfm_workflows.seed import seed_templates

APP_PASSWORD = "wfm-app-test-password"
# The tests' peers (webhook receivers, registries) listen on loopback, which the outgoing-call
# policy refuses: they are let through as an operator lets an internal receiver through.
OUTGOING_ALLOWED_HOSTS = ["127.0.0.1"]
JWT_SECRET = "test-only-secret-with-enough-length-0123456789"


async def prepare_database(servers: ServerUrls, name: str) -> Settings:
    """A fresh database (Postgres) and database name (MongoDB), migrated and seeded."""
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
