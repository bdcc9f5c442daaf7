"""Erasure reaches the copies PostgreSQL keeps of a person's values, end to end through
GraphQL, a worker and a real loopback webhook receiver: a contacts form followed by an in-app
notification naming the primary contact and a webhook step carrying the contacts, under a
webhook subscription to the workflow's events. Every message sent (its delivery kept for
replays, the receiver's answer quoted in the attempts) and the notification hold the
contact's name, e-mail and phone in plaintext. Erasing the contact makes them read
`[erased]` in every such row, and in what a replay sends; the other contact's values and the
rest of each row (that a message was sent, to whom, of which type) stay. The retention sweep
does the same for every person of a swept workflow. Another tenant's rows, naming a person of
the same name, are untouched."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from wfm_api.app import create_app
from wfm_shared.personal_data import ERASED, subject_id_for
from wfm_storage.repositories.templates import TemplateRepository
from wfm_testing.graphql import GraphQLClient
from wfm_testing.peers import serve_asgi
from wfm_testing.templates import contacts_step, step, template, unique_key
from wfm_testing.worker import drain
from wfm_workflows.extensions import load_catalog

SUBSCRIBE = """mutation($url: String!, $types: [String!]!) {
  createWebhookSubscription(url: $url, eventTypes: $types) { subscription { id } secret } }"""
CREATE = """mutation($key: String!) {
  createWorkflow(marketRole: GU, templateKey: $key) { id } }"""
START = "mutation($id: ID!) { startWorkflow(workflowId: $id) { status } }"
EXECUTE = """mutation($id: ID!, $data: JSON!) {
  executeStep(workflowId: $id, stepId: "contacts", data: $data) { status } }"""
CANCEL = "mutation($id: ID!) { cancelWorkflow(workflowId: $id) { status } }"
ERASE = """mutation($s: ID!, $r: String!) { eraseDataSubject(subjectId: $s, reason: $r) {
  keysErased copiesScrubbed } }"""
REPLAY = "mutation($id: ID!) { replayWebhookDelivery(id: $id) { id status } }"
REASON = "the contact asked to be forgotten (ticket 4712)"
AFTER_DAYS = 30


def contacts_template() -> dict[str, object]:
    """Contacts (personal: name, e-mail, phone), a notification naming the primary contact,
    a webhook message carrying the contacts and the primary's address; kept 30 days."""
    contacts = contacts_step()
    primary = "steps.contacts.contacts[0]"
    text = (
        f"Call {{{{ {primary}.name }}}} on {{{{ {primary}.phone }}}} or {{{{ {primary}.email }}}}"
        "; technical: {{ steps.contacts.contacts[1].name }}."
    )
    tell = step(
        "tell",
        "notification",
        config={
            "channel": "in_app",
            "to": ["role:tenant_admin"],
            "subject": {
                lang: f"New contact {{{{ {primary}.name }}}}" for lang in ("en", "fr", "nl")
            },
            "body": {lang: text for lang in ("en", "fr", "nl")},
        },
    )
    announce = step(
        "announce",
        "webhook",
        config={
            "eventType": "contacts.registered",
            "includeSteps": ["contacts"],
            "payload": {"primary": f"{{{{ {primary}.email }}}}", "grid": "ELIA"},
        },
    )
    return template(
        [contacts, tell, announce],
        key=unique_key("copies"),
        name="Contacts",
        retention={"afterDays": AFTER_DAYS},
    )


class People:
    """A tenant's two contacts; the same name and phone in every tenant, their own e-mails."""

    def __init__(self) -> None:
        tag = uuid.uuid4().hex[:8]
        self.lea = {
            "name": "Lea Peeters",
            "email": f"lea.{tag}@example.test",
            "phone": "+32 470 12 34 56",
            "role": "primary",
        }
        self.marc = {"name": "Marc Dubois", "email": f"marc.{tag}@example.test", "role": "tech"}

    @property
    def data(self) -> dict[str, object]:
        return {"contacts": [self.lea, self.marc]}


def receiver_app():
    """A careless webhook receiver: the first attempt at each message answers 422 quoting the
    message (the platform records the answer's excerpt), every later one 204; it keeps every
    message it received."""
    messages: list[dict] = []
    seen: set[str] = set()

    async def hook(request: Request) -> Response:
        body = await request.body()
        messages.append(json.loads(body))
        message_id = request.headers["webhook-id"]
        if message_id not in seen:
            seen.add(message_id)
            return Response(b"rejected: " + body, status_code=422)
        return Response(status_code=204)

    return Starlette(routes=[Route("/hooks", hook, methods=["POST"])]), messages


@pytest.fixture(scope="module")
async def api(isolated_world):
    app = create_app(isolated_world.settings, storage=isolated_world.storage)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            yield GraphQLClient(http), app.state.services


@pytest.fixture(scope="module")
async def key(isolated_world):
    definition = contacts_template()
    registries = load_catalog().registries
    await TemplateRepository().save(isolated_world.owner, registries.parse_template(definition))
    return definition["key"]


async def contacts_told_and_sent(gql, isolated_world, key, receiver_url):
    """A tenant with an administrator subscribed to every message, and a workflow whose
    contacts were told (the notification) and sent (the webhook messages)."""
    tenant = await isolated_world.factory.tenant()
    admin = await isolated_world.factory.account("tenant_admin", tenant)
    people = People()
    subscribe = {"url": f"{receiver_url}/hooks", "types": ["*"]}
    (await gql(SUBSCRIBE, subscribe, token=admin.token)).ok()
    workflow_id = (await gql(CREATE, {"key": key}, token=admin.token)).ok()["createWorkflow"]["id"]
    (await gql(START, {"id": workflow_id}, token=admin.token)).ok()
    (await gql(EXECUTE, {"id": workflow_id, "data": people.data}, token=admin.token)).ok()
    return tenant, admin, people, workflow_id


async def copies_of(owner, tenant_id, workflow_id) -> dict[str, list[dict]]:
    """The tenant's delivery, attempt and notification rows, as PostgreSQL holds them."""
    deliveries = await owner.fetch(
        "SELECT id, message_id, event_type, payload, status, last_error FROM wfm.webhook_deliveries"
        " WHERE tenant_id = $1 ORDER BY created_at, id",
        tenant_id,
    )
    attempts = await owner.fetch(
        "SELECT a.delivery_id, a.attempt, a.status_code, a.error FROM wfm.webhook_attempts a"
        " WHERE a.tenant_id = $1 ORDER BY a.id",
        tenant_id,
    )
    notifications = await owner.fetch(
        "SELECT user_id, kind, subject, body FROM wfm.notifications"
        " WHERE workflow_id = $1 ORDER BY created_at, id",
        uuid.UUID(workflow_id),
    )
    return {
        "deliveries": [dict(r) for r in deliveries],
        "attempts": [dict(r) for r in attempts],
        "notifications": [dict(r) for r in notifications],
    }


def text_of(rows) -> str:
    return json.dumps(rows, default=str, ensure_ascii=False)


def shape(rows: dict[str, list[dict]]) -> list[tuple]:
    """What stays of each row whatever erasure does: which messages and notifications."""
    return [
        *((d["message_id"], d["event_type"], d["status"]) for d in rows["deliveries"]),
        *((a["attempt"], a["status_code"]) for a in rows["attempts"]),
        *((n["user_id"], n["kind"]) for n in rows["notifications"]),
    ]


def announced(rows) -> dict:
    [delivery] = [d for d in rows["deliveries"] if d["event_type"] == "contacts.registered"]
    return delivery


async def test_erasing_a_contact_scrubs_deliveries_attempts_notifications_and_replays(
    api, key, worker, isolated_world
):
    gql, _ = api
    owner = isolated_world.owner
    ops = await isolated_world.factory.account("market_ops")
    receiver, messages = receiver_app()
    async with serve_asgi(receiver) as receiver_url:
        tenant, _, people, workflow_id = await contacts_told_and_sent(
            gql, isolated_world, key, receiver_url
        )
        other, _, other_people, other_workflow = await contacts_told_and_sent(
            gql, isolated_world, key, receiver_url
        )
        await drain(worker)

        before = await copies_of(owner, tenant.id, workflow_id)
        other_before = await copies_of(owner, other.id, other_workflow)
        # the copies hold Lea's values in plaintext: in the messages, the receiver's answers
        # quoted in the attempts, the notification
        assert people.lea["email"] in text_of(before["deliveries"])
        assert people.lea["email"] in text_of(before["attempts"])
        [told] = before["notifications"]
        assert told["subject"] == "New contact Lea Peeters"
        assert told["body"] == (
            f"Call Lea Peeters on +32 470 12 34 56 or {people.lea['email']}; "
            "technical: Marc Dubois."
        )
        assert announced(before)["payload"]["data"]["payload"] == {
            "primary": people.lea["email"],
            "grid": "ELIA",
        }

        subject = str(subject_id_for(tenant.id, people.lea["email"]))
        report = (await gql(ERASE, {"s": subject, "r": REASON}, token=ops.token)).ok()
        after = await copies_of(owner, tenant.id, workflow_id)

        # Lea's values are nowhere in the tenant's copies; what was sent, and to whom, stays
        stored = text_of(after)
        for value in (people.lea["name"], people.lea["email"], people.lea["phone"]):
            assert value not in stored, value
        assert shape(after) == shape(before)
        assert report["eraseDataSubject"] == {
            "keysErased": 1,
            "copiesScrubbed": sum(
                1
                for table in ("deliveries", "attempts", "notifications")
                for old, new in zip(before[table], after[table], strict=True)
                if old != new
            ),
        }
        [told] = after["notifications"]
        assert told["subject"] == f"New contact {ERASED}"
        assert told["body"] == f"Call {ERASED} on {ERASED} or {ERASED}; technical: Marc Dubois."
        # a string that was a value reads [erased]; Marc's values and the rest as they were
        message = announced(after)["payload"]["data"]
        assert message["payload"] == {"primary": ERASED, "grid": "ELIA"}
        assert message["steps"]["contacts"]["contacts"] == [
            {"name": ERASED, "email": ERASED, "phone": ERASED, "role": "primary"},
            people.marc,
        ]
        assert message["workflowId"] == workflow_id
        [completed] = [
            d["payload"]["data"]
            for d in after["deliveries"]
            if d["payload"]["data"].get("stepId") == "contacts"
        ]
        assert completed["eventType"] == "STEP_COMPLETED"
        assert completed["data"]["data"]["contacts"][1] == people.marc
        assert any(ERASED in (a["error"] or "") for a in after["attempts"])
        # the other tenant's rows, naming a Lea Peeters of their own, untouched
        assert await copies_of(owner, other.id, other_workflow) == other_before
        assert "Lea Peeters" in text_of(other_before["notifications"])

        # a replay sends the message as it is kept now
        received = len(messages)
        delivery_id = str(announced(after)["id"])
        (await gql(REPLAY, {"id": delivery_id}, token=ops.token)).ok()
        await drain(worker)
    replayed = messages[received:]
    assert replayed, "the replay sent nothing"
    for sent in replayed:
        assert sent["data"]["payload"] == {"primary": ERASED, "grid": "ELIA"}
        assert people.lea["email"] not in json.dumps(sent)
        assert people.marc["email"] in json.dumps(sent)

    # audited with the counts, never a value
    details = await owner.fetchval(
        "SELECT details::text FROM wfm.audit_log WHERE action = 'privacy.subject_erased' "
        "AND target_id = $1",
        subject,
    )
    counts = json.loads(details)["copiesScrubbed"]
    assert counts["notifications"] == 1
    assert counts["webhookDeliveries"] >= 2
    assert sum(counts.values()) == report["eraseDataSubject"]["copiesScrubbed"]
    assert "Lea" not in details
    assert people.lea["email"] not in details
    assert other_people.lea["email"] not in details


async def test_the_retention_sweep_scrubs_every_contact_of_a_swept_workflow_from_its_copies(
    api, key, worker, isolated_world
):
    gql, services = api
    owner = isolated_world.owner
    receiver, _ = receiver_app()
    async with serve_asgi(receiver) as receiver_url:
        tenant, admin, people, workflow_id = await contacts_told_and_sent(
            gql, isolated_world, key, receiver_url
        )
        # another tenant's workflow of the same template, still running: not swept
        other, _, _, other_workflow = await contacts_told_and_sent(
            gql, isolated_world, key, receiver_url
        )
        await drain(worker)
        (await gql(CANCEL, {"id": workflow_id}, token=admin.token)).ok()
        await drain(worker)

    before = await copies_of(owner, tenant.id, workflow_id)
    other_before = await copies_of(owner, other.id, other_workflow)
    assert "Marc Dubois" in text_of(before)

    later = services.clock.now() + timedelta(days=AFTER_DAYS + 1)
    preview = await services.retention.sweep(later, dry_run=True)
    report = await services.retention.sweep(later)
    [swept] = [w for w in report.workflows if str(w.workflow_id) == workflow_id]
    [previewed] = [w for w in preview.workflows if str(w.workflow_id) == workflow_id]
    assert swept.copies_scrubbed == previewed.copies_scrubbed > 0

    after = await copies_of(owner, tenant.id, workflow_id)
    stored = text_of(after)
    for person in (people.lea, people.marc):
        for field in ("name", "email", "phone"):
            if field in person:
                assert person[field] not in stored, person[field]
    assert shape(after) == shape(before)
    [told] = after["notifications"]
    assert told["body"] == f"Call {ERASED} on {ERASED} or {ERASED}; technical: {ERASED}."
    assert announced(after)["payload"]["data"]["payload"] == {"primary": ERASED, "grid": "ELIA"}
    assert await copies_of(owner, other.id, other_workflow) == other_before

    entry = await owner.fetchval(
        "SELECT details::text FROM wfm.audit_log WHERE action = 'privacy.retention_swept' "
        "AND details::text LIKE '%' || $1 || '%'",
        workflow_id,
    )
    [audited] = [w for w in json.loads(entry)["workflows"] if w["workflowId"] == workflow_id]
    assert audited["copiesScrubbed"] == swept.copies_scrubbed
    assert "Lea" not in entry
