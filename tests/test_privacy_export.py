"""A data subject's export, against a known history: a workflow whose contacts step names Lea
and Marc and holds a file Marc uploaded, Marc being a user of the tenant too. Marc's archive
holds exactly his own values (Lea's read [other subject]), the events and steps naming him,
his user account, its audit entries and the files; exporting is audited. Once Lea is
erased, her own archive reads [erased] where her values were."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from wfm_shared.personal_data import ERASED, OTHER_SUBJECT, subject_id_for
from wfm_shared.principal import system_principal
from wfm_storage.repositories.templates import TemplateRepository
from wfm_testing.templates import form_step, template
from wfm_workflows.extensions import load_catalog

CREATE = """mutation($key: String!) {
  createWorkflow(marketRole: GU, templateKey: $key) { id template { version } } }"""
START = "mutation($id: ID!) { startWorkflow(workflowId: $id) { status } }"
EXECUTE = """mutation($id: ID!, $step: String!, $data: JSON!) {
  executeStep(workflowId: $id, stepId: $step, data: $data) { status } }"""
EXPORT = "mutation($s: ID!) { exportDataSubject(subjectId: $s) }"
ERASE = """mutation($s: ID!, $r: String!) {
  eraseDataSubject(subjectId: $s, reason: $r) { keysErased } }"""
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def contacts_template() -> dict:
    """A company step (nothing personal but a director marked so), then contacts that take
    PDF attachments."""
    company = form_step(
        "company",
        schema={
            "type": "object",
            "properties": {
                "companyName": {"type": "string"},
                "director": {"type": "string", "personal": True},
            },
        },
    )
    contacts = form_step(
        "contacts",
        config={"attachments": {"contentTypes": ["application/pdf"], "maxBytes": 100_000}},
        schema={"type": "object", "properties": {"contacts": {"type": "array"}}},
    )
    return template([company, contacts], name="Contacts")


async def test_a_subjects_export_holds_exactly_what_is_held_about_them(
    gql, factory, owner_conn, storage
):
    definition = contacts_template()
    await TemplateRepository().save(
        owner_conn, load_catalog().registries.parse_template(definition)
    )
    tenant = await factory.tenant()
    tag = uuid.uuid4().hex[:8]
    lea_email, marc_email = f"lea.{tag}@example.test", f"marc.{tag}@example.test"
    marc = await factory.account("tenant_admin", tenant, email=marc_email, display_name="Marc")
    ops = await factory.account("market_ops")
    contacts = {
        "contacts": [
            {"name": "Lea Peeters", "email": lea_email, "role": "primary"},
            {"name": "Marc Dubois", "email": marc_email, "phone": "+32 2 555 01 02"},
        ]
    }
    created = (await gql(CREATE, {"key": definition["key"]}, token=marc.token)).ok()
    workflow_id = created["createWorkflow"]["id"]
    (await gql(START, {"id": workflow_id}, token=marc.token)).ok()
    company = {"companyName": "Ardenne Energie", "director": "Eva Claes"}
    variables = {"id": workflow_id, "step": "company", "data": company}
    (await gql(EXECUTE, variables, token=marc.token)).ok()
    uploaded = await gql.http.post(
        "/files",
        data={"workflowId": workflow_id, "stepId": "contacts"},
        files={"file": ("mandate.pdf", PDF, "application/pdf")},
        headers={"authorization": f"Bearer {marc.token}"},
    )
    assert uploaded.status_code == 201, uploaded.text
    file_id = uploaded.json()["id"]
    variables = {"id": workflow_id, "step": "contacts", "data": contacts}
    (await gql(EXECUTE, variables, token=marc.token)).ok()

    subject = subject_id_for(tenant.id, marc_email)
    before = datetime.now(UTC)
    archive = (await gql(EXPORT, {"s": str(subject)}, token=ops.token)).ok()["exportDataSubject"]

    # the known history, as the platform holds it
    system = system_principal()
    events = await storage.events.for_instance(system, workflow_id)
    state = await storage.documents.get(system, workflow_id)
    row = await owner_conn.fetchrow(
        "SELECT created_at FROM wfm.workflow_instances_index WHERE id = $1",
        uuid.UUID(workflow_id),
    )
    [completed] = [e for e in events if e.step_id == "contacts"]
    file_row = await owner_conn.fetchrow(
        "SELECT uploaded_at, sha256, size_bytes, status FROM wfm.files WHERE id = $1",
        uuid.UUID(file_id),
    )
    entries = await owner_conn.fetch(
        "SELECT id, occurred_at, action, outcome, target_type, target_id, client_address, "
        "details FROM wfm.audit_log WHERE actor_id = $1 ORDER BY occurred_at DESC, id DESC",
        marc.user.id,
    )
    as_marc_sees = {
        "contacts": [
            {"name": OTHER_SUBJECT, "email": OTHER_SUBJECT, "role": "primary"},
            {"name": "Marc Dubois", "email": marc_email, "phone": "+32 2 555 01 02"},
        ]
    }
    file_json = {
        "id": file_id,
        "workflowId": workflow_id,
        "stepId": "contacts",
        "name": "mandate.pdf",
        "contentType": "application/pdf",
        "size": file_row["size_bytes"],
        "sha256": file_row["sha256"],
        "status": file_row["status"],
        "uploadedBy": str(marc.user.id),
        "uploadedAt": file_row["uploaded_at"].isoformat(),
        "deletedAt": None,
    }
    assert archive == {
        "subjectId": str(subject),
        "tenantId": str(tenant.id),
        "generatedAt": archive["generatedAt"],
        "erasedAt": None,
        "emails": [marc_email],
        "workflows": [
            {
                "workflowId": workflow_id,
                "templateKey": definition["key"],
                "templateVersion": created["createWorkflow"]["template"]["version"],
                "marketRole": "GU",
                "status": "AWAITING_VALIDATION",
                "createdAt": row["created_at"].isoformat(),
                "erasedAt": None,
                "steps": [
                    {
                        "stepId": "contacts",
                        "status": "COMPLETED",
                        "completedAt": state.step("contacts").completed_at.isoformat(),
                        "data": as_marc_sees,
                    }
                ],
                "events": [
                    {
                        "seq": completed.seq,
                        "type": "STEP_COMPLETED",
                        "stepId": "contacts",
                        "occurredAt": completed.occurred_at.isoformat(),
                        "performedBy": str(marc.user.id),
                        "data": {"data": as_marc_sees, "variables": {}, "nextStepId": None},
                    }
                ],
            }
        ],
        "user": {
            "id": str(marc.user.id),
            "email": marc_email,
            "role": "tenant_admin",
            "status": "active",
            "displayName": "Marc",
            "createdAt": marc.user.created_at.isoformat(),
        },
        "auditEntries": [
            {
                "id": e["id"],
                "occurredAt": e["occurred_at"].isoformat(),
                "action": e["action"],
                "outcome": e["outcome"],
                "objectType": e["target_type"],
                "objectId": e["target_id"],
                "clientAddress": e["client_address"],
                "details": e["details"],
            }
            for e in entries
        ],
        "files": {"uploaded": [file_json], "attached": [file_json]},
    }
    assert before <= datetime.fromisoformat(archive["generatedAt"]) <= datetime.now(UTC)
    assert {e["action"] for e in archive["auditEntries"]} >= {"STEP_COMPLETED", "FILE_UPLOADED"}
    # nothing of Lea's, nor of the director (the workflow's own pseudo-subject)
    text = str(archive)
    assert "Lea" not in text
    assert lea_email not in text
    assert "Eva Claes" not in text

    # audited: who exported whom, never what
    exported = await owner_conn.fetch(
        "SELECT actor_id, tenant_id, details FROM wfm.audit_log "
        "WHERE action = 'privacy.subject_exported' AND target_id = $1",
        str(subject),
    )
    assert [(e["actor_id"], e["tenant_id"], e["details"]) for e in exported] == [
        (
            ops.user.id,
            tenant.id,
            {"subjectId": str(subject), "workflowIds": [workflow_id], "events": 1},
        )
    ]

    # Lea erased: her archive reads [erased] where her values were, and names no address
    lea = str(subject_id_for(tenant.id, lea_email))
    (await gql(ERASE, {"s": lea, "r": "asked to be forgotten"}, token=ops.token)).ok()
    erased = (await gql(EXPORT, {"s": lea}, token=ops.token)).ok()["exportDataSubject"]
    assert erased["erasedAt"] is not None
    assert erased["emails"] == []
    assert erased["user"] is None
    [workflow] = erased["workflows"]
    assert workflow["erasedAt"] == erased["erasedAt"]
    [step] = workflow["steps"]
    assert step["data"]["contacts"] == [
        {"name": ERASED, "email": ERASED, "role": "primary"},
        {"name": OTHER_SUBJECT, "email": OTHER_SUBJECT, "phone": OTHER_SUBJECT},
    ]
    # and Marc's archive is unchanged by it
    again = (await gql(EXPORT, {"s": str(subject)}, token=ops.token)).ok()["exportDataSubject"]
    assert again["workflows"] == archive["workflows"]
