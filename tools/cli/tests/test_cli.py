"""`wfm` end to end against the real servers: exit codes, output, idempotence (a real
process for each command, the runs again in this process)."""

import json
import os
import subprocess
import sys
import uuid

import asyncpg
import pytest

from wfm_devkit.servers import create_database, drop_database
from wfm_shared.sealing import SecretBox
from wfm_testing.pytest_plugin import APP_PASSWORD
from wfm_workflows.catalog import catalog_templates


def wfm(*args, env):
    return subprocess.run(
        [sys.executable, "-m", "wfm_cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.fixture
async def fresh_env(wfm_servers):
    name = f"wfm_cli_{uuid.uuid4().hex[:8]}"
    url = await create_database(wfm_servers.database_url, name)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MONGODB_URL": wfm_servers.mongodb_url,
        "WFM_MONGODB_DATABASE": name,
        "WFM_FERRETDB_POSTGRESQL_URL": wfm_servers.ferretdb_postgresql_url or "",
        "WFM_BCRYPT_ROUNDS": "4",
        # the app role is shared by every database of the server: keep the suite's password
        "WFM_APP_DB_PASSWORD": APP_PASSWORD,
    }
    yield env, url
    await drop_database(wfm_servers.database_url, name)


async def counts(url):
    conn = await asyncpg.connect(url)
    try:
        return {
            table: await conn.fetchval(f"SELECT count(*) FROM wfm.{table}")
            for table in ("workflow_templates", "tenants", "users")
        }
    finally:
        await conn.close()


async def test_migrate_and_seed_are_idempotent(fresh_env, wfm, wfm_process):
    env, url = fresh_env
    first = wfm_process("migrate", env=env)
    assert first.returncode == 0, first.stderr
    assert "applied migration 0001_core_tables" in first.stdout
    again = wfm("migrate", env=env)
    assert (again.returncode, again.stdout.strip()) == (0, "database is up to date")
    assert wfm_process("seed", env=env).returncode == 0
    seeded = await counts(url)
    assert seeded == {"workflow_templates": len(catalog_templates()), "tenants": 2, "users": 6}
    assert wfm("seed", env=env).returncode == 0
    assert await counts(url) == seeded


def test_commands_without_a_database_fail_clearly():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "WFM_DATABASE_URL")}
    result = wfm("migrate", env=env)
    assert result.returncode == 2
    assert "DATABASE_URL is not set" in result.stderr


def test_production_refuses_demo_users_and_weak_secrets(wfm, wfm_process):
    env = {**os.environ, "WFM_ENV": "production", "DATABASE_URL": "postgresql://x@/y"}
    weak = wfm_process("seed", env=env)
    assert weak.returncode == 2
    assert "WFM_JWT_SECRET" in weak.stderr
    keys = SecretBox.generate_key()
    strong = wfm("seed", env={**env, "WFM_JWT_SECRET": "s" * 40, "WFM_SECRET_KEYS": keys})
    assert strong.returncode == 2
    assert "refusing to create demo users" in strong.stderr


def test_schema_check_passes_on_the_checked_in_file():
    result = wfm("schema", "--check", env=dict(os.environ))
    assert result.returncode == 0, result.stderr


async def test_reconcile_reports_as_json(fresh_env, wfm_servers, wfm, wfm_process):
    env, _ = fresh_env
    assert wfm("migrate", env=env).returncode == 0
    env = {**env, "WFM_MONGODB_DATABASE": f"cli_{uuid.uuid4().hex[:8]}"}
    result = wfm_process("reconcile", "--json", env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report == {
        "checked": 0,
        "documents_repaired": 0,
        "index_repaired": 0,
        "events_projected": 0,
        "work_written": 0,
        "repaired_ids": [],
    }
