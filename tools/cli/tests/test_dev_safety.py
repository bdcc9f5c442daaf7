"""Demo logins (a published password, market operations among them) never reach a
production database: `wfm dev` refuses to run with WFM_ENV=production, runs on servers it
did not start only when told, and `wfm seed` creates no demo logins in production."""

import asyncio
import os
import signal
import sys
import time
import uuid

import asyncpg
import httpx
import pytest
from pymongo import AsyncMongoClient
from typer.testing import CliRunner

from wfm_cli.main import app
from wfm_devkit.servers import _free_port, create_database, drop_database
from wfm_shared.sealing import SecretBox
from wfm_testing.pytest_plugin import APP_PASSWORD
from wfm_workflows.seed import DEMO_PASSWORD, MARKET_OPS_USERS

runner = CliRunner()
STRONG_SECRET = "a-production-secret-of-more-than-32-characters"
NO_SERVERS = {"DATABASE_URL": None, "WFM_DATABASE_URL": None, "MONGODB_URL": None}


def dev(tmp_path, *args, **env):
    return runner.invoke(
        app, ["dev", *args], env={**NO_SERVERS, "WFM_DATA_DIR": str(tmp_path), **env}
    )


@pytest.mark.parametrize("flags", [[], ["--allow-external-servers"]], ids=["plain", "allowed"])
def test_dev_never_runs_in_production(tmp_path, flags):
    result = dev(
        tmp_path,
        *flags,
        WFM_ENV="production",
        WFM_JWT_SECRET=STRONG_SECRET,
        WFM_SECRET_KEYS=SecretBox.generate_key(),
    )
    assert result.exit_code == 2
    assert "never runs with WFM_ENV=production" in result.output
    assert not (tmp_path / "dev").exists()  # no server was started, no lock taken


@pytest.mark.parametrize(
    "servers",
    [
        {"DATABASE_URL": "postgresql://wfm@db.example.test/wfm"},
        {"MONGODB_URL": "mongodb://mongo.example.test:27017"},
    ],
    ids=["postgres", "mongodb"],
)
def test_dev_refuses_servers_it_did_not_start_unless_told(tmp_path, servers):
    result = dev(tmp_path, WFM_ENV="dev", **servers)
    assert result.exit_code == 2
    assert next(iter(servers)) in result.output
    assert "--allow-external-servers" in result.output
    assert not (tmp_path / "dev").exists()


async def demo_logins(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(
            "SELECT count(*) FROM wfm.users WHERE email = ANY($1::text[])",
            [user.email for user in MARKET_OPS_USERS],
        )
    finally:
        await conn.close()


async def test_production_seeds_the_templates_and_never_the_demo_logins(wfm, platform_env):
    production = {
        **platform_env,
        "WFM_ENV": "production",
        "WFM_JWT_SECRET": STRONG_SECRET,
        "WFM_SECRET_KEYS": SecretBox.generate_key(),
    }
    refused = wfm("seed", env=production)
    assert refused.returncode == 2
    assert "refusing to create demo users" in refused.stderr
    assert "--no-demo" in refused.stderr
    templates_only = wfm("seed", "--no-demo", env=production)
    assert templates_only.returncode == 0, templates_only.stderr
    assert await demo_logins(platform_env["DATABASE_URL"]) == 0


async def test_dev_runs_on_servers_it_was_told_to_use_and_says_so(wfm_servers, tmp_path):
    name = f"wfm_dev_{uuid.uuid4().hex[:8]}"
    url = await create_database(wfm_servers.database_url, name)
    port = _free_port()
    env = {
        **os.environ,
        "WFM_ENV": "dev",
        "WFM_DATA_DIR": str(tmp_path),
        "DATABASE_URL": url,
        "MONGODB_URL": wfm_servers.mongodb_url,
        "WFM_MONGODB_DATABASE": name,
        "WFM_FERRETDB_POSTGRESQL_URL": wfm_servers.ferretdb_postgresql_url or "",
        "WFM_APP_DB_PASSWORD": APP_PASSWORD,
        "WFM_BCRYPT_ROUNDS": "4",
    }
    stderr = tmp_path / "dev.stderr"
    with (tmp_path / "dev.stdout").open("wb") as out, stderr.open("wb") as err:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "wfm_cli", "dev", "--allow-external-servers", "--port", str(port)),
            env=env,
            stdout=out,
            stderr=err,
        )
    try:
        deadline = time.monotonic() + 120
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            while True:
                assert process.returncode is None, stderr.read_text()
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, "wfm dev did not start"
                await asyncio.sleep(0.2)
            login = await http.post(
                "/graphql",
                json={
                    "query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p) "
                    "{ user { role } } }",
                    "variables": {"e": MARKET_OPS_USERS[0].email, "p": DEMO_PASSWORD},
                },
            )
        assert login.json()["data"]["login"]["user"]["role"] == "market_ops"
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 60)
        await drop_database(wfm_servers.database_url, name)
        mongo = AsyncMongoClient(wfm_servers.mongodb_url)
        try:
            await mongo.drop_database(name)
        finally:
            await mongo.close()
    warning = "--allow-external-servers: the demo logins go to DATABASE_URL and MONGODB_URL"
    assert warning in stderr.read_text()
    banner = (tmp_path / "dev.stdout").read_text()
    for url in ("/console/work", "/portal", "/graphql"):
        assert f"http://127.0.0.1:{port}{url}" in banner
