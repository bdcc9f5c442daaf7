"""The compensation of an api_call step, recorded by a rollback, is sent by the worker to a
local registry: retried like the call, with an idempotency key of its own, before the step
calls the registry again; one the registry refuses fails the workflow with the reason."""

import uuid

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from wfm_engine import EventType, ExecuteStep, StartWorkflow, WorkflowStatus
from wfm_testing.peers import serve_asgi
from wfm_testing.templates import form_step, step


def registry_app(*, cancel_failures: int, cancel_status: int = 503):
    """Registers participants; cancels a registration after `cancel_failures` refusals."""
    calls: list[tuple[str, str]] = []  # (what, idempotency key), in the order they came

    async def register(request: Request):
        calls.append(("register", request.headers["idempotency-key"]))
        return JSONResponse({"participant": {"id": "REG-0001"}}, status_code=201)

    async def cancel(request: Request):
        calls.append(("cancel", request.headers["idempotency-key"]))
        if sum(1 for what, _ in calls if what == "cancel") <= cancel_failures:
            return JSONResponse({"error": "try again"}, status_code=cancel_status)
        return JSONResponse({"cancelled": (await request.json())["participant"]})

    app = Starlette(
        routes=[
            Route("/participants", register, methods=["POST"]),
            Route("/participants/cancel", cancel, methods=["POST"]),
        ]
    )
    return app, calls


def steps(base_url: str) -> list[dict]:
    return [
        form_step("apply"),
        step(
            "register",
            "api_call",
            config={
                "url": f"{base_url}/participants",
                "timeoutSeconds": 2,
                "responseMapping": {"registryId": "body.participant.id"},
            },
            compensation={
                "url": f"{base_url}/participants/cancel",
                "body": {"participant": "REG-0001"},
                "timeoutSeconds": 2,
            },
            retry={"max": 3, "backoff": "PT0.05S"},
        ),
        form_step("review"),
    ]


async def registered_then_rolled_back(isolated_world, make_worker, service, publish, base_url):
    key = await publish(steps(base_url))
    tenant = await isolated_world.factory.tenant()
    admin = await isolated_world.factory.account("tenant_admin", tenant)
    state = await service.create_workflow(admin.principal, market_role="GU", template_key=key)
    workflow_id = uuid.UUID(state.id)
    await service.execute(admin.principal, workflow_id, StartWorkflow())
    await service.execute(admin.principal, workflow_id, ExecuteStep("apply", {}))
    worker = await make_worker()
    await worker.run_until_idle()
    assert (await service.load(admin.principal, workflow_id)).state.current_step_id == "review"
    state = await service.rollback(admin.principal, workflow_id, "apply")
    assert state.current_step_id == "register"
    await worker.run_until_idle()
    return admin, workflow_id


async def audit_actions(isolated_world, workflow_id):
    rows = await isolated_world.owner.fetch(
        "SELECT action, details FROM wfm.audit_log WHERE target_id = $1 "
        "AND action LIKE 'STEP_COMPENSATION_%' ORDER BY id",
        str(workflow_id),
    )
    return [(row["action"], row["details"]) for row in rows]


async def test_a_rolled_back_api_call_is_cancelled_at_the_peer_before_it_is_called_again(
    isolated_world, make_worker, service, publish
):
    app, calls = registry_app(cancel_failures=2)
    async with serve_asgi(app) as base_url:
        admin, workflow_id = await registered_then_rolled_back(
            isolated_world, make_worker, service, publish, base_url
        )

    assert [what for what, _ in calls] == ["register", "cancel", "cancel", "cancel", "register"]
    cancel_keys = {key for what, key in calls if what == "cancel"}
    assert len(cancel_keys) == 1  # every attempt of the compensation carries the same key
    assert cancel_keys.isdisjoint(key for what, key in calls if what == "register")
    state = (await service.load(admin.principal, workflow_id)).state
    assert state.status is WorkflowStatus.IN_PROGRESS
    assert state.current_step_id == "review"  # registered again after the cancellation
    [(action, details)] = await audit_actions(isolated_world, workflow_id)
    assert action == "STEP_COMPENSATION_SENT"
    assert details["stepId"] == "register"
    assert details["status"] == 200
    assert details["attempts"] == 3


async def test_a_compensation_the_peer_refuses_fails_the_workflow_with_the_reason(
    isolated_world, make_worker, service, publish
):
    app, calls = registry_app(cancel_failures=1, cancel_status=409)
    async with serve_asgi(app) as base_url:
        admin, workflow_id = await registered_then_rolled_back(
            isolated_world, make_worker, service, publish, base_url
        )

    assert [what for what, _ in calls] == ["register", "cancel"]  # never called again
    state = (await service.load(admin.principal, workflow_id)).state
    assert state.status is WorkflowStatus.FAILED
    reason = state.failure.reason
    assert "compensation of step 'register' was not carried out" in reason
    assert "409" in reason
    [(action, details)] = await audit_actions(isolated_world, workflow_id)
    assert action == "STEP_COMPENSATION_FAILED"
    assert "409" in details["reason"]
    events = await isolated_world.storage.events.for_instance(admin.principal, str(workflow_id))
    compensated = [e for e in events if e.type is EventType.STEP_COMPENSATED]
    assert compensated[-1].data["compensation"]["request"]["body"] == {"participant": "REG-0001"}
