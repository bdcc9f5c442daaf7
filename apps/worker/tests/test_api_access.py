"""An approved onboarding of a role that needs API access gets a Kong consumer and a
key-auth credential, through a local server implementing those Admin API endpoints;
provisioning again (a retry) changes nothing."""

import uuid

import httpx
from prometheus_client import generate_latest

from wfm_devkit.servers import _free_port
from wfm_engine import ApproveWorkflow, ExecuteStep, StartWorkflow, SubmitWorkflow
from wfm_shared.principal import system_principal
from wfm_storage import jobs
from wfm_testing.peers import FakeKongAdmin, serve_asgi
from wfm_testing.templates import form_step


async def test_an_approved_brp_gets_a_kong_consumer_once(
    isolated_world, make_worker, service, publish
):
    key = await publish(
        [form_step("apply")],
        grantsMarketRole=True,
    )
    tenant = await isolated_world.factory.tenant(slug=f"kong-{uuid.uuid4().hex[:6]}")
    admin = await isolated_world.factory.account("tenant_admin", tenant)
    ops = await isolated_world.factory.account("market_ops")
    state = await service.create_workflow(admin.principal, market_role="BRP", template_key=key)
    workflow_id = uuid.UUID(state.id)
    for principal, command in (
        (admin.principal, StartWorkflow()),
        (admin.principal, ExecuteStep("apply", {})),
        (admin.principal, SubmitWorkflow()),
        (ops.principal, ApproveWorkflow()),
    ):
        await service.execute(principal, workflow_id, command)

    kong = FakeKongAdmin()
    async with serve_asgi(kong.app()) as admin_url:
        worker = await make_worker(kong_admin_url=admin_url, kong_roles=["BRP"])
        await worker.run_until_idle()
        await worker.run_until_idle()
        username = f"{tenant.slug}-brp"
        assert list(kong.consumers) == [username]
        assert kong.consumers[username]["custom_id"] == f"{tenant.id}:BRP"
        (credential,) = kong.credentials.values()
        first_key = credential["key"]

        # the same job once more, as a retry after a lost acknowledgement would run it
        async with isolated_world.storage.db.transaction(system_principal()) as conn:
            payload = {"tenantId": str(tenant.id), "marketRole": "BRP"}
            await isolated_world.storage.jobs.enqueue(conn, jobs.PROVISION_API_ACCESS, payload)
        await worker.run_until_idle()
        assert list(kong.consumers) == [username]
        assert [c["key"] for c in kong.credentials.values()] == [first_key]
        await worker.refresh_metrics()
        exposition = generate_latest(worker.metrics.registry).decode()

    row = await isolated_world.owner.fetchrow(
        "SELECT consumer_username, credential_id FROM wfm.api_access WHERE tenant_id = $1",
        tenant.id,
    )
    assert row["consumer_username"] == username
    assert str(row["credential_id"]) == credential["id"]

    assert (
        'wfm_worker_jobs_total{entrypoint="provision_api_access",outcome="done"} 2.0' in exposition
    )
    assert 'wfm_queue_depth{status="queued"} 0.0' in exposition


async def test_metrics_are_served_on_their_own_port(make_worker):
    port = _free_port()
    worker = await make_worker(worker_metrics_port=port)
    await worker.refresh_metrics()
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{port}/metrics")
    assert response.status_code == 200
    assert "wfm_queue_lag_seconds" in response.text
    assert "wfm_queue_depth" in response.text
