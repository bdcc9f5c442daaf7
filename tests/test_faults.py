"""Faults of the running system, on servers of this module's own (the session's shared
servers are never stopped): PostgreSQL or MongoDB stopped under a running API answers
UNAVAILABLE within a bounded time and recovers by itself; the API killed with SIGKILL
under load loses no acknowledged mutation, and retried requests apply nothing twice."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest

from wfm_devkit.servers import ApiProcess, EmbeddedServers, embedded_servers
from wfm_engine import Event, fold
from wfm_shared.principal import system_principal
from wfm_shared.settings import Settings
from wfm_storage.bootstrap import Storage
from wfm_storage.postgres import init_connection
from wfm_storage.records import Tenant
from wfm_testing.factories import Account, Factory
from wfm_testing.graphql import GraphQLClient, GraphQLResult
from wfm_testing.onboarding import BRP_STEPS, step_data
from wfm_testing.pytest_plugin import api_env, prepare_database

T = TypeVar("T")

REQUEST_BUDGET_SECONDS = 10.0  # with a database down, every request answers within this
RECOVERY_SECONDS = 20.0  # the API is ready again this soon after the database is back
CLIENTS = 16
ACKNOWLEDGED_BEFORE_KILL = 120
UNAVAILABLE_MESSAGE = "a storage service is unavailable; retry later"

WORKFLOWS = """query { workflows(first: 50) { edges { node {
    id status version state { steps { id status } } } } } }"""
# what the Postgres index holds alone: answered while MongoDB is down
INDEX_LISTING = "query { workflows(first: 50) { edges { node { id status version } } } }"
# portfolio changes: a tenant may have any number of them (onboardings: one per market role)
CREATE = """
mutation($key: String) {
  createWorkflow(marketRole: BRP, templateKey: "portfolio-management", idempotencyKey: $key) {
    id status currentStepId version
  }
}"""
ONBOARD = """
mutation($key: String) {
  createWorkflow(marketRole: BRP, templateKey: "contract-onboarding", idempotencyKey: $key) {
    id status currentStepId version
  }
}"""
CANCEL = """
mutation($id: ID!, $key: String) {
  cancelWorkflow(workflowId: $id, reason: "next round", idempotencyKey: $key) {
    id status currentStepId version
  }
}"""
START = """
mutation($id: ID!, $key: String) {
  startWorkflow(workflowId: $id, idempotencyKey: $key) { id status currentStepId version }
}"""
EXECUTE = """
mutation($id: ID!, $step: String!, $data: JSON!, $key: String) {
  executeStep(workflowId: $id, stepId: $step, data: $data, idempotencyKey: $key) {
    id status currentStepId version
  }
}"""


# -- the module's own servers, database, participants and API -----------------------------


@pytest.fixture(scope="module")
def servers() -> Iterator[EmbeddedServers]:
    data_dir = Path.cwd() / ".wfm" / f"faults-{os.getpid()}"
    # Durable commits: the index row a create reserves must survive an immediate stop
    # before its events are appended (synchronous_commit=off would lose it, as a real
    # crash would lose any commit the server had not flushed).
    with embedded_servers(data_dir, fast_unsafe=False, keep_data=False) as started:
        yield started


@pytest.fixture(scope="module")
async def settings(servers: EmbeddedServers) -> Settings:
    # The servers and their data go away with the module: nothing to drop.
    return await prepare_database(servers.urls, "wfm_faults")


@contextlib.asynccontextmanager
async def owner_connection(settings: Settings) -> AsyncIterator[asyncpg.Connection]:
    """Short-lived: a connection kept open would not survive the stopped server."""
    assert settings.database_url
    conn = await asyncpg.connect(settings.database_url)
    try:
        await init_connection(conn)
        yield conn
    finally:
        await conn.close()


@pytest.fixture(scope="module")
async def participants(settings: Settings) -> list[tuple[Tenant, Account]]:
    """One tenant and its admin per client."""
    async with owner_connection(settings) as owner:
        factory = Factory(owner, settings)
        found = []
        for _ in range(CLIENTS):
            tenant = await factory.tenant()
            found.append((tenant, await factory.account("tenant_admin", tenant)))
        return found


@pytest.fixture
def api(settings: Settings, tmp_path: Path) -> Iterator[ApiProcess]:
    """`wfm serve` against the module's servers; its log stays in tmp_path."""
    process = ApiProcess(api_env(settings, WFM_DB_POOL_MAX="20"), tmp_path / "api.log")
    process.start()
    yield process
    process.stop()


@contextlib.asynccontextmanager
async def api_client(api: ApiProcess) -> AsyncIterator[GraphQLClient]:
    # The timeout only turns a hang into a failure; the budget below is the real bound.
    limits = httpx.Limits(max_connections=CLIENTS * 2)
    async with httpx.AsyncClient(base_url=api.url, timeout=30, limits=limits) as http:
        yield GraphQLClient(http)


# -- helpers ------------------------------------------------------------------------------


async def within_budget(awaitable: Awaitable[T]) -> T:
    started = time.monotonic()
    result = await awaitable
    elapsed = time.monotonic() - started
    assert elapsed < REQUEST_BUDGET_SECONDS, f"the request took {elapsed:.1f} s"
    return result


async def until_ready(http: httpx.AsyncClient) -> None:
    deadline = time.monotonic() + RECOVERY_SECONDS
    while (await http.get("/readyz")).status_code != 200:
        assert time.monotonic() < deadline, "the API did not recover by itself"
        await asyncio.sleep(0.2)


def assert_unavailable(result: GraphQLResult, servers: EmbeddedServers) -> None:
    """A typed error whose message names no driver, host, port or path."""
    assert result.response.status_code == 200
    assert [(e["message"], e["extensions"]) for e in result.errors] == [
        (UNAVAILABLE_MESSAGE, {"code": "UNAVAILABLE"})
    ]
    body = result.response.text
    for internal in (
        str(servers.postgres.socket_dir),
        str(servers.postgres.data_dir),
        f"127.0.0.1:{servers.ferretdb.port}",
        "asyncpg",
        "pymongo",
        "Errno",
        "refused",
        "Traceback",
    ):
        assert internal not in body


async def warm_up(gql: GraphQLClient, account: Account) -> None:
    """A workflow to list (its status is read from MongoDB), and pools of several
    connections, all of which must survive the outage."""
    (await gql(CREATE, {"key": uuid.uuid4().hex}, token=account.token)).ok()
    listings = await asyncio.gather(*(gql(WORKFLOWS, token=account.token) for _ in range(20)))
    for listing in listings:
        assert listing.ok()["workflows"]["edges"]


@dataclass
class Traffic:
    """Clients listing and creating workflows all through an outage: some of their
    requests are in flight when the server goes away."""

    gql: GraphQLClient
    account: Account
    answers: list[tuple[GraphQLResult, float]] = field(default_factory=list)
    refused_creates: list[str] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def start(self, clients: int) -> None:
        self.tasks = [asyncio.create_task(self._client()) for _ in range(clients)]

    async def stop(self) -> None:
        self.done.set()
        await asyncio.gather(*self.tasks)

    async def _client(self) -> None:
        while not self.done.is_set():
            key = uuid.uuid4().hex
            for query, variables in ((WORKFLOWS, {}), (CREATE, {"key": key})):
                started = time.monotonic()
                result = await self.gql(query, variables, token=self.account.token)
                self.answers.append((result, time.monotonic() - started))
                if query is CREATE and result.errors:
                    self.refused_creates.append(key)


Outage = tuple[set[str], Callable[[], object], Callable[[], object]]


def outage(servers: EmbeddedServers, kind: str) -> Outage:
    """The probes /readyz reports down, how to stop that server, how to start it again.
    FerretDB stores in the PostgreSQL cluster: stopping it takes MongoDB reads down too."""
    if kind == "mongodb":
        return {"mongodb"}, servers.ferretdb.stop, servers.ferretdb.restart
    mode = kind.removeprefix("postgres-")
    stop = functools.partial(servers.postgres.stop, mode=mode)
    return {"postgres", "mongodb"}, stop, servers.postgres.start


# -- a database stopped under the running API ------------------------------------------------


OUTAGES = ["postgres-fast", "postgres-immediate", "mongodb"]


@pytest.mark.parametrize("kind", OUTAGES)
async def test_a_database_stopped_under_the_api_answers_unavailable_and_recovers_by_itself(
    servers, settings, participants, api, kind
):
    down, stop, start = outage(servers, kind)
    # a tenant of its own for what is checked, and another for the traffic around it
    _, account = participants[OUTAGES.index(kind)]
    _, bystander = participants[len(OUTAGES) + OUTAGES.index(kind)]
    key = f"{kind}-{uuid.uuid4().hex}"
    async with api_client(api) as gql:
        await warm_up(gql, account)
        traffic = Traffic(gql, bystander)
        traffic.start(clients=4)
        await asyncio.sleep(0.5)
        await asyncio.to_thread(stop)
        try:
            ready, listing, index_listing, creating = await asyncio.gather(
                within_budget(gql.http.get("/readyz")),
                within_budget(gql(WORKFLOWS, token=account.token)),
                within_budget(gql(INDEX_LISTING, token=account.token)),
                # with MongoDB down: reserves its index row, then fails on its first event
                within_budget(gql(CREATE, {"key": key}, token=account.token)),
            )
        finally:
            await asyncio.to_thread(start)
        assert ready.status_code == 503
        assert ready.json() == {
            "status": "unavailable",
            "checks": {
                probe: "unavailable" if probe in down else "ok" for probe in ("postgres", "mongodb")
            },
        }
        assert_unavailable(listing, servers)
        assert_unavailable(creating, servers)
        if "postgres" in down:
            assert_unavailable(index_listing, servers)
        else:
            assert index_listing.ok()["workflows"]["edges"]

        # Back without restarting the API: ready, and every pooled connection works.
        await until_ready(gql.http)
        listings = await asyncio.gather(*(gql(WORKFLOWS, token=account.token) for _ in range(20)))
        for result in listings:
            result.ok()
        await traffic.stop()

        # Requests in flight when the server went answered in time, with data or UNAVAILABLE.
        assert any(result.errors for result, _ in traffic.answers)
        for result, elapsed in traffic.answers:
            assert elapsed < REQUEST_BUDGET_SECONDS
            if result.errors:
                assert_unavailable(result, servers)

        # A refused create, retried with its key, is created once.
        retries = [key, *traffic.refused_creates]
        answers = await asyncio.gather(
            gql(CREATE, {"key": key}, token=account.token),
            *(gql(CREATE, {"key": k}, token=bystander.token) for k in traffic.refused_creates),
        )
        created = [answer.ok()["createWorkflow"] for answer in answers]
        assert {(c["status"], c["version"]) for c in created} == {("DRAFT", 1)}
        storage = await Storage.open(settings)
        try:
            logged = await events_by_key(storage, retries)
        finally:
            await storage.close()
        assert [[e["workflowInstanceId"] for e in logged[k]] for k in retries] == [
            [c["id"]] for c in created
        ]
        listed = (await gql(WORKFLOWS, token=account.token)).ok()["workflows"]["edges"]
        assert created[0]["id"] in {edge["node"]["id"] for edge in listed}


# -- the API killed under load -----------------------------------------------------------------


@dataclass
class Mutation:
    name: str
    query: str
    variables: dict[str, Any]
    token: str
    answer: dict[str, Any] | None = None  # the acknowledged result

    @property
    def key(self) -> str:
        key: str = self.variables["key"]
        return key


@dataclass
class Ledger:
    """What the clients were told: acknowledged mutations, and those cut off by the crash."""

    acknowledged: list[Mutation] = field(default_factory=list)
    in_flight: list[Mutation] = field(default_factory=list)
    enough: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(self, gql: GraphQLClient, mutation: Mutation) -> dict[str, Any] | None:
        try:
            result = await gql(mutation.query, mutation.variables, token=mutation.token)
        except httpx.TransportError:
            self.in_flight.append(mutation)
            return None
        mutation.answer = result.ok()[mutation.name]  # before the crash nothing is refused
        self.acknowledged.append(mutation)
        if len(self.acknowledged) >= ACKNOWLEDGED_BEFORE_KILL:
            self.enough.set()
        return mutation.answer


async def onboard_until_the_api_dies(
    gql: GraphQLClient, ledger: Ledger, client: int, tenant: Tenant, account: Account
) -> None:
    """A participant onboarding one workflow after another, a fresh key per request; each
    round ends by cancelling its onboarding (one per market role at a time)."""
    data = step_data(tenant, seed=client + 1)
    for round_ in itertools.count():
        prefix = f"c{client}-r{round_}-{uuid.uuid4().hex[:8]}"
        create = Mutation("createWorkflow", ONBOARD, {"key": f"{prefix}-create"}, account.token)
        created = await ledger.send(gql, create)
        if created is None:
            return
        start = Mutation(
            "startWorkflow", START, {"id": created["id"], "key": f"{prefix}-start"}, account.token
        )
        if await ledger.send(gql, start) is None:
            return
        for step in BRP_STEPS:
            variables = {
                "id": created["id"],
                "step": step,
                "data": data[step],
                "key": f"{prefix}-{step}",
            }
            execute = Mutation("executeStep", EXECUTE, variables, account.token)
            if await ledger.send(gql, execute) is None:
                return
        variables = {"id": created["id"], "key": f"{prefix}-cancel"}
        if (
            await ledger.send(gql, Mutation("cancelWorkflow", CANCEL, variables, account.token))
            is None
        ):
            return


async def events_by_key(storage: Storage, keys: list[str]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {key: [] for key in keys}
    cursor = storage.mongo.events.find({"idempotencyKey": {"$in": keys}}).sort("seq", 1)
    async for doc in cursor:
        found[doc["idempotencyKey"]].append(doc)
    return found


async def assert_projections_match_the_log(
    storage: Storage, owner: asyncpg.Connection, *, unfinished_creates: set[str]
) -> int:
    """Every event log and document has an index row; for every instance: a contiguous log,
    and the document, the index row and the audit trail (one entry per event) equal to its
    fold. An index row without events may only be a create that the crash cut off before
    its first event. Returns the instances checked."""
    system = system_principal()
    rows = {
        str(row["id"]): row
        for row in await owner.fetch(
            "SELECT id, status, current_step, version, projected_version, idempotency_key "
            "FROM wfm.workflow_instances_index"
        )
    }
    assert set(await storage.mongo.events.distinct("workflowInstanceId")) <= set(rows)
    assert set(await storage.mongo.instances.distinct("_id")) <= set(rows)
    logs: dict[str, list[Event]] = await storage.events.for_instances(system, list(rows))
    documents = await storage.documents.by_ids(system, list(rows))
    audited: dict[str, list[int]] = {}
    for entry in await owner.fetch(
        "SELECT target_id, (details->>'seq')::int AS seq FROM wfm.audit_log "
        "WHERE target_type = 'workflow' ORDER BY id"
    ):
        audited.setdefault(entry["target_id"], []).append(entry["seq"])
    for instance_id, row in rows.items():
        events = logs[instance_id]
        if not events:
            assert row["idempotency_key"] in unfinished_creates, instance_id
            assert (row["version"], instance_id in documents) == (0, False)
            continue
        seqs = [e.seq for e in events]
        assert seqs == list(range(1, len(events) + 1)), instance_id
        truth = fold(events)
        assert truth is not None
        assert documents[instance_id] == truth
        assert (row["status"], row["current_step"], row["version"], row["projected_version"]) == (
            truth.status.value,
            truth.current_step_id,
            truth.version,
            truth.version,
        )
        assert audited.get(instance_id) == seqs, instance_id
    return len(rows)


def reconcile(api: ApiProcess) -> dict[str, Any]:
    """`wfm reconcile --json`, as an operator runs it after a crash."""
    done = subprocess.run(
        [sys.executable, "-m", "wfm_cli", "reconcile", "--json"],
        env=api.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


async def test_api_killed_under_load_loses_no_acknowledged_mutation(settings, participants, api):
    ledger = Ledger()
    async with api_client(api) as gql:
        clients = [
            asyncio.create_task(onboard_until_the_api_dies(gql, ledger, n, tenant, account))
            for n, (tenant, account) in enumerate(participants)
        ]
        await asyncio.wait_for(ledger.enough.wait(), 60)
        api.kill()
        await asyncio.gather(*clients)
        assert len(ledger.in_flight) == CLIENTS  # each client stops at its first unanswered request

        api.start()
        report = reconcile(api)
        storage = await Storage.open(settings)
        try:
            # Every acknowledged mutation is in the log, at the version it answered.
            keys = [m.key for m in ledger.acknowledged]
            logged = await events_by_key(storage, keys)
            for mutation in ledger.acknowledged:
                assert mutation.answer is not None
                [event] = logged[mutation.key]
                assert (event["workflowInstanceId"], event["seq"]) == (
                    mutation.answer["id"],
                    mutation.answer["version"],
                )
            unfinished = {m.key for m in ledger.in_flight if m.name == "createWorkflow"}
            async with owner_connection(settings) as owner:
                checked = await assert_projections_match_the_log(
                    storage, owner, unfinished_creates=unfinished
                )
            assert checked >= report["checked"] > 0

            # Retried with the same key after the restart, a request cut off by the crash is
            # applied once, whether or not it had reached the log before the crash.
            in_flight_keys = [m.key for m in ledger.in_flight]
            before = await events_by_key(storage, in_flight_keys)
            retried = await asyncio.gather(
                *(gql(m.query, m.variables, token=m.token) for m in ledger.in_flight)
            )
            after = await events_by_key(storage, in_flight_keys)
            for mutation, result in zip(ledger.in_flight, retried, strict=True):
                answer = result.ok()[mutation.name]
                assert len(before[mutation.key]) <= 1
                [event] = after[mutation.key]
                assert (event["workflowInstanceId"], event["seq"]) == (
                    answer["id"],
                    answer["version"],
                )

            # Repeated, the last acknowledged request of each client answers what it
            # answered first and appends nothing.
            last_acknowledged = {m.token: m for m in ledger.acknowledged}.values()
            repeated = await asyncio.gather(
                *(gql(m.query, m.variables, token=m.token) for m in last_acknowledged)
            )
            for mutation, result in zip(last_acknowledged, repeated, strict=True):
                assert result.ok()[mutation.name] == mutation.answer
            logged = await events_by_key(storage, [m.key for m in last_acknowledged])
            assert all(len(events) == 1 for events in logged.values())

            async with owner_connection(settings) as owner:
                await assert_projections_match_the_log(storage, owner, unfinished_creates=set())
        finally:
            await storage.close()
