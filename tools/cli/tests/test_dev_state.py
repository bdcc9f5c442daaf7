"""What a running `wfm dev` shares: one per data directory, its servers found by every
other `wfm` command, `wfm status` saying what runs where, `wfm clean` refusing meanwhile.
(A `wfm dev` is stood in for by its lock, held here, with the suite's servers recorded.)"""

import json
import os
import re

import pytest

from wfm_cli.devstate import DevAlreadyRunning, DevLock, DevServers, is_running, running_servers


def servers_of(env, pid=4242):
    return DevServers(
        pid=pid,
        started_at="2026-12-01T08:00:00+00:00",
        api_url="http://127.0.0.1:8000",
        database_url=env["DATABASE_URL"],
        mongodb_url=env["MONGODB_URL"],
        mongodb_database=env["WFM_MONGODB_DATABASE"],
        ferretdb_postgresql_url=env["WFM_FERRETDB_POSTGRESQL_URL"] or None,
    )


def test_a_second_dev_on_the_same_directory_is_refused_naming_the_first(tmp_path):
    first = DevLock(tmp_path)
    first.acquire()
    first.record(DevServers(1, "t", "http://127.0.0.1:8123", "pg", "mongo", "wfm", None))
    try:
        with pytest.raises(
            DevAlreadyRunning, match=re.escape("pid 1, API at http://127.0.0.1:8123")
        ):
            DevLock(tmp_path).acquire()
        assert running_servers(tmp_path).api_url == "http://127.0.0.1:8123"
    finally:
        first.release()
    assert not is_running(tmp_path)
    assert running_servers(tmp_path) is None
    again = DevLock(tmp_path)
    again.acquire()  # free once the first is gone
    again.release()


def test_what_a_dead_dev_left_is_not_taken_for_running_servers(tmp_path):
    dead = DevLock(tmp_path)
    dead.acquire()
    dead.record(DevServers(1, "t", "http://127.0.0.1:8123", "pg", "mongo", "wfm", None))
    # as if killed: the kernel drops the lock, the file stays
    dead._handle.close()
    assert (tmp_path / "servers.json").exists()
    assert running_servers(tmp_path) is None


@pytest.fixture
def dev_running(platform_env, tmp_path):
    """A data directory whose `wfm dev` runs on the suite's servers; the env of a shell
    that has no database URL set."""
    lock = DevLock(tmp_path / "dev")
    lock.acquire()
    lock.record(servers_of(platform_env))
    unset = ("DATABASE_URL", "WFM_DATABASE_URL", "MONGODB_URL", "WFM_MONGODB_URL")
    shell = {k: v for k, v in platform_env.items() if k not in unset}
    shell.update(WFM_DATA_DIR=str(tmp_path), WFM_FERRETDB_POSTGRESQL_URL="")
    yield shell, tmp_path
    lock.release()


def test_commands_use_the_servers_of_the_running_dev(wfm_process, dev_running):
    shell, _ = dev_running
    listed = wfm_process("tenants", "list", "--json", env=shell)
    assert listed.returncode == 0, listed.stderr
    assert isinstance(json.loads(listed.stdout), list)
    assert f"using the servers of `wfm dev` (pid {4242})" in listed.stderr
    migrated = wfm_process("migrate", env=shell)
    assert migrated.returncode == 0, migrated.stderr
    assert "database is up to date" in migrated.stdout


def test_status_says_what_runs_where(wfm_process, dev_running, platform_env):
    shell, _ = dev_running
    status = wfm_process("status", "--json", env=shell)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["dev"]["database_url"] == platform_env["DATABASE_URL"]
    shown = wfm_process("status", env=shell)
    assert "pid 4242" in shown.stdout
    assert "API" in shown.stdout


def test_clean_refuses_while_dev_runs_and_cleans_after(wfm_process, dev_running):
    shell, data_dir = dev_running
    refused = wfm_process("clean", env=shell)
    assert refused.returncode == 2
    assert "stop it first" in refused.stderr
    assert (data_dir / "dev").is_dir()


def test_clean_removes_the_data_when_no_dev_runs(wfm_process, platform_env, tmp_path):
    (tmp_path / "dev" / "postgres").mkdir(parents=True)
    env = {**platform_env, "WFM_DATA_DIR": str(tmp_path / "")}
    assert wfm_process("status", env=env).stdout.startswith("no `wfm dev` runs")
    cleaned = wfm_process("clean", env=env)
    assert cleaned.returncode == 0, cleaned.stderr
    assert not tmp_path.exists()
    assert os.path.isdir(tmp_path.parent)
