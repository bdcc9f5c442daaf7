"""The `allRequiredDocumentsPresent` gate on steps that take attachments, with plain data (the
engine does no I/O: the service hands it what it read of the files the data names): each
document must name a file of this very workflow, not deleted, scanned clean or taken
unscanned, of a type the step takes; the reasons say which and why."""

import dataclasses
import uuid
from datetime import UTC, datetime

import pytest

from wfm_engine import FileFacts, GateCheck, GateContext, InstanceState, WorkflowStatus
from wfm_engine.forms import FILE_ID_FORMAT, FormValidator, values_of_format
from wfm_engine.gates import GATES
from wfm_shared.principal import principal_for

TENANT = str(uuid.uuid4())
WORKFLOW = str(uuid.uuid4())
OPS = principal_for(uuid.uuid4(), None, "market_ops")  # sees every tenant's files
CHECK = GateCheck("allRequiredDocumentsPresent", "SUBMIT")
CONFIG = {
    "requiredDocuments": ["bank-guarantee"],
    "attachments": {"contentTypes": ["application/pdf"], "maxBytes": 1000},
}


def state() -> InstanceState:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    return InstanceState(
        id=WORKFLOW,
        tenant_id=TENANT,
        template_id=str(uuid.uuid4()),
        template_key="t",
        template_version=1,
        market_role="BRP",
        status=WorkflowStatus.AWAITING_VALIDATION,
        current_step_id=None,
        step_states={},
        variables={},
        version=5,
        created_by=str(uuid.uuid4()),
        created_at=now,
        updated_at=now,
    )


def a_file(**changes: object) -> FileFacts:
    facts = FileFacts(
        id=str(uuid.uuid4()),
        tenant_id=TENANT,
        workflow_id=WORKFLOW,
        step_id="guarantee",
        name="copy.pdf",
        content_type="application/pdf",
        status="clean",
    )
    return dataclasses.replace(facts, **changes)  # type: ignore[arg-type]


async def judged(documents: list[dict], *files: FileFacts, config: dict = CONFIG) -> str | None:
    """The gate's reason (None: passed)."""
    context = GateContext(
        CHECK,
        state(),
        OPS,
        {"guarantee": {"documents": documents}},
        {"guarantee": config},
        files={f.id: f for f in files},
    )
    result = await GATES.evaluate(context)
    assert result.passed is (result.reason is None)
    return result.reason


def copy(facts: FileFacts, kind: str = "bank-guarantee") -> dict:
    return {"type": kind, "fileId": facts.id}


@pytest.mark.parametrize("status", ["clean", "unscanned"])
async def test_a_clean_or_unscanned_pdf_of_the_workflow_is_the_document(status):
    facts = a_file(status=status)
    assert await judged([copy(facts)], facts) is None


@pytest.mark.parametrize(
    "stranger",
    [
        {"tenant_id": str(uuid.uuid4())},  # another tenant's (market operations see it)
        {"workflow_id": str(uuid.uuid4())},  # another workflow's
        {"deleted": True},
    ],
)
async def test_a_file_not_of_this_workflow_reads_like_no_file_at_all(stranger):
    facts = a_file(**stranger)
    unknown = await judged([{"type": "bank-guarantee", "fileId": str(uuid.uuid4())}])
    assert (
        await judged([copy(facts)], facts)
        == unknown
        == ("guarantee: the bank-guarantee file was not uploaded to this workflow: upload it again")
    )


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"status": "pending"}, "is still being scanned for viruses: try again shortly"),
        ({"status": "infected"}, "did not pass the virus scan: upload a clean copy"),
        (
            {"content_type": "image/png"},
            "is image/png, which this step does not take (application/pdf)",
        ),
    ],
)
async def test_a_file_pending_infected_or_of_another_type_says_why(changes, reason):
    facts = a_file(**changes)
    assert await judged([copy(facts)], facts) == f"guarantee: the bank-guarantee file {reason}"


async def test_every_document_named_is_judged_and_a_missing_one_is_named():
    amendment = a_file(status="pending")
    reason = await judged([copy(amendment, "guarantee-amendment")], amendment)
    assert reason == (
        "missing documents: guarantee:bank-guarantee; "
        "guarantee: the guarantee-amendment file is still being scanned for viruses: "
        "try again shortly"
    )


async def test_a_step_without_attachments_is_satisfied_by_documents_named_by_type():
    legacy = {"requiredDocuments": ["bank-guarantee"]}
    assert await judged([{"type": "bank-guarantee", "name": "copy.pdf"}], config=legacy) is None
    assert await judged([], config=legacy) == "missing documents: guarantee:bank-guarantee"


def test_file_ids_are_uuids_and_are_found_wherever_the_schema_puts_them():
    schema = {
        "type": "object",
        "properties": {
            "cover": {"type": "string", "format": FILE_ID_FORMAT},
            "documents": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"fileId": {"type": "string", "format": FILE_ID_FORMAT}},
                },
            },
            "note": {"type": "string"},
        },
    }
    one, two, three = (str(uuid.uuid4()) for _ in range(3))
    data = {"cover": one, "documents": [{"fileId": two}, {"fileId": three}], "note": "x"}
    assert list(values_of_format(schema, data, FILE_ID_FORMAT)) == [one, two, three]
    validator = FormValidator(schema)
    assert validator.errors(data) == []
    refused = validator.errors({"cover": "42", "documents": [{"fileId": one.upper()}]})
    assert [e.path for e in refused] == [("cover",), ("documents", 0, "fileId")]
