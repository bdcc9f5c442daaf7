"""Personal data, end to end: a contract onboarding's contacts are held in MongoDB as tokens
only (events and instance document alike), the API shows them in plaintext; erasing one
contact (market operations, with a reason) makes every copy of that person's values read
[erased] (the API, the log, the document, `stateAt` at every seq, a rebuild from the log),
leaves the other contact as it was and the workflow going on, and is audited without the
person's address. Tenants see none of it; market operations see every tenant's subjects."""

from __future__ import annotations

import json
import uuid

from bson import json_util

from wfm_shared.personal_data import ERASED, is_token, subject_id_for
from wfm_shared.principal import system_principal
from wfm_testing.onboarding import CREATE, EXECUTE, START, step_data

WORKFLOW = """query($id: ID!) { workflow(id: $id) { status version currentStepId
  state { steps { id data } }
  events(first: 50) { edges { node { seq type stepId data } } } } }"""
STATE_AT = """query($id: ID!, $seq: Int!) { workflow(id: $id) {
  stateAt(seq: $seq) { state { steps { id data } } } } }"""
SUBJECT = """query($t: ID!, $e: String!) {
  dataSubject(tenantId: $t, email: $e) { id tenantId workflows erasedAt } }"""
ERASE = """mutation($s: ID!, $r: String!) { eraseDataSubject(subjectId: $s, reason: $r) {
  subjectId tenantId keysErased alreadyErased workflowIds draftsDeleted erasedAt } }"""
EXPORT = "mutation($s: ID!) { exportDataSubject(subjectId: $s) }"
SAVE_DRAFT = """mutation($id: ID!, $step: String!, $data: JSON!) {
  saveStepDraft(workflowId: $id, stepId: $step, data: $data) { stepId } }"""
REASON = "the contact asked to be forgotten (ticket 4711)"


class People:
    """Two contacts with addresses of their own (users' addresses are unique platform-wide)."""

    def __init__(self) -> None:
        tag = uuid.uuid4().hex[:8]
        self.lea = f"lea.{tag}@example.test"
        self.marc = f"marc.{tag}@example.test"
        self.lea_phone = "+32 470 12 34 56"
        self.contacts = {
            "contacts": [
                {
                    "name": "Lea Peeters",
                    "email": self.lea,
                    "phone": self.lea_phone,
                    "role": "primary",
                    "language": "nl",
                },
                {"name": "Marc Dubois", "email": self.marc, "role": "technical"},
            ]
        }

    @property
    def plaintext(self) -> list[str]:
        return ["Lea Peeters", self.lea, self.lea_phone, "Marc Dubois", self.marc]


async def onboarding_through_contacts(gql, tenant, token, people, role="BRP") -> str:
    """A contract onboarding with its company and its two contacts done."""
    created = await gql(CREATE, {"role": role}, token=token)
    workflow_id = created.ok()["createWorkflow"]["id"]
    (await gql(START, {"id": workflow_id}, token=token)).ok()
    company = step_data(tenant, role=role)["company-info"]
    for step, data in (("company-info", company), ("contacts", people.contacts)):
        (await gql(EXECUTE, {"id": workflow_id, "step": step, "data": data}, token=token)).ok()
    return workflow_id


async def raw_storage(storage, workflow_id) -> tuple[list[dict], dict]:
    """The log and the document as MongoDB holds them, read past the sealing."""
    events = await storage.mongo.events.find({"workflowInstanceId": workflow_id}).to_list()
    document = await storage.mongo.instances.find_one({"_id": workflow_id})
    return sorted(events, key=lambda e: e["seq"]), document


def contacts_in(steps) -> list[dict]:
    return next(s["data"] for s in steps if s["id"] == "contacts")["contacts"]


def erased_lea() -> dict:
    return {"name": ERASED, "email": ERASED, "phone": ERASED, "role": "primary", "language": "nl"}


def marc(people) -> dict:
    return {"name": "Marc Dubois", "email": people.marc, "role": "technical"}


async def test_contacts_are_held_as_tokens_in_mongodb_and_shown_in_plaintext(gql, factory, storage):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    people = People()
    workflow_id = await onboarding_through_contacts(gql, tenant, admin.token, people)

    events, document = await raw_storage(storage, workflow_id)
    stored = json_util.dumps([events, document])
    for value in people.plaintext:
        assert value not in stored
    [stored_lea, stored_marc] = document["state"]["stepStates"]["contacts"]["data"]["contacts"]
    assert all(is_token(stored_lea[f]) for f in ("name", "email", "phone"))
    assert (stored_lea["role"], stored_lea["language"]) == ("primary", "nl")  # not personal
    assert is_token(stored_marc["name"])
    assert is_token(stored_marc["email"])
    # the recent events the document keeps are sealed too, as the log's
    completed = next(e for e in events if e["stepId"] == "contacts")
    assert is_token(completed["eventData"]["data"]["contacts"][1]["email"])
    # one key per person in the workflow, sealed: no key material in plaintext
    lea_subject, marc_subject = (
        subject_id_for(tenant.id, people.lea),
        subject_id_for(tenant.id, people.marc),
    )
    async with storage.db.transaction(system_principal()) as conn:
        held = await storage.subject_keys.for_instances(conn, [workflow_id])
    assert {k.subject_id for k in held} == {lea_subject, marc_subject}
    assert all(k.sealed_key and b"Lea" not in k.sealed_key for k in held)

    shown = (await gql(WORKFLOW, {"id": workflow_id}, token=admin.token)).ok()["workflow"]
    assert contacts_in(shown["state"]["steps"]) == people.contacts["contacts"]
    [event] = [e["node"] for e in shown["events"]["edges"] if e["node"]["stepId"] == "contacts"]
    assert event["data"]["data"] == people.contacts


async def test_erasing_a_contact_makes_every_copy_read_erased_and_leaves_the_other_intact(
    gql, factory, storage, services, owner_conn
):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    ops = await factory.account("market_ops")
    people = People()
    workflow_id = await onboarding_through_contacts(gql, tenant, admin.token, people)
    log_before, _ = await raw_storage(storage, workflow_id)

    found = await gql(SUBJECT, {"t": str(tenant.id), "e": people.lea.upper()}, token=ops.token)
    subject = found.ok()["dataSubject"]
    assert subject == {
        "id": str(subject_id_for(tenant.id, people.lea)),
        "tenantId": str(tenant.id),
        "workflows": 1,
        "erasedAt": None,
    }
    erased = await gql(ERASE, {"s": subject["id"], "r": REASON}, token=ops.token)
    report = erased.ok()["eraseDataSubject"]
    assert {k: v for k, v in report.items() if k != "erasedAt"} == {
        "subjectId": subject["id"],
        "tenantId": str(tenant.id),
        "keysErased": 1,
        "alreadyErased": False,
        "workflowIds": [workflow_id],
        "draftsDeleted": 0,
    }

    # the API: Lea's values read [erased], Marc's as they were, in the state and the log
    shown = (await gql(WORKFLOW, {"id": workflow_id}, token=admin.token)).ok()["workflow"]
    assert contacts_in(shown["state"]["steps"]) == [erased_lea(), marc(people)]
    [event] = [e["node"] for e in shown["events"]["edges"] if e["node"]["stepId"] == "contacts"]
    assert event["data"]["data"]["contacts"] == [erased_lea(), marc(people)]
    # stateAt, at every seq of the log
    for seq in range(1, shown["version"] + 1):
        past = await gql(STATE_AT, {"id": workflow_id, "seq": seq}, token=admin.token)
        steps = past.ok()["workflow"]["stateAt"]["state"]["steps"]
        data = next(s["data"] for s in steps if s["id"] == "contacts")
        assert data is None or data["contacts"] == [erased_lea(), marc(people)], seq
    # the log is as it was written: the same documents, byte for byte, none appended
    log_after, _ = await raw_storage(storage, workflow_id)
    assert log_after == log_before

    # a rebuild from the log (the reconciler, the document lost) reads the same
    await storage.mongo.instances.delete_one({"_id": workflow_id})
    async with storage.db.transaction(system_principal()) as conn:
        row = await storage.index.get(conn, uuid.UUID(workflow_id))
    await services.reconciler.reconcile_instance(row)
    rebuilt = await storage.documents.get(system_principal(), workflow_id)
    assert rebuilt.step("contacts").data["contacts"] == [erased_lea(), marc(people)]
    _, document = await raw_storage(storage, workflow_id)
    assert "Lea Peeters" not in json_util.dumps(document)

    # the workflow goes on: the next step completes, and the fold holds
    perimeter = step_data(tenant)["balancing-perimeter"]
    variables = {"id": workflow_id, "step": "balancing-perimeter", "data": perimeter}
    moved = (await gql(EXECUTE, variables, token=admin.token)).ok()["executeStep"]
    assert moved["currentStepId"] == "financial-guarantee"
    shown = (await gql(WORKFLOW, {"id": workflow_id}, token=admin.token)).ok()["workflow"]
    assert contacts_in(shown["state"]["steps"]) == [erased_lea(), marc(people)]
    _, document = await raw_storage(storage, workflow_id)
    stored = json_util.dumps(document)
    assert people.lea not in stored
    assert people.marc not in stored

    # audited once, by subject and workflow, with the reason and without the address
    entries = await owner_conn.fetch(
        "SELECT actor_id, tenant_id, target_type, target_id, details::text AS details "
        "FROM wfm.audit_log WHERE action = 'privacy.subject_erased' AND target_id = $1",
        subject["id"],
    )
    assert len(entries) == 1
    [entry] = entries
    assert (entry["actor_id"], entry["tenant_id"], entry["target_type"]) == (
        ops.user.id,
        tenant.id,
        "data_subject",
    )
    assert json.loads(entry["details"]) == {
        "subjectId": subject["id"],
        "keys": 1,
        "workflowIds": [workflow_id],
        "draftsDeleted": 0,
        "copiesScrubbed": {"webhookDeliveries": 0, "webhookAttempts": 0, "notifications": 0},
        "reason": REASON,
    }
    assert people.lea not in entry["details"]
    assert "Lea" not in entry["details"]

    # erasing again changes nothing, and says so
    again = (await gql(ERASE, {"s": subject["id"], "r": REASON}, token=ops.token)).ok()
    assert again["eraseDataSubject"]["alreadyErased"] is True
    assert again["eraseDataSubject"]["keysErased"] == 0
    assert again["eraseDataSubject"]["erasedAt"] == report["erasedAt"]
    count = await owner_conn.fetchval(
        "SELECT count(*) FROM wfm.audit_log WHERE action = 'privacy.subject_erased' "
        "AND target_id = $1",
        subject["id"],
    )
    assert count == 1
    looked_up = await gql(SUBJECT, {"t": str(tenant.id), "e": people.lea}, token=ops.token)
    assert looked_up.ok()["dataSubject"]["erasedAt"] == report["erasedAt"]


async def draft_contacts(gql, tenant, token, role, contacts) -> str:
    """Another onboarding of the tenant, its contacts saved as a draft, not completed."""
    workflow_id = (await gql(CREATE, {"role": role}, token=token)).ok()["createWorkflow"]["id"]
    (await gql(START, {"id": workflow_id}, token=token)).ok()
    company = step_data(tenant)["company-info"]
    variables = {"id": workflow_id, "step": "company-info", "data": company}
    (await gql(EXECUTE, variables, token=token)).ok()
    variables = {"id": workflow_id, "step": "contacts", "data": {"contacts": contacts}}
    (await gql(SAVE_DRAFT, variables, token=token)).ok()
    return workflow_id


async def test_erasure_deletes_the_drafts_naming_the_subject_and_keeps_the_others(
    gql, factory, owner_conn
):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    ops = await factory.account("market_ops")
    people = People()
    await onboarding_through_contacts(gql, tenant, admin.token, people)
    lea, marc = people.contacts["contacts"]
    naming_lea = await draft_contacts(gql, tenant, admin.token, "GU", [lea])
    naming_marc = await draft_contacts(gql, tenant, admin.token, "BSP", [marc])

    subject = str(subject_id_for(tenant.id, people.lea))
    report = (await gql(ERASE, {"s": subject, "r": REASON}, token=ops.token)).ok()
    assert report["eraseDataSubject"]["draftsDeleted"] == 1
    drafts = await owner_conn.fetch(
        "SELECT workflow_id, data FROM wfm.step_drafts WHERE workflow_id = ANY($1::uuid[])",
        [uuid.UUID(naming_lea), uuid.UUID(naming_marc)],
    )
    assert [(str(d["workflow_id"]), d["data"]) for d in drafts] == [
        (naming_marc, {"contacts": [marc]})
    ]


async def test_tenants_cannot_find_export_or_erase_subjects_and_market_ops_sees_every_tenant(
    gql, two_tenants, factory
):
    a, b = two_tenants["a"], two_tenants["b"]
    admin_a, admin_b = two_tenants["admin_a"], two_tenants["admin_b"]
    ops = await factory.account("market_ops")
    people = People()
    # the same two people are contacts of both tenants: a subject per tenant
    workflow_a = await onboarding_through_contacts(gql, a, admin_a.token, people)
    workflow_b = await onboarding_through_contacts(gql, b, admin_b.token, people)
    lea_a = str(subject_id_for(a.id, people.lea))
    lea_b = str(subject_id_for(b.id, people.lea))
    assert lea_a != lea_b
    unknown = str(uuid.uuid4())

    for token in (admin_b.token, admin_a.token, two_tenants["user_a"].token):
        for query, variables in (
            (SUBJECT, {"t": str(a.id), "e": people.lea}),
            (SUBJECT, {"t": str(b.id), "e": people.lea}),
            (EXPORT, {"s": lea_a}),
            (ERASE, {"s": lea_a, "r": REASON}),
        ):
            foreign = await gql(query, variables, token=token)
            stranger_variables = {**variables, "s": unknown} if "s" in variables else variables
            stranger = await gql(query, stranger_variables, token=token)
            assert foreign.codes == stranger.codes == ["FORBIDDEN"], foreign.errors
            assert foreign.errors[0]["message"] == stranger.errors[0]["message"]
            assert "lacks privacy.manage" in foreign.errors[0]["message"]
            assert foreign.data == stranger.data

    # market operations: an unknown subject is NOT_FOUND, a malformed id or reason refused
    missing = await gql(ERASE, {"s": unknown, "r": REASON}, token=ops.token)
    assert missing.codes == ["NOT_FOUND"]
    assert missing.errors[0]["message"] == f"data subject {unknown} not found"
    assert (await gql(EXPORT, {"s": unknown}, token=ops.token)).codes == ["NOT_FOUND"]
    malformed = await gql(ERASE, {"s": "not-an-id", "r": REASON}, token=ops.token)
    assert malformed.codes == ["VALIDATION_FAILED"]
    assert malformed.errors[0]["extensions"]["fields"][0]["path"] == ["subjectId"]
    for reason in ("", "   ", "x" * 501):
        refused = await gql(ERASE, {"s": lea_a, "r": reason}, token=ops.token)
        assert refused.codes == ["VALIDATION_FAILED"]
        assert refused.errors[0]["extensions"]["fields"][0]["path"] == ["reason"]
    bad_address = await gql(SUBJECT, {"t": str(a.id), "e": "nobody"}, token=ops.token)
    assert bad_address.codes == ["VALIDATION_FAILED"]
    assert (await gql(SUBJECT, {"t": unknown, "e": people.lea}, token=ops.token)).codes == [
        "NOT_FOUND"
    ]
    nobody = await gql(SUBJECT, {"t": str(a.id), "e": "nobody@example.test"}, token=ops.token)
    assert nobody.ok() == {"dataSubject": None}

    # nothing of that changed anything: both tenants' Lea are held
    for tenant, subject in ((a, lea_a), (b, lea_b)):
        found = await gql(SUBJECT, {"t": str(tenant.id), "e": people.lea}, token=ops.token)
        assert found.ok()["dataSubject"] == {
            "id": subject,
            "tenantId": str(tenant.id),
            "workflows": 1,
            "erasedAt": None,
        }
    # erasing tenant A's Lea leaves tenant B's
    (await gql(ERASE, {"s": lea_a, "r": REASON}, token=ops.token)).ok()
    shown_a = (await gql(WORKFLOW, {"id": workflow_a}, token=admin_a.token)).ok()["workflow"]
    shown_b = (await gql(WORKFLOW, {"id": workflow_b}, token=admin_b.token)).ok()["workflow"]
    assert contacts_in(shown_a["state"]["steps"])[0]["name"] == ERASED
    assert contacts_in(shown_b["state"]["steps"]) == people.contacts["contacts"]
