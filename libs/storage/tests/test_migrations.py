import asyncio
import uuid

import asyncpg
import pytest

from wfm_devkit.servers import create_database, drop_database
from wfm_storage.migrations import MigrationError, available_migrations, migrate


@pytest.fixture
async def empty_database(wfm_servers):
    name = f"wfm_mig_{uuid.uuid4().hex[:10]}"
    url = await create_database(wfm_servers.database_url, name)
    yield url
    await drop_database(wfm_servers.database_url, name)


async def test_concurrent_migrations_apply_each_file_once(empty_database):
    results = await asyncio.gather(*(migrate(empty_database, "pw") for _ in range(3)))
    applied = sorted(m.version for result in results for m in result)
    assert applied == [m.version for m in available_migrations()]
    conn = await asyncpg.connect(empty_database)
    try:
        rows = await conn.fetch(
            "SELECT version, checksum FROM wfm.schema_migrations ORDER BY version"
        )
    finally:
        await conn.close()
    assert [(r["version"], r["checksum"]) for r in rows] == [
        (m.version, m.checksum) for m in available_migrations()
    ]
    assert await migrate(empty_database, "pw") == []


async def test_a_changed_migration_is_detected(empty_database):
    await migrate(empty_database, "pw")
    conn = await asyncpg.connect(empty_database)
    try:
        await conn.execute(
            "UPDATE wfm.schema_migrations SET checksum = 'tampered' WHERE version = 1"
        )
    finally:
        await conn.close()
    with pytest.raises(MigrationError, match="was changed after it was applied"):
        await migrate(empty_database, "pw")


async def test_app_role_can_neither_bypass_rls_nor_act_as_superuser(owner_conn):
    role = await owner_conn.fetchrow(
        "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = 'wfm_app'"
    )
    assert tuple(role.values()) == (False, False, False, False)


async def test_every_table_has_row_level_security_forced(owner_conn):
    rows = await owner_conn.fetch(
        """
        SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'wfm' AND c.relkind = 'r' AND c.relname <> 'schema_migrations'
        """
    )
    assert rows, "no tables found"
    assert [
        r["relname"] for r in rows if not (r["relrowsecurity"] and r["relforcerowsecurity"])
    ] == []
