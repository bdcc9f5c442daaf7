"""Webhook deliveries: signed as Standard Webhooks do, retried with backoff after a timeout,
logged with their response codes; the receiver sees each message once per id."""

import asyncio
import uuid
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from wfm_engine import StartWorkflow
from wfm_integrations.webhooks import WebhookVerificationError, new_secret, verify
from wfm_shared.sealing import SecretBox
from wfm_testing.peers import serve_asgi
from wfm_testing.templates import form_step


def receiver(secret: str, slow_first: float):
    """A subscriber: verifies every signature, answers the first request too late, and
    processes each webhook-id once."""
    processed: dict[str, dict] = {}
    requests: list[str] = []
    refused: list[str] = []

    async def hook(request: Request):
        body = await request.body()
        try:
            verify(secret, dict(request.headers), body, now=datetime.now(UTC))
        except WebhookVerificationError as error:
            refused.append(str(error))
            return Response(status_code=401)
        message_id = request.headers["webhook-id"]
        requests.append(message_id)
        if len(requests) == 1:
            await asyncio.sleep(slow_first)  # longer than the sender waits
        processed.setdefault(message_id, await request.json())
        return Response(status_code=204)

    return Starlette(routes=[Route("/hooks", hook, methods=["POST"])]), processed, requests, refused


async def test_a_timed_out_delivery_is_retried_and_processed_once(
    isolated_world, make_worker, service, publish
):
    secret = new_secret()
    app, processed, requests, refused = receiver(secret, slow_first=0.6)
    key = await publish([form_step("only")])
    tenant = await isolated_world.factory.tenant()
    admin = await isolated_world.factory.account("tenant_admin", tenant)
    async with serve_asgi(app) as base_url:
        async with isolated_world.storage.db.transaction(admin.principal) as conn:
            await isolated_world.storage.webhooks.create_subscription(
                conn,
                tenant_id=tenant.id,
                url=f"{base_url}/hooks",
                sealed_secret=SecretBox.from_settings(isolated_world.settings).seal(secret),
                event_types=["workflow.started"],
                description="ERP",
                created_by=admin.user.id,
            )
        state = await service.create_workflow(admin.principal, market_role="GU", template_key=key)
        await service.execute(admin.principal, uuid.UUID(state.id), StartWorkflow())
        worker = await make_worker(webhook_timeout_seconds=0.2)
        await worker.run_until_idle()
        await asyncio.sleep(0.7)  # let the slow first request finish on the receiver's side

    assert refused == []
    message_id = f"msg_{state.id}_2"
    assert requests == [message_id, message_id]  # the same id on the retry
    assert list(processed) == [message_id]
    assert processed[message_id]["type"] == "workflow.started"
    assert processed[message_id]["data"]["workflowId"] == state.id
    async with isolated_world.storage.db.transaction(admin.principal) as conn:
        (delivery,) = await isolated_world.storage.webhooks.deliveries(
            conn, status=None, subscription_id=None, limit=10
        )
        attempts = (await isolated_world.storage.webhooks.attempts(conn, [delivery.id]))[
            delivery.id
        ]
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 204)
    assert [a["status_code"] for a in attempts] == [None, 204]
    assert attempts[0]["error"] == "no response within 0.2 s"
