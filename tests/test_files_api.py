"""Attachments end to end (`POST /files`, `GET /files/{id}`, `Workflow.files`, the documents
gate): a participant uploads the BRP's bank guarantee as a PDF and market operations
download it byte for byte; the type is read from the bytes, never from the name; a step's
size and type limits refuse a file with nothing left behind; another tenant's ids answer
exactly like unknown ones; files of a cancelled or rolled-back workflow stay readable; the
submission needs the required documents as clean files of the workflow itself."""

import hashlib
import io
import uuid
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from wfm_devkit.documents import pdf_document
from wfm_devkit.step_data import GUARANTEE_STEP, guarantee_copy, step_data, with_guarantee_copy
from wfm_shared.errors import Forbidden
from wfm_shared.principal import system_principal
from wfm_storage.repositories.templates import TemplateRepository
from wfm_testing.factories import Account
from wfm_testing.files import download_file, upload_file, uploaded_file_id
from wfm_testing.onboarding import EXECUTE, START, SUBMIT, complete_steps, drive
from wfm_testing.templates import form_step, template
from wfm_workflows.extensions import load_catalog

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
GUARANTEE = pdf_document("Bank guarantee KBC-GAR-2026-000042")
FILES = """query($id: ID!) { workflow(id: $id) { files {
  id workflowId stepId name contentType size sha256 status uploadedAt uploadedBy downloadUrl
} } }"""
ATTACHMENTS = """query { template(key: "contract-onboarding", marketRole: BRP) {
  steps { id attachments { contentTypes maxBytes } } } }"""
CREATE = """mutation($key: String!, $tenant: ID) {
  createWorkflow(marketRole: GU, templateKey: $key, tenantId: $tenant) { id } }"""
CANCEL = "mutation($id: ID!) { cancelWorkflow(workflowId: $id) { status } }"
ROLLBACK = """mutation($id: ID!, $to: String!) {
  rollbackWorkflow(workflowId: $id, toStepId: $to) { status currentStepId } }"""
AUDIT = """query($id: String!) { auditLog(filter: {objectId: $id}, first: 5) {
  nodes { action objectType details } } }"""
DOCUMENTS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["type", "fileId"],
        "properties": {
            "type": {"type": "string"},
            "fileId": {"type": "string", "format": "file-id"},
            "name": {"type": "string"},
        },
    },
}
SMALL = 300_000  # more than one chunk of 255 KiB: a refusal has chunks to take back


@dataclass
class World:
    a: dict[str, Account]  # "admin", "user"
    b: dict[str, Account]
    ops: Account
    tenant_a: object
    tenant_b: object
    key: str  # the template of this module's own steps (FILED_STEPS)


FILED_STEPS = [
    form_step("photos", config={"attachments": {"contentTypes": ["image/png"], "maxBytes": SMALL}}),
    form_step(
        "notes",
        config={"attachments": {"contentTypes": ["text/plain", "text/csv"], "maxBytes": SMALL}},
    ),
    form_step(
        "guarantee",
        config={
            "requiredDocuments": ["bank-guarantee"],
            "attachments": {"contentTypes": ["application/pdf"], "maxBytes": SMALL},
        },
        schema={"type": "object", "properties": {"documents": DOCUMENTS}},
    ),
    form_step(
        "signed",
        roles=["tenant_admin"],
        config={"attachments": {"contentTypes": ["application/pdf"], "maxBytes": SMALL}},
    ),
    form_step("plain"),
]


@pytest.fixture
async def world(factory, owner_conn):
    definition = template(
        FILED_STEPS, name="Files", submission={"gates": ["allRequiredDocumentsPresent"]}
    )
    await TemplateRepository().save(
        owner_conn, load_catalog().registries.parse_template(definition)
    )
    tenant_a, tenant_b = await factory.tenant(), await factory.tenant()
    people = {}
    for name, tenant in (("a", tenant_a), ("b", tenant_b)):
        people[name] = {
            "admin": await factory.account("tenant_admin", tenant),
            "user": await factory.account("tenant_user", tenant),
        }
    return World(
        people["a"],
        people["b"],
        await factory.account("market_ops"),
        tenant_a,
        tenant_b,
        definition["key"],
    )


async def filed_workflow(gql, world: World, account: Account) -> str:
    """A started workflow of FILED_STEPS, of the account's tenant."""
    created = await gql(CREATE, {"key": world.key}, token=account.token)
    workflow_id = created.ok()["createWorkflow"]["id"]
    (await gql(START, {"id": workflow_id}, token=account.token)).ok()
    return workflow_id


async def brp_onboarding(gql, world: World, until: str = "IN_PROGRESS") -> str:
    return await drive(gql, world.tenant_a, world.a["user"].token, until=until)


async def stored_chunks(storage) -> tuple[int, int]:
    """Files and chunks in MongoDB: what a refused upload must leave as it found."""
    db = storage.mongo.db
    return (
        await db["attachments.files"].count_documents({}),
        await db["attachments.chunks"].count_documents({}),
    )


def without_ids(body: dict) -> dict:
    """An error body with the ids it names left out (an unknown id is named as it was sent)."""
    error = body["errors"][0]
    return {"code": error["extensions"]["code"], "message": error["message"].split(" ")[0]}


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


# -- uploading and downloading ------------------------------------------------------------


async def test_a_participant_uploads_the_guarantee_and_market_ops_download_it_as_it_was(
    gql, world, owner_conn
):
    workflow_id = await brp_onboarding(gql, world)
    user = world.a["user"]
    answer = await upload_file(
        gql, user.token, workflow_id, GUARANTEE_STEP, "waarborg KBC €.pdf", GUARANTEE
    )
    assert answer.status_code == 201, answer.text
    uploaded = answer.json()
    assert uploaded == {
        "id": uploaded["id"],
        "name": "waarborg KBC €.pdf",
        "contentType": "application/pdf",
        "size": len(GUARANTEE),
        "sha256": hashlib.sha256(GUARANTEE).hexdigest(),
        "status": "unscanned",  # no scanner is configured
    }
    assert answer.headers["location"] == f"/files/{uploaded['id']}"
    for reader in (user, world.a["admin"], world.ops):
        download = await download_file(gql, reader.token, uploaded["id"])
        assert download.status_code == 200
        assert download.content == GUARANTEE
        assert download.headers["content-type"] == "application/pdf"
        assert download.headers["content-disposition"] == (
            "attachment; filename=\"waarborg KBC _.pdf\"; filename*=UTF-8''"
            + quote("waarborg KBC €.pdf", safe="")
        )
        assert download.headers["x-content-type-options"] == "nosniff"
        assert download.headers["cache-control"] == "private, no-store"
        assert download.headers["content-length"] == str(len(GUARANTEE))
    listed = (await gql(FILES, {"id": workflow_id}, token=world.ops.token)).ok()
    assert listed["workflow"]["files"] == [
        {
            "id": uploaded["id"],
            "workflowId": workflow_id,
            "stepId": GUARANTEE_STEP,
            "name": "waarborg KBC €.pdf",
            "contentType": "application/pdf",
            "size": len(GUARANTEE),
            "sha256": uploaded["sha256"],
            "status": "UNSCANNED",
            "uploadedAt": listed["workflow"]["files"][0]["uploadedAt"],
            "uploadedBy": str(user.user.id),
            "downloadUrl": f"/files/{uploaded['id']}",
        }
    ]
    # the audit trail keeps the fact, never the content
    audit = (await gql(AUDIT, {"id": uploaded["id"]}, token=world.ops.token)).ok()
    [entry] = audit["auditLog"]["nodes"]
    assert (entry["action"], entry["objectType"]) == ("FILE_UPLOADED", "file")
    assert entry["details"] == {
        "name": "waarborg KBC €.pdf",
        "contentType": "application/pdf",
        "size": len(GUARANTEE),
        "sha256": uploaded["sha256"],
        "workflowId": workflow_id,
        "stepId": GUARANTEE_STEP,
    }


async def test_the_steps_that_take_files_say_which_and_how_large(gql, world):
    steps = (await gql(ATTACHMENTS, token=world.a["user"].token)).ok()["template"]["steps"]
    attachments = {s["id"]: s["attachments"] for s in steps}
    assert attachments[GUARANTEE_STEP] == {
        "contentTypes": ["application/pdf"],
        "maxBytes": 10485760,
    }
    assert attachments["company-info"] is None


async def test_another_tenants_file_and_workflow_answer_404_exactly_like_unknown_ones(
    gql, world, storage
):
    workflow_id = await brp_onboarding(gql, world)
    file_id = await uploaded_file_id(
        gql, world.a["user"].token, workflow_id, GUARANTEE_STEP, "guarantee.pdf", GUARANTEE
    )
    stranger = world.b["admin"].token
    theirs = await download_file(gql, stranger, file_id)
    unknown = await download_file(gql, stranger, str(uuid.uuid4()))
    malformed = await download_file(gql, stranger, "not-an-id")
    assert theirs.status_code == unknown.status_code == malformed.status_code == 404
    assert (
        without_ids(theirs.json()) == without_ids(unknown.json()) == without_ids(malformed.json())
    )
    assert theirs.json()["errors"][0]["message"] == f"file {file_id} not found"
    before = await stored_chunks(storage)
    into_theirs = await upload_file(gql, stranger, workflow_id, GUARANTEE_STEP, "x.pdf", GUARANTEE)
    into_nothing = await upload_file(
        gql, stranger, str(uuid.uuid4()), GUARANTEE_STEP, "x.pdf", GUARANTEE
    )
    assert into_theirs.status_code == into_nothing.status_code == 404
    assert without_ids(into_theirs.json()) == without_ids(into_nothing.json())
    assert await stored_chunks(storage) == before
    # their own workflow's files never include it
    listed = await gql(FILES, {"id": workflow_id}, token=stranger)
    assert listed.codes == ["NOT_FOUND"]


async def test_without_a_token_nothing_is_read_or_stored(gql, world, storage):
    workflow_id = await brp_onboarding(gql, world)
    file_id = await uploaded_file_id(
        gql, world.a["user"].token, workflow_id, GUARANTEE_STEP, "guarantee.pdf", GUARANTEE
    )
    before = await stored_chunks(storage)
    anonymous = await upload_file(gql, None, workflow_id, GUARANTEE_STEP, "x.pdf", GUARANTEE)
    assert anonymous.status_code == 401
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert anonymous.headers["www-authenticate"] == "Bearer"
    forged = await download_file(gql, "not-a-token", file_id)
    assert (await download_file(gql, None, file_id)).status_code == forged.status_code == 401
    assert await stored_chunks(storage) == before


# -- limits: size and type, read from the bytes -------------------------------------------


async def test_a_file_larger_than_its_step_takes_is_refused_413_and_nothing_is_stored(
    gql, world, storage, owner_conn
):
    workflow_id = await filed_workflow(gql, world, world.a["user"])
    before = await stored_chunks(storage)
    too_large = pdf_document("guarantee") + b"%" * SMALL  # a PDF past the limit, by its bytes
    answer = await upload_file(
        gql, world.a["user"].token, workflow_id, "guarantee", "guarantee.pdf", too_large
    )
    assert answer.status_code == 413
    error = answer.json()["errors"][0]
    assert error["extensions"] == {"code": "PAYLOAD_TOO_LARGE", "maxBytes": SMALL}
    assert await stored_chunks(storage) == before
    rows = await owner_conn.fetchval(
        "SELECT count(*) FROM wfm.files WHERE workflow_id = $1", uuid.UUID(workflow_id)
    )
    assert rows == 0
    # exactly the limit is taken
    at_limit = too_large[:SMALL]
    taken = await upload_file(
        gql, world.a["user"].token, workflow_id, "guarantee", "guarantee.pdf", at_limit
    )
    assert (taken.status_code, taken.json()["size"]) == (201, SMALL)


async def test_a_body_past_the_platforms_cap_is_refused_before_it_is_read(gql, world, storage):
    workflow_id = await brp_onboarding(gql, world)
    before = await stored_chunks(storage)
    answer = await gql.http.post(
        "/files",
        content=b"x",
        headers={
            **world.a["user"].headers,
            "content-type": "multipart/form-data; boundary=b",
            "content-length": str(26 * 1024 * 1024 + 65 * 1024),
        },
    )
    assert answer.status_code == 413
    assert answer.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert await stored_chunks(storage) == before
    assert workflow_id


async def test_the_type_is_read_from_the_bytes_so_png_bytes_named_pdf_are_refused_415(
    gql, world, storage, owner_conn
):
    workflow_id = await brp_onboarding(gql, world)
    before = await stored_chunks(storage)
    answer = await upload_file(
        gql, world.a["user"].token, workflow_id, GUARANTEE_STEP, "guarantee.pdf", PNG
    )
    assert answer.status_code == 415
    assert answer.json()["errors"][0]["extensions"] == {
        "code": "UNSUPPORTED_MEDIA_TYPE",
        "contentType": "image/png",
        "allowed": ["application/pdf"],
    }
    text = await upload_file(
        gql, world.a["user"].token, workflow_id, GUARANTEE_STEP, "guarantee.pdf", b"%PDX not"
    )
    assert text.status_code == 415
    assert text.json()["errors"][0]["extensions"]["contentType"] == "text/plain"
    assert await stored_chunks(storage) == before
    assert not await owner_conn.fetchval(
        "SELECT count(*) FROM wfm.files WHERE workflow_id = $1", uuid.UUID(workflow_id)
    )


@pytest.mark.parametrize(
    ("step", "name", "content", "expected"),
    [
        ("photos", "holiday.pdf", PNG, "image/png"),
        ("notes", "meters.csv", b"ean;kwh\n541440000000000118;12\n", "text/csv"),
        ("notes", "meters.txt", "Énergie, 12 kWh\n".encode(), "text/plain"),
        ("notes", "notes", b"no extension at all", "text/plain"),
        ("signed", "contract.bin", pdf_document("signed"), "application/pdf"),
    ],
)
async def test_what_the_bytes_are_decides_the_type_whatever_the_name(
    gql, world, step, name, content, expected
):
    workflow_id = await filed_workflow(gql, world, world.a["admin"])
    answer = await upload_file(
        gql, world.a["admin"].token, workflow_id, step, name, content, declared_type="text/html"
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["contentType"] == expected
    served = await download_file(gql, world.a["admin"].token, answer.json()["id"])
    assert served.headers["content-type"].split(";")[0] == expected
    assert served.content == content


async def test_text_that_turns_binary_past_its_first_bytes_is_refused_and_not_kept(
    gql, world, storage
):
    workflow_id = await filed_workflow(gql, world, world.a["user"])
    before = await stored_chunks(storage)
    binary_tail = b"a,b\n" * 70_000 + b"\x00\xff"  # text for 280 kB: two chunks written
    answer = await upload_file(
        gql, world.a["user"].token, workflow_id, "notes", "data.csv", binary_tail
    )
    assert answer.status_code == 415
    assert answer.json()["errors"][0]["extensions"]["contentType"] == "application/octet-stream"
    assert await stored_chunks(storage) == before
    office = await upload_file(gql, world.a["user"].token, workflow_id, "notes", "x.csv", docx())
    assert office.status_code == 415
    assert office.json()["errors"][0]["extensions"]["contentType"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )


async def test_an_upload_says_what_is_missing_or_wrong_in_its_form(gql, world, storage):
    workflow_id = await brp_onboarding(gql, world)
    token = world.a["user"].token
    before = await stored_chunks(storage)

    async def refused(**parts) -> list:
        answer = await gql.http.post("/files", headers=world.a["user"].headers, **parts)
        assert answer.status_code == 422, answer.text
        error = answer.json()["errors"][0]
        assert error["extensions"]["code"] == "VALIDATION_FAILED"
        return [f["path"] for f in error["extensions"]["fields"]]

    pdf = {"file": ("g.pdf", GUARANTEE, "application/pdf")}
    assert await refused(files=pdf) == [["workflowId"], ["stepId"]]
    assert await refused(data={"workflowId": "nope", "stepId": "x"}, files=pdf) == [["workflowId"]]
    no_file = {"note": (None, b"the file is attached")}  # a form, but without its file
    assert await refused(
        data={"workflowId": workflow_id, "stepId": GUARANTEE_STEP}, files=no_file
    ) == [["file"]]
    # the step must be one of the workflow's that takes files
    for step in ("no-such-step", "company-info"):
        answer = await upload_file(gql, token, workflow_id, step, "g.pdf", GUARANTEE)
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["extensions"]["fields"][0]["path"] == ["stepId"]
    empty = await upload_file(gql, token, workflow_id, GUARANTEE_STEP, "g.pdf", b"")
    assert (empty.status_code, empty.json()["errors"][0]["message"]) == (422, "the file is empty")
    nameless = await upload_file(gql, token, workflow_id, GUARANTEE_STEP, "  ", GUARANTEE)
    assert nameless.status_code == 422
    # the fields come first: a file before them is refused, not stored
    fields_last = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="g.pdf"\r\n\r\n'
        + GUARANTEE
        + b'\r\n--b\r\nContent-Disposition: form-data; name="workflowId"\r\n\r\n'
        + workflow_id.encode()
        + b"\r\n--b--\r\n"
    )
    late = await gql.http.post(
        "/files",
        content=fields_last,
        headers={**world.a["user"].headers, "content-type": "multipart/form-data; boundary=b"},
    )
    assert late.status_code == 422
    not_a_form = await gql.http.post(
        "/files", json={"workflowId": workflow_id}, headers=world.a["user"].headers
    )
    assert not_a_form.status_code == 400
    assert not_a_form.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert await stored_chunks(storage) == before


async def test_a_step_only_administrators_execute_takes_their_files_alone(gql, world, owner_conn):
    workflow_id = await filed_workflow(gql, world, world.a["admin"])
    refused = await upload_file(
        gql, world.a["user"].token, workflow_id, "signed", "s.pdf", GUARANTEE
    )
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    audited = await owner_conn.fetchval(
        "SELECT count(*) FROM wfm.audit_log WHERE actor_id = $1 AND action = 'ACCESS_REFUSED' "
        "AND target_id = 'POST /files'",
        world.a["user"].user.id,
    )
    assert audited == 1
    taken = await upload_file(
        gql, world.a["admin"].token, workflow_id, "signed", "s.pdf", GUARANTEE
    )
    assert taken.status_code == 201


# -- the workflow's life --------------------------------------------------------------------


async def test_files_of_a_cancelled_or_rolled_back_workflow_stay_readable(gql, world):
    user = world.a["user"]
    cancelled = await brp_onboarding(gql, world)
    kept = await uploaded_file_id(
        gql, user.token, cancelled, GUARANTEE_STEP, "guarantee.pdf", GUARANTEE
    )
    (await gql(CANCEL, {"id": cancelled}, token=user.token)).ok()
    assert (await download_file(gql, world.ops.token, kept)).content == GUARANTEE
    refused = await upload_file(gql, user.token, cancelled, GUARANTEE_STEP, "g.pdf", GUARANTEE)
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["extensions"]["code"] == "INVALID_TRANSITION"

    rolled = await drive(gql, world.tenant_b, world.b["admin"].token, until="AWAITING_VALIDATION")
    files = (await gql(FILES, {"id": rolled}, token=world.b["admin"].token)).ok()
    [uploaded] = files["workflow"]["files"]
    rolled_back = await gql(
        ROLLBACK, {"id": rolled, "to": "balancing-perimeter"}, token=world.b["admin"].token
    )
    assert rolled_back.ok()["rollbackWorkflow"]["currentStepId"] == GUARANTEE_STEP
    download = await download_file(gql, world.b["admin"].token, uploaded["id"])
    assert (download.status_code, download.content) == (200, guarantee_copy())
    again = (await gql(FILES, {"id": rolled}, token=world.b["admin"].token)).ok()
    assert again["workflow"]["files"] == files["workflow"]["files"]


async def test_a_completed_workflow_takes_no_more_files(gql, world):
    completed = await drive(
        gql, world.tenant_a, world.a["admin"].token, until="COMPLETED", ops_token=world.ops.token
    )
    for account in (world.a["admin"], world.ops):
        refused = await upload_file(
            gql, account.token, completed, GUARANTEE_STEP, "g.pdf", GUARANTEE
        )
        assert refused.status_code == 409, refused.text
        assert refused.json()["errors"][0]["extensions"] == {
            "code": "INVALID_TRANSITION",
            "status": "COMPLETED",
            "action": "UPLOAD_FILE",
        }


# -- the documents gate -------------------------------------------------------------------


async def submit_with_guarantee(gql, factory, file_id: str | None) -> list:
    """A BRP onboarding of a tenant of its own, filled with `file_id` as the guarantee's copy
    (None: no copy), submitted: the gates that failed, with their reasons."""
    tenant = await factory.tenant()
    user = await factory.account("tenant_user", tenant)
    workflow_id = await drive(gql, tenant, user.token, until="IN_PROGRESS")
    book = step_data(tenant)
    documents = [] if file_id is None else with_guarantee_copy({}, file_id)["documents"]
    book[GUARANTEE_STEP] = {**book[GUARANTEE_STEP], "documents": documents}
    await complete_steps(gql, tenant, user.token, workflow_id, book)
    refused = await gql(SUBMIT, {"id": workflow_id}, token=user.token)
    if not refused.errors:
        return []
    assert refused.codes == ["GATE_FAILED"]
    failed: list = refused.errors[0]["extensions"]["failedGates"]
    return failed


async def test_the_submission_needs_the_guarantee_uploaded_to_the_workflow_itself(
    gql, world, factory
):
    missing = await submit_with_guarantee(gql, factory, None)
    assert missing == [
        {
            "gate": "allRequiredDocumentsPresent",
            "passed": False,
            "reason": "missing documents: financial-guarantee:bank-guarantee",
        }
    ]
    # a file of another workflow, another tenant's file, and an id no file has: one refusal,
    # word for word
    elsewhere = await brp_onboarding(gql, world)
    other_workflows = await uploaded_file_id(
        gql, world.a["user"].token, elsewhere, GUARANTEE_STEP, "g.pdf", GUARANTEE
    )
    tenant_b_workflow = await drive(gql, world.tenant_b, world.b["user"].token, until="IN_PROGRESS")
    other_tenants = await uploaded_file_id(
        gql, world.b["user"].token, tenant_b_workflow, GUARANTEE_STEP, "g.pdf", GUARANTEE
    )
    reasons = set()
    for file_id in (other_workflows, other_tenants, str(uuid.uuid4())):
        [failed] = await submit_with_guarantee(gql, factory, file_id)
        reasons.add(failed["reason"])
    assert reasons == {
        "financial-guarantee: the bank-guarantee file was not uploaded to this workflow: "
        "upload it again"
    }
    # its own upload passes (what `drive` does): submitted
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    workflow_id = await drive(gql, tenant, admin.token, until="SUBMITTED")
    status = await gql(
        "query($id: ID!) { workflow(id: $id) { status files { status } } }",
        {"id": workflow_id},
        token=world.ops.token,
    )
    assert status.ok()["workflow"] == {"status": "SUBMITTED", "files": [{"status": "UNSCANNED"}]}


async def test_a_document_of_a_type_its_step_does_not_take_fails_the_gate(gql, world):
    admin = world.a["admin"]
    workflow_id = await filed_workflow(gql, world, admin)
    photo = await uploaded_file_id(gql, admin.token, workflow_id, "photos", "p.png", PNG)
    data = {
        "photos": {},
        "notes": {},
        "guarantee": {"documents": [{"type": "bank-guarantee", "fileId": photo}]},
        "signed": {},
        "plain": {},
    }
    for step, values in data.items():
        executed = await gql(
            EXECUTE, {"id": workflow_id, "step": step, "data": values}, token=admin.token
        )
        executed.ok()
    refused = await gql(SUBMIT, {"id": workflow_id}, token=admin.token)
    assert refused.codes == ["GATE_FAILED"]
    assert refused.errors[0]["extensions"]["failedGates"][0]["reason"] == (
        "guarantee: the bank-guarantee file is image/png, which this step does not take "
        "(application/pdf)"
    )


async def test_a_document_that_names_no_uploaded_file_is_refused_by_the_steps_schema(gql, world):
    workflow_id = await drive(gql, world.tenant_a, world.a["user"].token, until="IN_PROGRESS")
    book = step_data(world.tenant_a)
    for step in ("company-info", "contacts", "balancing-perimeter"):
        variables = {"id": workflow_id, "step": step, "data": book[step]}
        (await gql(EXECUTE, variables, token=world.a["user"].token)).ok()
    named_only = {
        **book[GUARANTEE_STEP],
        "documents": [{"type": "bank-guarantee", "name": "guarantee.pdf"}],
    }
    variables = {"id": workflow_id, "step": GUARANTEE_STEP, "data": named_only}
    refused = await gql(EXECUTE, variables, token=world.a["user"].token)
    assert refused.codes == ["VALIDATION_FAILED"]
    assert refused.field_paths == [["documents", 0, "fileId"]]
    not_an_id = {**named_only, "documents": [{"type": "bank-guarantee", "fileId": "42"}]}
    variables["data"] = not_an_id
    refused = await gql(EXECUTE, variables, token=world.a["user"].token)
    assert refused.field_paths == [["documents", 0, "fileId"]]


# -- what retention and the export of a person's data use -----------------------------------


async def test_retention_deletes_a_workflows_files_and_keeps_the_fact(
    gql, world, services, storage
):
    workflow_id = await brp_onboarding(gql, world)
    user = world.a["user"]
    file_id = await uploaded_file_id(
        gql, user.token, workflow_id, GUARANTEE_STEP, "guarantee.pdf", GUARANTEE
    )
    uploaded = await services.files.for_uploader(
        world.ops.principal, world.tenant_a.id, user.user.id
    )
    assert [str(f.id) for f in uploaded] == [file_id]
    with pytest.raises(Forbidden):
        await services.files.delete_for_workflows(
            world.a["admin"].principal, [uuid.UUID(workflow_id)]
        )
    sweeper = system_principal()
    assert await services.files.delete_for_workflows(sweeper, [uuid.UUID(workflow_id)]) == 1
    assert await services.files.delete_for_workflows(sweeper, [uuid.UUID(workflow_id)]) == 0
    gone = await download_file(gql, world.ops.token, file_id)
    unknown = await download_file(gql, world.ops.token, str(uuid.uuid4()))
    assert gone.status_code == unknown.status_code == 404
    assert without_ids(gone.json()) == without_ids(unknown.json())
    assert await storage.mongo.db["attachments.chunks"].count_documents({"files_id": file_id}) == 0
    listed = (await gql(FILES, {"id": workflow_id}, token=world.ops.token)).ok()
    assert listed["workflow"]["files"] == []
    # the row stays, stamped: what is held of the file for an export
    [kept] = await services.files.for_workflows(world.ops.principal, [uuid.UUID(workflow_id)])
    assert (str(kept.id), kept.deleted_at is not None) == (file_id, True)


async def test_bytes_of_an_upload_a_crash_cut_short_are_deleted_once_it_is_old(
    gql, world, services, storage
):
    """A crash between the bytes and their row leaves bytes nobody can reach (and that may
    hold personal data): the worker's sweep deletes them once the upload is an hour old; a
    recorded file, and an upload still young enough to be under way, are left alone."""
    workflow_id = await brp_onboarding(gql, world)
    recorded = await uploaded_file_id(
        gql, world.a["user"].token, workflow_id, GUARANTEE_STEP, "guarantee.pdf", GUARANTEE
    )

    async def streamed() -> AsyncIterator[bytes]:
        yield GUARANTEE

    cut_short = uuid.uuid4()  # its bytes written, then the process died: no row
    await storage.file_bytes.write(cut_short, streamed(), tenant_id=world.tenant_a.id, name="g.pdf")
    db = storage.mongo.db
    now = datetime.now(UTC)

    assert await services.files.clear_abandoned_uploads(now) == 0  # may still be under way
    assert await db["attachments.files"].count_documents({"_id": str(cut_short)}) == 1
    assert await services.files.clear_abandoned_uploads(now + timedelta(hours=2)) == 1
    for collection, field in (("files", "_id"), ("chunks", "files_id"), ("uploads", "_id")):
        assert await db[f"attachments.{collection}"].count_documents({field: str(cut_short)}) == 0
    downloaded = await download_file(gql, world.a["user"].token, recorded)
    assert (downloaded.status_code, downloaded.content) == (200, GUARANTEE)
    assert await services.files.clear_abandoned_uploads(now + timedelta(hours=2)) == 0
