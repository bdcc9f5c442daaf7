"""Bulk-loaded benchmark data: tenants, their accounts, and workflow instances at every
stage, written straight to the storage (COPY into the Postgres index, batched inserts into
MongoDB).

The instances are copies of a dozen *archetypes* made through the real command path (the
service, decide/evolve, projections): every cloned event log, document and index row is
exactly what the system wrote for its archetype, with the instance and tenant ids swapped
and its times moved. The mix of archetypes is chosen so the event total hits its target."""

from __future__ import annotations

import contextlib
import random
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from pymongo import AsyncMongoClient

from wfm_bootstrap import Services, bootstrap
from wfm_devkit.accounts import Account, Factory, codec_for
from wfm_devkit.step_data import (
    BRP_STEPS,
    GUARANTEE_COPY,
    GUARANTEE_STEP,
    guarantee_copy,
    step_data,
    with_guarantee_copy,
)
from wfm_engine import (
    ApproveWorkflow,
    CancelWorkflow,
    ExecuteStep,
    InstanceCommand,
    PauseWorkflow,
    RejectWorkflow,
    ResumeWorkflow,
    StartWorkflow,
    SubmitWorkflow,
)
from wfm_shared.principal import Principal, principal_for
from wfm_shared.settings import Settings
from wfm_storage.bootstrap import Storage
from wfm_storage.mongo_indexes import EVENTS, INSTANCES, ferretdb_tables
from wfm_storage.postgres import init_connection

TEMPLATE_KEY = "contract-onboarding"
MARKET_ROLE = "BRP"
BATCH = 5_000
# Pause and resume cycles of the longest archetype: a history of at least 50 events (B3).
LONG_RUNNING_PAUSES = 18
# Where a dataset records what it holds, so a later run can reuse it.
MANIFEST = "bench_manifest"

Progress = Callable[[str, int], None]  # (phase, items done since the last call)


@dataclass(frozen=True)
class Size:
    tenants: int
    instances: int
    events: int

    def __str__(self) -> str:
        return f"{self.instances:,} instances, {self.events:,} events, {self.tenants} tenants"


@dataclass(frozen=True)
class Dataset:
    """What a load left behind, with the accounts the benchmarks act as."""

    size: Size
    ops: Account
    admins: dict[str, Account]  # tenant id -> that tenant's admin
    events_loaded: int
    archetypes: dict[str, Archetype]
    load_seconds: float | None = None  # None: loaded by a version that did not record it


# -- archetypes ---------------------------------------------------------------------------

Script = Sequence[InstanceCommand]


ARCHETYPES = (
    "draft",
    "started",
    "step-1",
    "step-2",
    "step-3",
    "step-4",
    "paused",
    "awaiting-validation",
    "submitted",
    "completed",
    "cancelled",
    "resubmitted",
    "interrupted",
    "long-running",
)


def _scripts(data: Mapping[str, Mapping[str, Any]]) -> dict[str, Script]:
    """The command sequences of the archetypes (after creation), from 1 to ~25 events."""
    steps: list[InstanceCommand] = [ExecuteStep(s, data[s]) for s in BRP_STEPS]
    pause_and_resume: list[InstanceCommand] = [
        PauseWorkflow("awaiting documents"),
        ResumeWorkflow(),
    ]
    start: list[InstanceCommand] = [StartWorkflow()]
    return {
        "draft": [],
        "started": start,
        "step-1": start + steps[:1],
        "step-2": start + steps[:2],
        "step-3": start + steps[:3],
        "step-4": start + steps[:4],
        "paused": [*start, *steps[:2], PauseWorkflow("waiting for documents")],
        "awaiting-validation": start + steps,
        "submitted": [*start, *steps, SubmitWorkflow()],
        "completed": [*start, *steps, SubmitWorkflow(), ApproveWorkflow("welcome")],
        "cancelled": [*start, *steps[:1], CancelWorkflow("duplicate request")],
        "resubmitted": [
            *start,
            *steps,
            SubmitWorkflow(),
            RejectWorkflow("guarantee too low", "financial-guarantee"),
            *steps[3:],
            SubmitWorkflow(),
            ApproveWorkflow("welcome"),
        ],
        "interrupted": [
            *start,
            *steps[:1],
            PauseWorkflow("holiday"),
            ResumeWorkflow(),
            *steps[1:3],
            PauseWorkflow("audit"),
            ResumeWorkflow(),
            *steps[3:],
            SubmitWorkflow(),
            RejectWorkflow("perimeter incomplete", "balancing-perimeter"),
            *steps[2:],
            SubmitWorkflow(),
            ApproveWorkflow("welcome"),
        ],
        "long-running": [
            *start,
            *steps[:1],
            *pause_and_resume * LONG_RUNNING_PAUSES,
            *steps[1:],
            SubmitWorkflow(),
            RejectWorkflow("perimeter incomplete", "balancing-perimeter"),
            *steps[2:],
            SubmitWorkflow(),
            ApproveWorkflow("welcome"),
        ],
    }


@dataclass(frozen=True)
class Archetype:
    name: str
    instance_id: str
    events: list[dict[str, Any]]
    document: dict[str, Any]
    index_row: dict[str, Any]

    @property
    def size(self) -> int:
        return len(self.events)


async def make_archetypes(
    services: Services, owner: asyncpg.Connection, factory: Factory, ops: Principal, home: str
) -> list[Archetype]:
    """The participant's admin fills and submits; market operations decide (four eyes).
    A tenant has one onboarding per market role at a time: each archetype is made in a
    scratch tenant of its own, then moved to `home` (a loaded tenant) like its clones."""
    service, storage = services.workflows, services.storage
    made = []
    for name in ARCHETYPES:
        scratch = await factory.tenant()
        script = _scripts(step_data(scratch))[name]
        admin = (await factory.account("tenant_admin", scratch)).principal
        state = await service.create_workflow(
            admin, market_role=MARKET_ROLE, template_key=TEMPLATE_KEY
        )
        copy: str | None = None  # the guarantee's copy, uploaded once
        for command in script:
            actor = ops if isinstance(command, ApproveWorkflow | RejectWorkflow) else admin
            if isinstance(command, ExecuteStep) and command.step_id == GUARANTEE_STEP:
                copy = copy or await _upload_guarantee_copy(services, admin, state.id)
                command = ExecuteStep(GUARANTEE_STEP, with_guarantee_copy(dict(command.data), copy))
            state = await service.execute(actor, uuid.UUID(state.id), command)
        await owner.execute(
            "UPDATE wfm.workflow_instances_index SET tenant_id = $2 WHERE id = $1",
            uuid.UUID(state.id),
            uuid.UUID(home),
        )
        # its file moves with it (the clones name it: the archetype's own copy)
        await owner.execute(
            "UPDATE wfm.files SET tenant_id = $2 WHERE workflow_id = $1",
            uuid.UUID(state.id),
            uuid.UUID(home),
        )
        await storage.mongo.db["attachments.files"].update_many(
            {"_id": copy}, {"$set": {"metadata.tenantId": home}}
        )
        document = await storage.mongo.instances.find_one({"_id": state.id})
        assert document is not None
        moved = _swap(document, {str(scratch.id): home}, timedelta(0))
        await storage.mongo.instances.replace_one({"_id": state.id}, moved)
        await storage.mongo.events.update_many(
            {"workflowInstanceId": state.id}, {"$set": {"tenantId": home}}
        )
        made.append(await _archetype(storage, owner, name, state.id))
    return made


async def _upload_guarantee_copy(services: Services, admin: Principal, instance_id: str) -> str:
    """The BRP guarantee's copy, uploaded to the workflow as a participant does; its id."""

    async def content() -> AsyncIterator[bytes]:
        yield guarantee_copy()

    uploaded = await services.files.upload(
        admin, uuid.UUID(instance_id), GUARANTEE_STEP, GUARANTEE_COPY, content()
    )
    return str(uploaded.id)


def mix(archetypes: Sequence[Archetype], instances: int, events: int) -> list[Archetype]:
    """One archetype per instance (each archetype at least once, the rest drawn at random),
    then instances moved to larger or smaller archetypes until the event total is `events`
    (or as close as the archetypes' sizes allow)."""
    rng = random.Random(7)  # noqa: S311 - a repeatable mix, not a secret
    by_size = sorted(archetypes, key=lambda a: a.size)
    fixed = min(len(by_size), instances)
    chosen = [by_size[i] if i < fixed else rng.choice(by_size) for i in range(instances)]
    missing = events - sum(a.size for a in chosen)
    for _ in range(instances * 8):
        if missing == 0 or instances == fixed:
            break
        index = rng.randrange(fixed, instances)
        step = chosen[index].size
        closer = [
            a for a in by_size if 0 < (a.size - step) * (1 if missing > 0 else -1) <= abs(missing)
        ]
        if closer:
            pick = rng.choice(closer)
            missing -= pick.size - step
            chosen[index] = pick
    rng.shuffle(chosen)
    return chosen


# -- cloning ------------------------------------------------------------------------------

ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


def _swap(value: Any, ids: Mapping[str, str], shift: timedelta) -> Any:
    if isinstance(value, str):
        if ISO_TIME.match(value):  # times the engine keeps as text (activation, SLA)
            with contextlib.suppress(ValueError):
                return (datetime.fromisoformat(value) + shift).isoformat()
        for old, new in ids.items():
            if old in value:
                value = value.replace(old, new)
        return value
    if isinstance(value, datetime):
        return value + shift
    if isinstance(value, dict):
        return {k: _swap(v, ids, shift) for k, v in value.items()}
    if isinstance(value, list):
        return [_swap(v, ids, shift) for v in value]
    return value


@dataclass(frozen=True)
class Clone:
    events: list[dict[str, Any]]
    document: dict[str, Any]
    index_row: dict[str, Any]


def clone(archetype: Archetype, tenant_id: str, created_at: datetime) -> Clone:
    return clone_into(archetype, str(uuid.uuid4()), tenant_id, created_at)


def clone_into(
    archetype: Archetype, instance_id: str, tenant_id: str, created_at: datetime
) -> Clone:
    ids = {archetype.instance_id: instance_id, archetype.document["tenantId"]: tenant_id}
    shift = created_at - archetype.index_row["created_at"]
    # milliseconds, as MongoDB keeps them, so the copies fold to their documents exactly
    shift -= timedelta(microseconds=shift.microseconds % 1000)
    row = dict(archetype.index_row)
    row.update(
        id=uuid.UUID(instance_id),
        mongo_id=instance_id,
        tenant_id=uuid.UUID(tenant_id),
        created_at=row["created_at"] + shift,
        updated_at=row["updated_at"] + shift,
    )
    # the work queue's times (migration 0013), the start and completion (0018)
    for moment in ("waiting_since", "due_at", "started_at", "completed_at"):
        if row.get(moment) is not None:
            row[moment] += shift
    if "idempotency_key" in row:
        row["idempotency_key"] = None
    return Clone(
        events=[_swap(e, ids, shift) for e in archetype.events],
        document=_swap(archetype.document, ids, shift),
        index_row=row,
    )


# -- loading ------------------------------------------------------------------------------


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def load(
    settings: Settings,
    size: Size,
    progress: Progress = lambda phase, done: None,
    *,
    batch: int = BATCH,
) -> Dataset:
    """Fill the (migrated, seeded, empty) database of `settings` to `size`."""
    assert settings.database_url
    assert settings.mongodb_url
    started = time.perf_counter()
    owner = await asyncpg.connect(settings.database_url)
    await init_connection(owner)
    services = await bootstrap(settings)
    storage = services.storage
    try:
        factory = Factory(owner, settings)
        ops = await factory.account("market_ops")
        tenants = []
        admins = {}
        for _ in range(size.tenants):
            tenant = await factory.tenant()
            await owner.execute(
                "INSERT INTO wfm.tenant_market_roles (tenant_id, role, status) "
                "VALUES ($1, $2, 'active')",
                tenant.id,
                MARKET_ROLE,
            )
            tenants.append(str(tenant.id))
            admins[str(tenant.id)] = await factory.account("tenant_admin", tenant)
            progress("tenants", 1)
        archetypes = await make_archetypes(services, owner, factory, ops.principal, tenants[0])
        made = sum(a.size for a in archetypes)
        remaining = size.instances - len(archetypes)
        plan = mix(archetypes, remaining, max(size.events - made, remaining))
        # the columns Postgres computes itself (the work queue's) take no value
        generated = {
            r["column_name"]
            for r in await owner.fetch(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'wfm' "
                "AND table_name = 'workflow_instances_index' AND is_generated = 'ALWAYS'"
            )
        }
        columns = [c for c in archetypes[0].index_row if c not in generated]
        start = datetime.now(UTC) - timedelta(days=365)
        step = timedelta(days=365) / max(remaining, 1)
        loaded = made
        progress("instances", len(archetypes))
        for offset, chunk in enumerate(_chunks(plan, batch)):
            clones = [
                clone(
                    a,
                    tenants[(offset * batch + i) % len(tenants)],
                    start + step * (offset * batch + i),
                )
                for i, a in enumerate(chunk)
            ]
            events = [e for c in clones for e in c.events]
            await owner.copy_records_to_table(
                "workflow_instances_index",
                schema_name="wfm",
                columns=columns,
                records=[tuple(c.index_row[k] for k in columns) for c in clones],
            )
            await storage.mongo.instances.insert_many([c.document for c in clones], ordered=False)
            for part in _chunks(events, batch):
                await storage.mongo.events.insert_many(list(part), ordered=False)
            loaded += len(events)
            progress("instances", len(clones))
        # statistics for the planners, and the visibility map for index-only scans (counts),
        # now, not whenever autovacuum gets there
        await owner.execute("VACUUM ANALYZE wfm.workflow_instances_index")
        if storage.mongo.single_key_reads and settings.ferretdb_postgresql_url:
            await analyze_ferretdb(settings.ferretdb_postgresql_url, settings.mongodb_database)
        seconds = round(time.perf_counter() - started, 1)
        manifest = {
            "_id": "dataset",
            "tenants": size.tenants,
            "instances": size.instances,
            "events": loaded,
            "ops": str(ops.user.id),
            "admins": {t: str(a.user.id) for t, a in admins.items()},
            "archetypes": {a.name: a.instance_id for a in archetypes},
            "loadedAt": datetime.now(UTC),
            "loadSeconds": seconds,
        }
        await storage.mongo.db[MANIFEST].insert_one(manifest)
        return Dataset(size, ops, admins, loaded, {a.name: a for a in archetypes}, seconds)
    finally:
        await services.close()
        await owner.close()


async def analyze_ferretdb(storage_url: str, database: str) -> None:
    """ANALYZE the tables FerretDB keeps the collections in (on its PostgreSQL backend)."""
    conn = await asyncpg.connect(storage_url)
    try:
        tables = await ferretdb_tables(conn, database, [INSTANCES, EVENTS])
        for table in tables.values():
            quoted = ".".join('"' + part.replace('"', '""') + '"' for part in (database, table))
            await conn.execute(f"ANALYZE {quoted}")
    finally:
        await conn.close()


async def _archetype(
    storage: Storage, owner: asyncpg.Connection, name: str, instance_id: str
) -> Archetype:
    cursor = storage.mongo.events.find({"workflowInstanceId": instance_id}).sort("seq")
    events = [dict(e) async for e in cursor]
    document = await storage.mongo.instances.find_one({"_id": instance_id})
    row = await owner.fetchrow(
        "SELECT * FROM wfm.workflow_instances_index WHERE id = $1", uuid.UUID(instance_id)
    )
    if document is None or row is None:
        raise LookupError(f"archetype {name} is missing")
    return Archetype(name, instance_id, events, dict(document), dict(row))


async def reopen(settings: Settings, size: Size) -> Dataset | None:
    """The dataset a previous load left in this database, if it has this size."""
    assert settings.database_url
    storage = await Storage.open(settings)
    owner = await asyncpg.connect(settings.database_url)
    try:
        await init_connection(owner)
        manifest = await storage.mongo.db[MANIFEST].find_one({"_id": "dataset"})
        if manifest is None or (manifest["tenants"], manifest["instances"]) != (
            size.tenants,
            size.instances,
        ):
            return None
        if await owner.fetchval(
            "SELECT 1 FROM wfm.workflow_instances_index WHERE work_version = 0 AND version > 0 "
            "LIMIT 1"
        ):
            return None  # loaded before the work queue: its rows hold no work, load it again
        users = await storage.users.by_ids(
            owner, [uuid.UUID(manifest["ops"]), *map(uuid.UUID, manifest["admins"].values())]
        )
        codec = codec_for(settings)

        def account(user_id: str) -> Account:
            user = users[uuid.UUID(user_id)]
            principal = principal_for(
                user.id, user.tenant_id, user.role, token_version=user.token_version
            )
            token, _ = codec.issue(principal, datetime.now(UTC))
            return Account(user=user, principal=principal, token=token)

        archetypes = {
            name: await _archetype(storage, owner, name, instance_id)
            for name, instance_id in manifest["archetypes"].items()
        }
        return Dataset(
            size,
            account(manifest["ops"]),
            {tenant: account(user) for tenant, user in manifest["admins"].items()},
            int(manifest["events"]),
            archetypes,
            manifest.get("loadSeconds"),
        )
    finally:
        await owner.close()
        await storage.close()


async def count_documents(settings: Settings) -> tuple[int, int]:
    """(instances, events) in the dataset's MongoDB database."""
    assert settings.mongodb_url
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongodb_url)
    try:
        db = client[settings.mongodb_database]
        return (
            await db[INSTANCES].count_documents({}),
            await db[EVENTS].count_documents({}),
        )
    finally:
        await client.close()


Loader = Callable[[Settings, Size, Progress], Awaitable[Dataset]]
