"""FerretDB's SQLite backend has one write lock for a whole database: a write that cannot take
it within the busy timeout fails with SQLITE_BUSY and stores nothing. A command whose write
meets a busy server tries it again and goes through; a server busy for longer than that
answers UNAVAILABLE, stores nothing, and the same request sent again succeeds once.

The lock is held by another SQLite connection on FerretDB's own file, as a second writer
would hold it; FerretDB here gives up after 100 ms instead of its default 10 s."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest

from wfm_api.app import create_app
from wfm_shared.principal import system_principal
from wfm_shared.settings import Settings
from wfm_storage.bootstrap import Storage
from wfm_storage.postgres import init_connection
from wfm_testing.factories import Account, Factory
from wfm_testing.graphql import GraphQLClient
from wfm_testing.onboarding import drive
from wfm_testing.pytest_plugin import discard_database, prepare_database
from wfm_testing.servers import FerretDB, ServerUrls

PAUSE = """mutation($id: ID!, $key: String) {
  pauseWorkflow(workflowId: $id, idempotencyKey: $key) { status version } }"""


@dataclass
class BusyWorld:
    settings: Settings
    storage: Storage
    gql: GraphQLClient
    factory: Factory
    database_file: Path


@pytest.fixture(scope="module")
async def busy(wfm_servers: ServerUrls, tmp_path_factory) -> AsyncIterator[BusyWorld]:
    # FerretDB of its own even where MONGODB_URL names another server: `make install` builds it
    ferretdb = FerretDB(
        tmp_path_factory.mktemp("busy"), FerretDB.find_binary(), busy_timeout_ms=100
    )
    ferretdb.start()
    servers = ServerUrls(wfm_servers.database_url, ferretdb.url)
    settings = await prepare_database(servers, f"wfm_busy_{uuid.uuid4().hex[:10]}")
    storage = await Storage.open(settings)
    owner = await asyncpg.connect(settings.database_url)
    await init_connection(owner)
    app = create_app(settings, storage=storage)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
                base_url="http://api.test",
            ) as http,
        ):
            yield BusyWorld(
                settings,
                storage,
                GraphQLClient(http),
                Factory(owner, settings),
                ferretdb.sqlite_dir / f"{settings.mongodb_database}.sqlite",
            )
    finally:
        await owner.close()
        await storage.close()
        await discard_database(servers, settings)
        ferretdb.stop()


@contextlib.contextmanager
def write_lock_held(database_file: Path, seconds: float) -> Iterator[None]:
    """Another writer holds the database's write lock for `seconds` from entering."""
    taken = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(database_file, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            taken.set()
            time.sleep(seconds)
            conn.execute("COMMIT")
        finally:
            conn.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert taken.wait(5), "the write lock was not taken"
    try:
        yield
    finally:
        holder.join()


async def in_progress(world: BusyWorld) -> tuple[Account, str]:
    tenant = await world.factory.tenant()
    account = await world.factory.account("tenant_admin", tenant)
    return account, await drive(world.gql, tenant, account.token, until="IN_PROGRESS")


async def log_of(world: BusyWorld, workflow_id: str) -> list[str]:
    async with world.storage.db.transaction(system_principal()) as conn:
        row = await world.storage.index.get(conn, uuid.UUID(workflow_id))
    assert row is not None
    return [
        e.type for e in await world.storage.events.for_instance(system_principal(), row.mongo_id)
    ]


async def test_a_write_the_server_answers_busy_is_tried_again(busy: BusyWorld):
    account, workflow_id = await in_progress(busy)
    before = await log_of(busy, workflow_id)
    with write_lock_held(busy.database_file, seconds=0.3):
        paused = await busy.gql(PAUSE, {"id": workflow_id}, token=account.token)
    assert paused.ok()["pauseWorkflow"]["status"] == "PAUSED"
    assert await log_of(busy, workflow_id) == [*before, "WORKFLOW_PAUSED"]


async def test_a_server_busy_past_the_retries_answers_unavailable_and_stores_nothing(
    busy: BusyWorld,
):
    account, workflow_id = await in_progress(busy)
    before = await log_of(busy, workflow_id)
    key = uuid.uuid4().hex
    with write_lock_held(busy.database_file, seconds=5):
        refused = await busy.gql(PAUSE, {"id": workflow_id, "key": key}, token=account.token)
    assert refused.codes == ["UNAVAILABLE"]
    assert "SQLITE" not in refused.errors[0]["message"]
    assert await log_of(busy, workflow_id) == before
    again = await busy.gql(PAUSE, {"id": workflow_id, "key": key}, token=account.token)
    assert again.ok()["pauseWorkflow"]["status"] == "PAUSED"
    assert await log_of(busy, workflow_id) == [*before, "WORKFLOW_PAUSED"]
