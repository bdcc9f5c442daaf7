"""Worker tests: a database of their own per module, a frozen clock, short retry delays."""

from datetime import UTC, datetime, time, timedelta

import pytest

from wfm_shared.clock import FrozenClock
from wfm_storage.repositories.templates import TemplateRepository
from wfm_testing.templates import template, unique_key
from wfm_worker.worker import Worker
from wfm_workflows.extensions import load_catalog


@pytest.fixture
def clock():
    """08:00 UTC tomorrow: later than every row the database stamps with its own now(), such
    as a trigger's created_at, so slots and deadlines counted from it lie ahead of them."""
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    return FrozenClock(datetime.combine(tomorrow, time(8, 0), tzinfo=UTC))


def worker_settings(settings, **overrides):
    values = {
        "retry_base_seconds": 0.05,
        "retry_cap_seconds": 0.5,
        "worker_metrics_port": 0,
        "job_heartbeat_timeout_seconds": 2.0,
        "webhook_timeout_seconds": 0.3,
        "job_max_attempts": 5,
        **overrides,
    }
    return settings.model_copy(update=values)


@pytest.fixture
async def make_worker(isolated_world, clock):
    """Start a worker in this process; `overrides` change its settings."""
    started = []

    async def make(**overrides):
        settings = worker_settings(isolated_world.settings, **overrides)
        worker = Worker(settings, storage=isolated_world.storage, clock=clock)
        await worker.start()
        started.append(worker)
        return worker

    yield make
    for worker in started:
        await worker.close()


@pytest.fixture
async def service(isolated_world, clock, make_services):
    """The workflow service on the module's database, on the test's clock."""
    services = await make_services(isolated_world.settings, isolated_world.storage, clock=clock)
    return services.workflows


@pytest.fixture
def publish(isolated_world):
    """Store a template (a unique key) in the module's database and return its key; its
    steps may be of any type the installed extensions add."""
    registries = load_catalog().registries

    async def store(steps, **extra):
        definition = template(steps, key=unique_key("w"), name="Worker test", **extra)
        await TemplateRepository().save(isolated_world.owner, registries.parse_template(definition))
        return definition["key"]

    return store
