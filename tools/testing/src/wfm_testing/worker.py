"""The worker in the test process, on a world's database of its own, retrying within a
fraction of a second: `drain` runs the jobs a test's commands set off, as the worker process
would, until nothing is due."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from wfm_shared.settings import Settings
from wfm_storage.bootstrap import Storage
from wfm_worker.worker import Worker

# retries, a lost job's heartbeat and an outgoing call's timeout, in test time
QUICK: dict[str, Any] = {
    "worker_metrics_port": 0,
    "retry_base_seconds": 0.05,
    "retry_cap_seconds": 0.2,
    "job_heartbeat_timeout_seconds": 2.0,
    "webhook_timeout_seconds": 2.0,
}


@asynccontextmanager
async def quick_worker(settings: Settings, storage: Storage) -> AsyncIterator[Worker]:
    started = Worker(settings.model_copy(update=QUICK), storage=storage)
    await started.start()
    try:
        yield started
    finally:
        await started.close()


async def drain(worker: Worker, rounds: int = 6) -> None:
    """Until nothing is due: a step's event sets off the next job, a failed attempt a retry."""
    for _ in range(rounds):
        await worker.run_until_idle()
