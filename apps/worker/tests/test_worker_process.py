"""The worker as its own process: killed with SIGKILL in the middle of a job, the job is
picked again after the visibility timeout and its effect happens once; SIGTERM lets the
job in flight finish before the process exits."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from wfm_engine import EventType, ExecuteStep, StartWorkflow, WorkflowStatus
from wfm_shared.principal import system_principal
from wfm_testing.peers import serve_asgi
from wfm_testing.pytest_plugin import APP_PASSWORD, JWT_SECRET, OUTGOING_ALLOWED_HOSTS
from wfm_testing.templates import form_step, step


class SlowRegistry:
    """Registers participants; the first request takes `first_delay` seconds. Remembers
    what it registered per idempotency key, so a repeated request changes nothing."""

    def __init__(self, first_delay: float) -> None:
        self.first_delay = first_delay
        self.requests: list[str] = []
        self.registered: dict[str, str] = {}
        self.first_arrived = asyncio.Event()

    async def register(self, request: Request) -> JSONResponse:
        key = request.headers["idempotency-key"]
        self.requests.append(key)
        if len(self.requests) == 1:
            self.first_arrived.set()
            await asyncio.sleep(self.first_delay)
        self.registered.setdefault(key, f"REG-{len(self.registered) + 1}")
        return JSONResponse({"participant": {"id": self.registered[key]}}, status_code=201)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/participants", self.register, methods=["POST"])])


def start_worker(settings, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "MONGODB_URL": settings.mongodb_url,
        "WFM_MONGODB_DATABASE": settings.mongodb_database,
        "WFM_APP_DB_PASSWORD": APP_PASSWORD,
        "WFM_JWT_SECRET": JWT_SECRET,
        "WFM_ENV": "test",
        "WFM_WORKER_METRICS_PORT": "0",
        "WFM_JOB_HEARTBEAT_TIMEOUT_SECONDS": "2",
        "WFM_RETRY_BASE_SECONDS": "0.05",
        "WFM_TIMER_INTERVAL_SECONDS": "1",
        "WFM_OUTGOING_ALLOWED_HOSTS": json.dumps(OUTGOING_ALLOWED_HOSTS),
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "wfm_cli", "worker"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def wait_for(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def onboarding_waiting_on_the_registry(isolated_world, service, publish, base_url):
    key = await publish(
        [
            form_step("apply"),
            step(
                "register",
                "api_call",
                config={
                    "url": f"{base_url}/participants",
                    "timeoutSeconds": 30,
                    "responseMapping": {"registryId": "body.participant.id"},
                },
            ),
        ]
    )
    tenant = await isolated_world.factory.tenant()
    admin = await isolated_world.factory.account("tenant_admin", tenant)
    state = await service.create_workflow(admin.principal, market_role="GU", template_key=key)
    workflow_id = uuid.UUID(state.id)
    await service.execute(admin.principal, workflow_id, StartWorkflow())
    await service.execute(admin.principal, workflow_id, ExecuteStep("apply", {}))
    return workflow_id


@pytest.fixture
def worker_log(tmp_path):
    return tmp_path / "worker.log"


async def test_a_killed_worker_loses_nothing_and_the_effect_happens_once(
    isolated_world, service, publish, worker_log
):
    registry = SlowRegistry(first_delay=60)
    async with serve_asgi(registry.app()) as base_url:
        workflow_id = await onboarding_waiting_on_the_registry(
            isolated_world, service, publish, base_url
        )
        first = start_worker(isolated_world.settings, worker_log)
        try:
            await asyncio.wait_for(registry.first_arrived.wait(), 30)
            first.send_signal(signal.SIGKILL)  # mid-job: the registry call is in flight
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
        second = start_worker(isolated_world.settings, worker_log)
        try:

            async def completed():
                state = (await service.load(system_principal(), workflow_id)).state
                return state.status is WorkflowStatus.AWAITING_VALIDATION

            await wait_for(completed, 40, "the job to be picked again and completed")
            second.send_signal(signal.SIGTERM)
            assert second.wait(20) == 0
        finally:
            if second.poll() is None:
                second.kill()

    assert len(registry.requests) == 2
    assert len(set(registry.requests)) == 1  # the retry carried the same idempotency key
    assert len(registry.registered) == 1
    state = (await service.load(system_principal(), workflow_id)).state
    assert state.variables == {"registryId": "REG-1"}
    events = await isolated_world.storage.events.for_instance(system_principal(), str(workflow_id))
    assert [(e.type, e.step_id) for e in events].count((EventType.STEP_COMPLETED, "register")) == 1
    held = await isolated_world.owner.fetchval(
        "SELECT count(*) FROM wfm_queue.pgqueuer WHERE status = 'failed'"
    )
    assert held == 0


async def test_sigterm_lets_the_job_in_flight_finish(isolated_world, service, publish, worker_log):
    registry = SlowRegistry(first_delay=1.5)
    async with serve_asgi(registry.app()) as base_url:
        workflow_id = await onboarding_waiting_on_the_registry(
            isolated_world, service, publish, base_url
        )
        worker = start_worker(isolated_world.settings, worker_log)
        try:
            await asyncio.wait_for(registry.first_arrived.wait(), 30)
            worker.send_signal(signal.SIGTERM)
            exit_code = await asyncio.to_thread(worker.wait, 30)
        finally:
            if worker.poll() is None:
                worker.kill()
    assert exit_code == 0, worker_log.read_text()[-3000:]
    state = (await service.load(system_principal(), workflow_id)).state
    assert state.status is WorkflowStatus.AWAITING_VALIDATION
    assert len(registry.requests) == 1
