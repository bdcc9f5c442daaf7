"""An api_call step against a local HTTP server that fails twice with 500 and then answers:
retried with backoff, and the step completes with the mapped data."""

import uuid

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from wfm_engine import EventType, ExecuteStep, StartWorkflow, WorkflowStatus
from wfm_testing.peers import serve_asgi
from wfm_testing.templates import form_step, step


def registry_app(failures: int):
    """The participant registry: fails `failures` times, then registers (once per key)."""
    seen: list[str] = []
    registered: dict[str, str] = {}

    async def register(request: Request):
        key = request.headers["idempotency-key"]
        seen.append(key)
        if len(seen) <= failures:
            return JSONResponse({"error": "database is restarting"}, status_code=500)
        body = await request.json()
        registered.setdefault(key, f"REG-{len(registered) + 1:04d}")
        return JSONResponse(
            {"participant": {"id": registered[key], "name": body["name"]}}, status_code=201
        )

    app = Starlette(routes=[Route("/participants", register, methods=["POST"])])
    return app, seen, registered


async def test_api_call_is_retried_with_backoff_and_maps_the_response(
    isolated_world, make_worker, service, publish
):
    app, seen, registered = registry_app(failures=2)
    async with serve_asgi(app) as base_url:
        key = await publish(
            [
                form_step("apply"),
                step(
                    "register",
                    "api_call",
                    config={
                        "url": f"{base_url}/participants",
                        "body": {"name": "Ardennes Énergie"},
                        "timeoutSeconds": 2,
                        "responseMapping": {
                            "registryId": "body.participant.id",
                            "httpStatus": "status",
                        },
                    },
                    retry={"max": 4, "backoff": "PT0.05S"},
                ),
            ]
        )
        tenant = await isolated_world.factory.tenant()
        admin = await isolated_world.factory.account("tenant_admin", tenant)
        state = await service.create_workflow(admin.principal, market_role="GU", template_key=key)
        workflow_id = uuid.UUID(state.id)
        await service.execute(admin.principal, workflow_id, StartWorkflow())
        state = await service.execute(admin.principal, workflow_id, ExecuteStep("apply", {}))
        assert state.current_step_id == "register"

        worker = await make_worker()
        await worker.run_until_idle()

    state = (await service.load(admin.principal, workflow_id)).state
    assert state.status is WorkflowStatus.AWAITING_VALIDATION
    assert state.variables == {"registryId": "REG-0001", "httpStatus": 201}
    assert state.step("register").data["attempts"] == 3
    assert len(seen) == 3
    assert len(set(seen)) == 1  # the same idempotency key on every attempt
    assert len(registered) == 1
    events = await isolated_world.storage.events.for_instance(admin.principal, state.id)
    assert [e.type for e in events].count(EventType.STEP_COMPLETED) == 2


async def test_a_response_whose_keys_the_databases_cannot_keep_fails_the_workflow_once(
    isolated_world, make_worker, service, publish
):
    async def odd(request: Request):
        return JSONResponse({"participant": {"id": "REG-1"}, "bad\u0000key": 1, "$where": 2})

    app = Starlette(routes=[Route("/participants", odd, methods=["POST"])])
    async with serve_asgi(app) as base_url:
        key = await publish(
            [
                form_step("apply"),
                step(
                    "register",
                    "api_call",
                    config={"url": f"{base_url}/participants", "timeoutSeconds": 2},
                    retry={"max": 0, "backoff": "PT0.05S"},
                ),
            ]
        )
        tenant = await isolated_world.factory.tenant()
        admin = await isolated_world.factory.account("tenant_admin", tenant)
        state = await service.create_workflow(admin.principal, market_role="GU", template_key=key)
        workflow_id = uuid.UUID(state.id)
        await service.execute(admin.principal, workflow_id, StartWorkflow())
        await service.execute(admin.principal, workflow_id, ExecuteStep("apply", {}))
        worker = await make_worker()
        await worker.run_until_idle()

    state = (await service.load(admin.principal, workflow_id)).state
    assert state.status is WorkflowStatus.FAILED
    reason = state.failure.reason
    assert "unexpected response" in reason
    assert "bad\\x00key" in reason  # quoted, escaped: the reason itself can be stored
    assert "$where" in reason
    failed = await isolated_world.owner.fetchval(
        "SELECT count(*) FROM wfm_queue.pgqueuer WHERE status::text = 'failed' "
        "AND convert_from(payload, 'UTF8')::jsonb ->> 'instanceId' = $1",
        state.id,
    )
    assert failed == 0
