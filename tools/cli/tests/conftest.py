"""`wfm` run in this process (fast: the platform is imported once) or as a real subprocess
(what a user runs: its exit code and output), and a platform of its own per test module: a
fresh PostgreSQL database set up with `wfm migrate` and `wfm seed --no-demo` (as subprocesses),
a fresh MongoDB database."""

import os
import subprocess
import sys
import threading
import traceback
import uuid

import asyncpg
import pytest
from pymongo import AsyncMongoClient

from wfm_devkit.servers import create_database, drop_database
from wfm_storage.postgres import init_connection
from wfm_testing.pytest_plugin import APP_PASSWORD, JWT_SECRET


def run_wfm(*args, env, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "wfm_cli", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=120,
    )


def run_wfm_in_process(*args, env, stdin=None):
    """`wfm` with these arguments, environment (None: this process's) and stdin, in a thread
    of this process (the commands run their own event loop); the same CompletedProcess as
    `run_wfm`, an unexpected exception's traceback on stderr with exit code 1."""
    from typer.testing import CliRunner

    from wfm_cli.main import app

    outcome = {}

    def invoke():
        saved = dict(os.environ)
        if env is not None:
            os.environ.clear()
            os.environ.update(env)
        try:
            outcome["result"] = CliRunner().invoke(
                app, list(args), input=stdin, prog_name="wfm", catch_exceptions=True
            )
        finally:
            os.environ.clear()
            os.environ.update(saved)

    thread = threading.Thread(target=invoke)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), f"wfm {' '.join(args)} did not end within 120 s"
    result = outcome["result"]
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return subprocess.CompletedProcess(
        ["wfm", *args], result.exit_code, stdout=result.stdout, stderr=stderr
    )


@pytest.fixture(scope="session")
def wfm():
    """`wfm(*args, env=..., stdin=None)` -> CompletedProcess (stdout, stderr, returncode),
    run in this process."""
    return run_wfm_in_process


@pytest.fixture(scope="session")
def wfm_process():
    """`wfm(*args, env=..., stdin=None)` -> CompletedProcess, run as a real subprocess: at
    least one test of every command family uses it."""
    return run_wfm


@pytest.fixture(scope="module")
async def platform_env(wfm_servers):
    name = f"wfm_cli_{uuid.uuid4().hex[:8]}"
    url = await create_database(wfm_servers.database_url, name)
    env = {
        **os.environ,
        "WFM_ENV": "test",
        "DATABASE_URL": url,
        "MONGODB_URL": wfm_servers.mongodb_url,
        "WFM_MONGODB_DATABASE": name,
        "WFM_FERRETDB_POSTGRESQL_URL": wfm_servers.ferretdb_postgresql_url or "",
        # the app role is shared by every database of the server: keep the suite's password
        "WFM_APP_DB_PASSWORD": APP_PASSWORD,
        "WFM_JWT_SECRET": JWT_SECRET,
        "WFM_BCRYPT_ROUNDS": "4",
    }
    for command in (["migrate"], ["seed", "--no-demo"]):
        result = run_wfm(*command, env=env)
        assert result.returncode == 0, result.stderr
    yield env
    await drop_database(wfm_servers.database_url, name)
    client = AsyncMongoClient(wfm_servers.mongodb_url)
    try:
        await client.drop_database(name)
    finally:
        await client.close()


@pytest.fixture
async def owner(platform_env):
    """The owner's connection to the module's platform (RLS does not apply to it)."""
    conn = await asyncpg.connect(platform_env["DATABASE_URL"])
    await init_connection(conn)
    yield conn
    await conn.close()
