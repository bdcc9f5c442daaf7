"""The benchmark's bulk loader: clones of real workflows that stay true to the event log."""

import uuid

import asyncpg
import pytest

from wfm_cli.bench.dataset import Size, load, mix, reopen
from wfm_cli.bench.measure import parse_round_trips, percentiles
from wfm_engine import fold
from wfm_shared.principal import system_principal
from wfm_storage.bootstrap import Storage
from wfm_testing.pytest_plugin import discard_database, prepare_database


@pytest.fixture(scope="module")
async def loaded(wfm_servers):
    settings = await prepare_database(wfm_servers, f"wfm_bench_{uuid.uuid4().hex[:8]}")
    size = Size(tenants=3, instances=60, events=600)
    dataset = await load(settings, size, batch=25)
    yield settings, size, dataset
    await discard_database(wfm_servers, settings)


async def test_the_load_hits_its_sizes(loaded):
    settings, size, dataset = loaded
    owner = await asyncpg.connect(settings.database_url)
    try:
        rows = await owner.fetch("SELECT tenant_id, version FROM wfm.workflow_instances_index")
    finally:
        await owner.close()
    assert len(rows) == size.instances
    assert len({r["tenant_id"] for r in rows}) == size.tenants
    assert sum(r["version"] for r in rows) == dataset.events_loaded
    assert dataset.events_loaded == size.events
    assert len({r["version"] for r in rows}) >= 10  # workflows at many stages


async def test_every_clone_folds_to_its_document_and_index_row(loaded):
    settings, _, _ = loaded
    storage = await Storage.open(settings)
    owner = await asyncpg.connect(settings.database_url)
    try:
        rows = await owner.fetch(
            "SELECT mongo_id, tenant_id, status, current_step, version, projected_version "
            "FROM wfm.workflow_instances_index"
        )
        ids = [r["mongo_id"] for r in rows]
        logs = await storage.events.for_instances(system_principal(), ids)
        documents = await storage.documents.by_ids(system_principal(), ids)
        for row in rows:
            events = logs[row["mongo_id"]]
            assert [e.seq for e in events] == list(range(1, len(events) + 1))
            assert {e.tenant_id for e in events} == {str(row["tenant_id"])}
            truth = fold(events)
            assert documents[row["mongo_id"]] == truth
            assert (row["status"], row["current_step"], row["version"]) == (
                truth.status.value,
                truth.current_step_id,
                truth.version,
            )
            assert row["projected_version"] == row["version"]
    finally:
        await owner.close()
        await storage.close()


async def test_a_dataset_of_the_same_size_is_reused_with_fresh_tokens(loaded):
    settings, size, dataset = loaded
    again = await reopen(settings, size)
    assert again is not None
    assert again.ops.user.id == dataset.ops.user.id
    assert set(again.admins) == set(dataset.admins)
    assert set(again.archetypes) == set(dataset.archetypes)
    assert await reopen(settings, Size(size.tenants, size.instances + 1, size.events)) is None


def test_the_mix_tracks_the_event_target():
    class Sized:
        def __init__(self, size):
            self.size = size

    archetypes = [Sized(n) for n in (1, 2, 5, 9, 14, 25)]
    chosen = mix(archetypes, 1000, 10_000)
    assert sum(a.size for a in chosen) == 10_000
    assert {a.size for a in chosen} == {1, 2, 5, 9, 14, 25}


def test_report_helpers():
    assert parse_round_trips("postgres=8, mongo=2") == {"postgres": 8, "mongo": 2}
    assert parse_round_trips(None) == {}
    figures = percentiles([0.010, 0.020, 0.030, 0.040, 0.100])
    assert figures["p50_ms"] == 30.0
    assert 40.0 < figures["p95_ms"] <= 100.0
