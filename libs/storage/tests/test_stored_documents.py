"""Instance documents and event logs as MongoDB holds them, copied from a run of the code
before payloads and state were typed (data/stored_workflows.json: an onboarding through a
pause, an SLA breach, a refused gate, a rejection and an approval; a saga whose first
rollback failed; a cancelled and a failed workflow). They load unchanged: each log folds
to its document, and both write back exactly as they were read."""

import json
import uuid
from datetime import UTC
from pathlib import Path

import pytest
from bson import json_util
from bson.json_util import JSONOptions

from wfm_engine import EventType, WorkflowStatus, catch_up, fold
from wfm_shared.principal import system_principal
from wfm_storage.documents import (
    document_to_event,
    document_to_state,
    event_to_document,
    state_to_document,
)

STORED = Path(__file__).parent / "data" / "stored_workflows.json"
READ = JSONOptions(tz_aware=True, tzinfo=UTC)


def stored_workflows(fresh_ids=False):
    """[{document, events}] as read from MongoDB; with fresh instance ids on request."""
    text = STORED.read_text()
    if fresh_ids:
        for workflow in json.loads(text):
            text = text.replace(workflow["document"]["_id"], str(uuid.uuid4()))
    return json_util.loads(text, json_options=READ)


@pytest.fixture
async def stored(storage):
    """The stored workflows, written into the database as they were found."""
    workflows = stored_workflows(fresh_ids=True)
    for workflow in workflows:
        await storage.mongo.events.insert_many(workflow["events"])
        await storage.mongo.instances.insert_one(workflow["document"])
    return workflows


async def test_stored_event_logs_fold_to_their_stored_documents(storage, stored):
    system = system_principal()
    for workflow in stored:
        instance_id = workflow["document"]["_id"]
        events = await storage.events.for_instance(system, instance_id)
        document = await storage.documents.get(system, instance_id)
        assert len(events) == len(workflow["events"])
        assert fold(events) == document
        assert catch_up(document, events) == document


def test_stored_events_and_documents_write_back_exactly_as_they_were_read():
    for workflow in stored_workflows():
        for event in workflow["events"]:
            assert event_to_document(document_to_event(event)) == event
        assert state_to_document(document_to_state(workflow["document"])) == workflow["document"]


def test_the_stored_metadata_reads_as_the_typed_fields_of_the_state():
    onboarding, saga, cancelled, failed = (
        document_to_state(w["document"]) for w in stored_workflows()
    )
    metadata = stored_workflows()[0]["document"]["state"]["metadata"]
    assert onboarding.status is WorkflowStatus.COMPLETED
    assert onboarding.approval.contract_reference == metadata["contractReference"]
    assert onboarding.approval.comment == "welcome"
    assert onboarding.submission.seq == metadata["submittedSeq"] == 14
    assert onboarding.last_rejection.reason == "missing page"
    assert onboarding.last_gate_failure.failed_gates[0].gate == "allRequiredDocumentsPresent"
    assert [(b.step_id, b.escalate_to) for b in onboarding.sla_breaches] == [
        ("company", "market_ops")
    ]
    assert onboarding.config.settings == {"companySla": "PT2H"}
    assert onboarding.path == ("company", "documents", "review")
    assert (onboarding.activation.step_id, onboarding.activation.seq) == ("review", 12)

    assert saga.status is WorkflowStatus.IN_PROGRESS
    assert (saga.last_rollback.to_step_id, saga.last_rollback.restored_seq) == ("apply", 3)
    assert saga.pending_rollback is None
    assert saga.failure is None
    assert saga.is_current("crm", saga.activation.seq)

    assert cancelled.cancellation.reason == "no longer needed"
    assert cancelled.pause.reason is None
    assert failed.failure.reason == "the registry is down"


def test_the_stored_event_data_reads_as_typed_payloads():
    onboarding, saga, _, _ = (
        [document_to_event(e) for e in w["events"]] for w in stored_workflows()
    )
    breach = next(e for e in onboarding if e.type is EventType.STEP_SLA_BREACHED).payload
    # the SLA as the instance's pinned settings made it (the template says PT1H)
    assert (breach.activation_seq, breach.duration, breach.escalate_to) == (2, "PT2H", "market_ops")
    failure = next(e for e in saga if e.type is EventType.WORKFLOW_FAILED).payload
    assert failure.rollback.to_step_id == "apply"
    assert failure.step_id == "bank"
    rolled_back = saga[-1].payload
    assert rolled_back.snapshot.path == ("apply",)
    assert rolled_back.snapshot.step_states["apply"].data == {"company": "Acme"}
