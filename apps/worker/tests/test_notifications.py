"""A notification step sends e-mail through SMTP (a real local server) in each recipient's
language, and stores in-app notifications for users."""

import uuid

from wfm_engine import ExecuteStep, StartWorkflow, WorkflowStatus
from wfm_testing.peers import SmtpSink
from wfm_testing.templates import form_step

NOTIFY = {
    "id": "notify",
    "type": "notification",
    "title": {"en": "Notify", "fr": "Notifier", "nl": "Melden"},
    "config": {
        "to": ["contact:primary", "role:market_ops"],
        "subject": {
            "en": "Application of {tenant.companyName} received",
            "fr": "Demande de {tenant.companyName} reçue",
            "nl": "Aanvraag van {tenant.companyName} ontvangen",
        },
        "body": {
            "en": "We received the application {workflow.id}.",
            "fr": "Nous avons reçu la demande {workflow.id}.",
            "nl": "We ontvingen de aanvraag {workflow.id}.",
        },
    },
}
CONTACTS = form_step("contacts")


async def test_notification_reaches_each_recipient_in_their_language(
    isolated_world, make_worker, service, publish
):
    key = await publish([CONTACTS, NOTIFY])
    tenant = await isolated_world.factory.tenant(company_name="Ardennes Énergie SA")
    admin = await isolated_world.factory.account("tenant_admin", tenant)
    operator = await isolated_world.factory.account(
        "market_ops", locale="nl", display_name="Operator NL"
    )
    state = await service.create_workflow(admin.principal, market_role="BRP", template_key=key)
    workflow_id = uuid.UUID(state.id)
    await service.execute(admin.principal, workflow_id, StartWorkflow())
    contacts = {
        "contacts": [
            {
                "name": "Anne Lambert",
                "email": "anne@ardennes.example",
                "role": "primary",
                "language": "fr",
            }
        ]
    }
    await service.execute(admin.principal, workflow_id, ExecuteStep("contacts", contacts))

    with SmtpSink() as sink:
        worker = await make_worker(smtp_host=sink.host, smtp_port=sink.port)
        await worker.run_until_idle()
        mails = {m["To"].addresses[0].addr_spec: m for m in sink.messages}

    french = mails["anne@ardennes.example"]
    assert french["Subject"] == "Demande de Ardennes Énergie SA reçue"
    assert french["Content-Language"] == "fr"
    assert f"Nous avons reçu la demande {state.id}." in french.get_content()
    dutch = mails[operator.user.email]
    assert dutch["Subject"] == "Aanvraag van Ardennes Énergie SA ontvangen"
    state = (await service.load(admin.principal, workflow_id)).state
    assert state.status is WorkflowStatus.AWAITING_VALIDATION
    assert set(state.step("notify").data["deliveredTo"]) >= {
        "anne@ardennes.example",
        operator.user.email,
    }
    async with isolated_world.storage.db.transaction(operator.principal) as conn:
        inbox = await isolated_world.storage.notifications.for_user(
            conn, operator.user.id, unread_only=True, limit=10
        )
    assert [(n.subject, n.locale) for n in inbox] == [
        ("Aanvraag van Ardennes Énergie SA ontvangen", "nl")
    ]
