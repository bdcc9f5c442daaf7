"""The worker under the outgoing-call policy: a webhook or an api_call (or its compensation)
whose host turns out, when called, to be this machine or a private network fails at once
and for good with the reason, and the peer receives nothing; the operator's allow-list
lets an internal receiver through; a redirect is never followed."""

import uuid

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from wfm_engine import ExecuteStep, StartWorkflow, WorkflowStatus
from wfm_integrations.webhooks import new_secret
from wfm_shared.sealing import SecretBox
from wfm_testing.peers import serve_asgi
from wfm_testing.templates import form_step, step


class Peer:
    def __init__(self) -> None:
        self.requests: list[str] = []
        self.redirect_to: str | None = None

    async def handle(self, request: Request) -> Response:
        self.requests.append(request.url.path)
        if self.redirect_to:
            return RedirectResponse(self.redirect_to, status_code=302)
        return JSONResponse({"participant": {"id": "REG-0001"}}, status_code=201)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self.handle, methods=["POST"])])


def localhost(base_url: str) -> str:
    """The peer's URL by a name that resolves to loopback (refused unless allowed)."""
    return base_url.replace("127.0.0.1", "localhost")


async def subscribe(isolated_world, url: str):
    """A tenant whose subscription (stored earlier: the policy is checked again when called)
    wants every event; returns its administrator."""
    tenant = await isolated_world.factory.tenant()
    admin = await isolated_world.factory.account("tenant_admin", tenant)
    async with isolated_world.storage.db.transaction(admin.principal) as conn:
        await isolated_world.storage.webhooks.create_subscription(
            conn,
            tenant_id=tenant.id,
            url=url,
            sealed_secret=SecretBox.from_settings(isolated_world.settings).seal(new_secret()),
            event_types=["workflow.started"],
            description=None,
            created_by=admin.user.id,
        )
    return admin


async def start_a_workflow(isolated_world, service, publish, admin, steps):
    key = await publish(steps)
    state = await service.create_workflow(admin.principal, market_role="GU", template_key=key)
    workflow_id = uuid.UUID(state.id)
    await service.execute(admin.principal, workflow_id, StartWorkflow())
    return workflow_id


async def deliveries_of(isolated_world, admin):
    storage = isolated_world.storage
    async with storage.db.transaction(admin.principal) as conn:
        found = await storage.webhooks.deliveries(
            conn, status=None, subscription_id=None, limit=100
        )
    return [d for d in found if d.tenant_id == admin.principal.tenant_id]


async def test_a_webhook_whose_host_resolves_to_loopback_fails_at_once_with_the_reason(
    isolated_world, make_worker, service, publish
):
    peer = Peer()
    form = [form_step("only")]
    async with serve_asgi(peer.app()) as base_url:
        admin = await subscribe(isolated_world, f"{localhost(base_url)}/hooks")
        await start_a_workflow(isolated_world, service, publish, admin, form)
        worker = await make_worker(outgoing_allowed_hosts=[])
        await worker.run_until_idle()

    [delivery] = await deliveries_of(isolated_world, admin)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 1, None)
    assert delivery.last_error.startswith(
        "refused by the outgoing-call policy: localhost resolves to a loopback address"
    )
    assert peer.requests == []


async def test_the_allow_list_lets_the_internal_receiver_through(
    isolated_world, make_worker, service, publish
):
    peer = Peer()
    form = [form_step("only")]
    async with serve_asgi(peer.app()) as base_url:
        admin = await subscribe(isolated_world, f"{localhost(base_url)}/hooks")
        await start_a_workflow(isolated_world, service, publish, admin, form)
        worker = await make_worker(outgoing_allowed_hosts=["localhost"])
        await worker.run_until_idle()

    [delivery] = await deliveries_of(isolated_world, admin)
    assert (delivery.status, delivery.last_status_code) == ("delivered", 201)
    assert peer.requests == ["/hooks"]


def api_call(url: str, compensation_url: str | None = None) -> list[dict]:
    call = step(
        "register",
        "api_call",
        config={"url": url, "timeoutSeconds": 2},
        retry={"max": 3, "backoff": "PT0.05S"},
    )
    if compensation_url:
        call["compensation"] = {"url": compensation_url, "timeoutSeconds": 2}
    return [form_step("apply"), call, form_step("review")]


async def test_an_api_call_to_a_host_resolving_to_loopback_fails_the_workflow_with_the_reason(
    isolated_world, make_worker, service, publish
):
    peer = Peer()
    admin = await isolated_world.factory.account(
        "tenant_admin", await isolated_world.factory.tenant()
    )
    async with serve_asgi(peer.app()) as base_url:
        steps = api_call(f"{localhost(base_url)}/participants")
        workflow_id = await start_a_workflow(isolated_world, service, publish, admin, steps)
        await service.execute(admin.principal, workflow_id, ExecuteStep("apply", {}))
        worker = await make_worker(outgoing_allowed_hosts=[])
        await worker.run_until_idle()

    state = (await service.load(admin.principal, workflow_id)).state
    assert state.status is WorkflowStatus.FAILED
    assert state.failure.reason.startswith(
        "step 'register': refused by the outgoing-call policy: "
        "localhost resolves to a loopback address"
    )
    assert peer.requests == []  # and never retried


async def test_an_api_call_answered_with_a_redirect_fails_and_the_target_is_not_called(
    isolated_world, make_worker, service, publish
):
    peer, target = Peer(), Peer()
    admin = await isolated_world.factory.account(
        "tenant_admin", await isolated_world.factory.tenant()
    )
    async with serve_asgi(peer.app()) as base_url, serve_asgi(target.app()) as target_url:
        peer.redirect_to = f"{target_url}/admin"
        workflow_id = await start_a_workflow(
            isolated_world, service, publish, admin, api_call(f"{base_url}/participants")
        )
        await service.execute(admin.principal, workflow_id, ExecuteStep("apply", {}))
        worker = await make_worker()
        await worker.run_until_idle()

    state = (await service.load(admin.principal, workflow_id)).state
    assert state.status is WorkflowStatus.FAILED
    assert state.failure.reason == (
        f"step 'register': HTTP 302: redirect to {target_url}/admin not followed"
    )
    assert peer.requests == ["/participants"]
    assert target.requests == []


async def test_a_compensation_to_a_private_address_fails_the_workflow_with_the_reason(
    isolated_world, make_worker, service, publish
):
    peer = Peer()
    admin = await isolated_world.factory.account(
        "tenant_admin", await isolated_world.factory.tenant()
    )
    async with serve_asgi(peer.app()) as base_url:
        steps = api_call(f"{base_url}/participants", "http://10.0.0.5/participants/cancel")
        workflow_id = await start_a_workflow(isolated_world, service, publish, admin, steps)
        await service.execute(admin.principal, workflow_id, ExecuteStep("apply", {}))
        worker = await make_worker()
        await worker.run_until_idle()
        assert (await service.load(admin.principal, workflow_id)).state.current_step_id == "review"
        await service.rollback(admin.principal, workflow_id, "apply")
        await worker.run_until_idle()

    state = (await service.load(admin.principal, workflow_id)).state
    assert state.status is WorkflowStatus.FAILED
    assert state.failure.reason == (
        "the compensation of step 'register' was not carried out: refused by the outgoing-call "
        "policy: 10.0.0.5 points to a private address (10.0.0.5)"
    )
    assert peer.requests == ["/participants"]  # registered once, never called again
