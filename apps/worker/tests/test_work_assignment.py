"""Assigned work is announced to its assignee, by e-mail (a real local SMTP server) and in
the app, in their language; a claim announces nothing. A system step whose runner fails
leaves the workflow FAILED at that step: a work item for who may roll it back."""

import uuid

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from wfm_engine import ExecuteStep, StartWorkflow, WorkflowStatus
from wfm_testing.peers import SmtpSink, serve_asgi
from wfm_testing.templates import form_step, step, text
from wfm_workflows.work_queue import WorkItemFilter


async def test_the_assignee_hears_of_the_work_in_their_language_and_a_claim_tells_nobody(
    isolated_world, make_worker, make_services, publish, clock
):
    key = await publish([form_step("apply", title=text("Application", "Demande", "Aanvraag"))])
    tenant = await isolated_world.factory.tenant(company_name="Ardennes Énergie SA")
    admin = await isolated_world.factory.account("tenant_admin", tenant)
    user = await isolated_world.factory.account("tenant_user", tenant, locale="fr")
    services = await make_services(isolated_world.settings, isolated_world.storage, clock=clock)
    state = await services.workflows.create_workflow(
        admin.principal, market_role="GU", template_key=key
    )
    workflow_id = uuid.UUID(state.id)
    await services.workflows.execute(admin.principal, workflow_id, StartWorkflow())
    await services.work_queue.claim(admin.principal, workflow_id)  # tells nobody
    await services.work_queue.assign(admin.principal, workflow_id, user.user.id)

    with SmtpSink() as sink:
        worker = await make_worker(smtp_host=sink.host, smtp_port=sink.port)
        await worker.run_until_idle()
        mails = list(sink.messages)

    assert [m["To"].addresses[0].addr_spec for m in mails] == [user.user.email]
    [mail] = mails
    assert mail["Subject"] == "Assigné à vous : Demande de Ardennes Énergie SA"
    assert mail["Content-Language"] == "fr"
    assert f"({state.id}) pour Ardennes Énergie SA vous est assigné" in mail.get_content()
    async with isolated_world.storage.db.transaction(user.principal) as conn:
        inbox = await isolated_world.storage.notifications.for_user(
            conn, user.user.id, unread_only=True, limit=5
        )
    assert [(n.kind, n.locale, n.workflow_id) for n in inbox] == [
        ("STEP_ASSIGNED", "fr", workflow_id)
    ]
    async with isolated_world.storage.db.transaction(admin.principal) as conn:
        assert not await isolated_world.storage.notifications.for_user(
            conn, admin.user.id, unread_only=False, limit=5
        )


async def test_a_system_step_whose_runner_fails_waits_for_who_may_roll_it_back(
    isolated_world, make_worker, make_services, publish, clock
):
    async def refuse(request: Request):
        return JSONResponse({"error": "unknown participant"}, status_code=400)

    app = Starlette(routes=[Route("/register", refuse, methods=["POST"])])
    tenant = await isolated_world.factory.tenant()
    admin = await isolated_world.factory.account("tenant_admin", tenant)
    ops = await isolated_world.factory.account("market_ops")
    services = await make_services(isolated_world.settings, isolated_world.storage, clock=clock)
    async with serve_asgi(app) as base_url:
        call = step(
            "register",
            "api_call",
            config={"url": f"{base_url}/register", "timeoutSeconds": 2},
            retry={"max": 0, "backoff": "PT0.05S"},
        )
        key = await publish([form_step("apply"), call])
        state = await services.workflows.create_workflow(
            admin.principal, market_role="GU", template_key=key
        )
        workflow_id = uuid.UUID(state.id)
        await services.workflows.execute(admin.principal, workflow_id, StartWorkflow())
        await services.workflows.execute(admin.principal, workflow_id, ExecuteStep("apply", {}))
        worker = await make_worker()
        await worker.run_until_idle()

    state = (await services.workflows.load(ops.principal, workflow_id)).state
    assert state.status is WorkflowStatus.FAILED
    assert state.failure.step_id == "register"
    for person in (ops, admin):
        page = await services.work_queue.items(
            person.principal, WorkItemFilter(template_key=key), first=10
        )
        assert [(r.id, r.work_kind, r.work_step) for r in (item.row for item in page.items)] == [
            (workflow_id, "FAILURE", "register")
        ]
