"""A system step that fails, against a local registry on loopback: its `onFailure` goes on at
another step with the error in `variables.lastError`, or pauses for a person (resuming runs
it again); a FAILED workflow retried goes on where it failed, its data kept; a forEach calls
the registry once per item, in order, each item once however often the worker is retried."""

import asyncio
import uuid

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from wfm_engine import (
    EventType,
    ExecuteStep,
    PauseWorkflow,
    ResumeWorkflow,
    RetryWorkflow,
    StartWorkflow,
    StepStatus,
    WorkflowStatus,
)
from wfm_testing.peers import serve_asgi
from wfm_testing.templates import form_step, step

POINTS = [f"5414490000{n:08d}" for n in range(50)]


class Registry:
    """The access-point registry: registers what it is sent, once per idempotency key, and
    answers with the registration. `refuse` maps an access point to the statuses it answers
    before it registers it (a 503 is retried, a 400 is not); `slow` access points keep the
    first request waiting (long enough for the worker's job to give up on it)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []  # (access point, idempotency key)
        self.registered: dict[str, str] = {}  # idempotency key -> registration id
        self.refuse: dict[str, list[int]] = {}
        self.slow: set[str] = set()

    def app(self) -> Starlette:
        async def register(request: Request):
            body = await request.json()
            point, key = body.get("point", "-"), request.headers["idempotency-key"]
            self.requests.append((point, key))
            if self.refuse.get(point):
                status = self.refuse[point].pop(0)
                return JSONResponse({"error": f"refused {point}"}, status_code=status)
            registration = self.registered.setdefault(key, f"AP-{len(self.registered) + 1:03d}")
            if point in self.slow:
                self.slow.discard(point)
                await asyncio.sleep(3)
            return JSONResponse({"id": registration, "point": point}, status_code=201)

        return Starlette(routes=[Route("/access-points", register, methods=["POST"])])

    def calls_for(self, point: str) -> list[str]:
        return [key for p, key in self.requests if p == point]


def register_step(base_url: str, **fields) -> dict:
    return step(
        "register",
        "api_call",
        config={
            "url": f"{base_url}/access-points",
            "body": {"source": "onboarding"},
            "timeoutSeconds": 5,
            "responseMapping": {"registryIds": "body.id"},
        },
        retry={"max": 1, "backoff": "PT0.05S"},
        **fields,
    )


def registering_each_point(base_url: str) -> list[dict]:
    """A form with the access points, a registration call per point, then a confirmation."""
    return [
        form_step("apply"),
        register_step(base_url, forEach={"items": "steps.apply.points", "as": "point"}),
        form_step("confirm"),
    ]


async def started(isolated_world, service, publish, steps, data):
    """A workflow of `steps`, started, its first (form) step done with `data`."""
    key = await publish(steps)
    tenant = await isolated_world.factory.tenant()
    admin = await isolated_world.factory.account("tenant_admin", tenant)
    state = await service.create_workflow(admin.principal, market_role="GU", template_key=key)
    workflow_id = uuid.UUID(state.id)
    await service.execute(admin.principal, workflow_id, StartWorkflow())
    await service.execute(admin.principal, workflow_id, ExecuteStep("apply", data))
    return admin, workflow_id


async def event_types(isolated_world, admin, workflow_id):
    events = await isolated_world.storage.events.for_instance(admin.principal, str(workflow_id))
    return [e.type for e in events]


async def test_a_failed_call_goes_on_at_its_onfailure_step_with_the_error_in_variables(
    isolated_world, make_worker, service, publish
):
    registry = Registry()
    registry.refuse["-"] = [400]  # a request that names no access point
    async with serve_asgi(registry.app()) as base_url:
        steps = [
            form_step("apply"),
            register_step(base_url, onFailure={"to": "by-hand"}, next=[{"to": "confirm"}]),
            form_step(
                "by-hand",
                next=[{"to": "confirm", "when": "variables.lastError.stepId == 'register'"}],
            ),
            form_step("confirm"),
        ]
        admin, workflow_id = await started(isolated_world, service, publish, steps, {})
        worker = await make_worker()
        await worker.run_until_idle()

    state = (await service.load(admin.principal, workflow_id)).state
    assert state.status is WorkflowStatus.IN_PROGRESS
    assert state.current_step_id == "by-hand"
    assert state.step("register").status is StepStatus.FAILED
    error = state.variables["lastError"]
    assert error["stepId"] == "register"
    assert error["message"].startswith("HTTP 400 Bad Request")
    assert error["attempts"] == 1  # a 400 is not retried
    assert EventType.STEP_FAILED in await event_types(isolated_world, admin, workflow_id)
    # the failure branch's own condition reads the error
    state = await service.execute(admin.principal, workflow_id, ExecuteStep("by-hand", {}))
    assert state.current_step_id == "confirm"


async def test_onfailure_pause_waits_for_a_person_and_resuming_calls_again(
    isolated_world, make_worker, service, publish
):
    registry = Registry()
    registry.refuse["-"] = [503, 503]  # both attempts of the step's first run
    async with serve_asgi(registry.app()) as base_url:
        steps = [form_step("apply"), register_step(base_url, onFailure="pause")]
        admin, workflow_id = await started(isolated_world, service, publish, steps, {})
        worker = await make_worker()
        await worker.run_until_idle()

        paused = (await service.load(admin.principal, workflow_id)).state
        assert paused.status is WorkflowStatus.PAUSED
        assert paused.pause.reason.startswith("HTTP 503 Service Unavailable")
        assert paused.pause.failed_step_id == "register"
        assert paused.variables["lastError"]["attempts"] == 2
        assert len(registry.requests) == 2
        waiting = await isolated_world.owner.fetchrow(
            "SELECT work_kind, work_step FROM wfm.workflow_instances_index WHERE id = $1",
            workflow_id,
        )
        assert tuple(waiting.values()) == ("FAILURE", "register")  # in the work queue

        await service.execute(admin.principal, workflow_id, ResumeWorkflow())
        await worker.run_until_idle()

    state = (await service.load(admin.principal, workflow_id)).state
    assert state.status is WorkflowStatus.AWAITING_VALIDATION
    assert state.step("register").data["status"] == 201
    first, second, again = (key for _, key in registry.requests)
    assert first == second != again  # the run after resuming is a new request


async def test_a_system_step_paused_before_it_ran_runs_when_resumed(
    isolated_world, make_worker, service, publish
):
    registry = Registry()
    async with serve_asgi(registry.app()) as base_url:
        steps = [form_step("apply"), register_step(base_url)]
        admin, workflow_id = await started(isolated_world, service, publish, steps, {})
        await service.execute(admin.principal, workflow_id, PauseWorkflow("hold on"))
        worker = await make_worker()
        await worker.run_until_idle()
        assert registry.requests == []  # paused: the step does not run

        await service.execute(admin.principal, workflow_id, ResumeWorkflow())
        await worker.run_until_idle()

    state = (await service.load(admin.principal, workflow_id)).state
    assert state.status is WorkflowStatus.AWAITING_VALIDATION
    assert len(registry.requests) == 1


async def test_a_retried_workflow_goes_on_at_the_failed_step_with_its_data_kept(
    isolated_world, make_worker, service, publish
):
    registry = Registry()
    points = POINTS[:3]
    registry.refuse[points[1]] = [400]  # refused once, accepted once the registry is fixed
    async with serve_asgi(registry.app()) as base_url:
        steps = registering_each_point(base_url)
        admin, workflow_id = await started(
            isolated_world, service, publish, steps, {"points": points}
        )
        worker = await make_worker()
        await worker.run_until_idle()

        failed = (await service.load(admin.principal, workflow_id)).state
        assert failed.status is WorkflowStatus.FAILED
        assert failed.failure.reason.startswith("step 'register': item 1 of 3: HTTP 400")
        assert [r["body"]["point"] for r in failed.iteration.results] == points[:1]

        retried = await service.execute(admin.principal, workflow_id, RetryWorkflow())
        assert retried.status is WorkflowStatus.IN_PROGRESS
        await worker.run_until_idle()

    state = (await service.load(admin.principal, workflow_id)).state
    assert state.status is WorkflowStatus.IN_PROGRESS
    assert state.current_step_id == "confirm"
    assert state.step("apply").data == {"points": points}
    results = state.step("register").data["results"]
    assert [r["body"]["point"] for r in results] == points
    # the item done before the failure was not called again
    assert [len(registry.calls_for(p)) for p in points] == [1, 2, 1]
    audited = await isolated_world.owner.fetchval(
        "SELECT count(*) FROM wfm.audit_log WHERE action = 'WORKFLOW_RETRIED' AND target_id = $1",
        str(workflow_id),
    )
    assert audited == 1


async def test_a_foreach_over_fifty_items_calls_once_per_item_in_order_despite_retries(
    isolated_world, make_worker, service, publish
):
    registry = Registry()
    registry.refuse[POINTS[20]] = [503]  # the job of item 20 is retried
    registry.slow.add(POINTS[10])  # the job of item 10 gives up waiting, and is run again
    async with serve_asgi(registry.app()) as base_url:
        steps = registering_each_point(base_url)
        admin, workflow_id = await started(
            isolated_world, service, publish, steps, {"points": POINTS}
        )
        worker = await make_worker(job_timeout_seconds=2.0)
        await worker.run_until_idle()

    state = (await service.load(admin.principal, workflow_id)).state
    assert state.current_step_id == "confirm", state.failure
    results = state.step("register").data["results"]
    assert [r["body"]["point"] for r in results] == POINTS
    assert state.variables["registryIds"] == [r["body"]["id"] for r in results]
    # each item is one request to the registry, with a key of its own...
    keys = {point: set(registry.calls_for(point)) for point in POINTS}
    assert all(len(k) == 1 for k in keys.values())
    assert len(set().union(*keys.values())) == 50
    assert len(registry.registered) == 50  # ...so each was registered once
    # only the items whose job was retried were sent twice (the same request again)
    twice = [point for point in POINTS if len(registry.calls_for(point)) > 1]
    assert twice == [POINTS[10], POINTS[20]]
    types = await event_types(isolated_world, admin, workflow_id)
    assert types.count(EventType.STEP_ITERATION_COMPLETED) == 49


async def test_a_foreach_with_more_items_than_its_max_fails_without_a_call(
    isolated_world, make_worker, service, publish
):
    registry = Registry()
    async with serve_asgi(registry.app()) as base_url:
        steps = [
            form_step("apply"),
            register_step(base_url, forEach={"items": "steps.apply.points", "max": 5}),
        ]
        admin, workflow_id = await started(
            isolated_world, service, publish, steps, {"points": POINTS[:6]}
        )
        worker = await make_worker()
        await worker.run_until_idle()

    state = (await service.load(admin.principal, workflow_id)).state
    assert state.status is WorkflowStatus.FAILED
    assert state.failure.reason == (
        "step 'register': forEach gave 6 items; the step allows at most 5"
    )
    assert registry.requests == []
