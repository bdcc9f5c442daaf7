"""Typed state and events: every event's payload reads back from its JSON form, the state's
typed fields from the document's `metadata`, one `is_current` says whether an activation
still runs, and `catch_up` brings a stored state up to the log."""

import pytest
from engine_story import (
    AUTOMATED,
    COMPANY,
    CONTACTS,
    OPS,
    OTHER_OPS,
    PARTICIPANT,
    POINTS,
    TEMPLATE,
    Story,
    answer,
)

from wfm_engine import (
    ApproveWorkflow,
    AssignWork,
    CancelWorkflow,
    CompensateStep,
    CompensationFailure,
    EventType,
    ExecuteStep,
    FailStep,
    FailWorkflow,
    FinishRollback,
    GateResult,
    PauseWorkflow,
    RecordIteration,
    RecordSlaBreach,
    RejectWorkflow,
    ReleaseWork,
    ResumeWorkflow,
    RetryWorkflow,
    StartWorkflow,
    SubmitWorkflow,
    WorkflowStatus,
    catch_up,
    fold,
    gate_failure,
    parse_template,
    rebuild,
)
from wfm_engine.events import PendingRollback, StepCompletedData, payload_from_json


def with_sla():
    definition = TEMPLATE.definition()
    for step in definition["steps"]:
        if step["id"] == "company":
            step["sla"] = {"duration": "P2D", "escalateTo": "market_ops"}
    return parse_template(definition)


def every_event_type():
    """Stories that, together, append an event of every type."""
    story = Story(with_sla())
    story.create()
    story.do(StartWorkflow())
    story.do(PauseWorkflow("waiting for the board"))
    story.do(ResumeWorkflow())
    story.do(AssignWork(PARTICIPANT))  # claimed
    story.do(ReleaseWork())
    story.do(RecordSlaBreach("company", story.state.activation.seq), OPS)
    story.do(ExecuteStep("company", COMPANY))
    story.do(ExecuteStep("contacts", CONTACTS))
    story.do(ExecuteStep("capacity", {"mw": 10}))
    story.do(SubmitWorkflow())
    decision = story.decision(ApproveWorkflow("fine"), OPS)
    refused = gate_failure(
        story.state, story.ctx(OPS), decision, [GateResult("fourEyes", False, "same person")]
    )
    story.log.append(refused)
    story.state = fold([refused], story.state)
    story.do(RejectWorkflow("EAN list incomplete", "contacts"), OPS)
    story.do(ExecuteStep("contacts", CONTACTS))
    story.do(ExecuteStep("capacity", {"mw": 10}))
    story.do(SubmitWorkflow())
    story.do(ApproveWorkflow("welcome"), OTHER_OPS)

    saga = Story()
    saga.create()
    saga.do(StartWorkflow())
    saga.do(ExecuteStep("company", COMPANY))
    saga.do(ExecuteStep("contacts", CONTACTS))
    saga.do(ExecuteStep("capacity", {"mw": 10}))
    saga.do(CompensationFailure("capacity", "company", "CRM did not answer"), OPS)
    saga.do(CompensateStep("capacity", "company", {"discarded": True}), OPS)
    saga.do(CompensateStep("contacts", "company", {"discarded": True}), OPS)
    saga.do(FinishRollback("company", list(saga.log)), OPS)
    saga.do(FailWorkflow("the registry is down"), OPS)

    cancelled = Story()
    cancelled.create()
    cancelled.do(StartWorkflow())
    cancelled.do(CancelWorkflow("no longer needed"))

    automated = Story(AUTOMATED)
    automated.create()
    automated.do(StartWorkflow())
    automated.do(ExecuteStep("apply", POINTS))
    automated.do(RecordIteration("register", 0, answer("R1")), OPS)
    automated.do(FailStep("register", "HTTP 503 Service Unavailable", 3), OPS)  # paused
    automated.do(ResumeWorkflow())
    automated.do(RecordIteration("register", 1, answer("R2")), OPS)
    results = [answer("R1"), answer("R2"), answer("R3")]
    automated.do(ExecuteStep("register", {"results": results}), OPS)
    automated.do(FailStep("lookup", "no response within 10 s", 2), OPS)  # goes on at manual
    automated.do(ExecuteStep("manual", {"company": "found by hand"}))
    automated.do(FailStep("notice", "HTTP 400 Bad Request", 1), OPS)  # fails the workflow
    automated.do(RetryWorkflow(), OPS)
    return [story, saga, cancelled, automated]


def test_every_event_type_has_a_payload_that_reads_back_from_its_json_form():
    stories = every_event_type()
    events = [event for story in stories for event in story.log]
    assert {e.type for e in events} == set(EventType)
    for event in events:
        assert payload_from_json(event.type, event.data) == event.payload


def test_the_typed_fields_read_back_from_the_documents_metadata():
    for story in every_event_type():
        for seq in range(1, len(story.log) + 1):
            state = rebuild(story.log, seq)
            assert state.with_metadata(state.metadata_json()) == state


def test_the_typed_fields_say_what_the_workflow_went_through():
    approved, saga, cancelled, _ = (story.state for story in every_event_type())
    assert approved.approval.comment == "welcome"
    assert approved.approval.contract_reference.startswith("BRP-")
    assert approved.last_rejection.reason == "EAN list incomplete"
    assert approved.last_gate_failure.failed_gates[0].gate == "fourEyes"
    assert [(b.step_id, b.escalate_to) for b in approved.sla_breaches] == [
        ("company", "market_ops")
    ]
    assert approved.assignments == {}  # the escalated step is done: the assignment lapsed
    assert approved.metadata_json()["assignments"] == {}  # as the stored documents say
    assert approved.submission.by == str(PARTICIPANT.user_id)
    assert saga.last_rollback.to_step_id == "company"
    assert saga.failure.reason == "the registry is down"
    assert saga.pending_rollback is None
    assert cancelled.cancellation.reason == "no longer needed"


def test_a_failed_compensation_keeps_the_rollback_pending_in_typed_form():
    story = Story()
    story.create()
    story.do(StartWorkflow())
    story.do(ExecuteStep("company", COMPANY))
    story.do(ExecuteStep("contacts", CONTACTS))
    state = story.do(CompensationFailure("contacts", "company", "CRM did not answer"), OPS)
    assert state.pending_rollback == PendingRollback("company", WorkflowStatus.IN_PROGRESS)
    assert (state.failure.reason, state.failure.step_id) == ("CRM did not answer", "contacts")


def test_a_step_activation_is_current_until_the_step_is_left_paused_or_entered_again():
    story = Story()
    story.create()
    started = story.do(StartWorkflow())
    seq = started.activation.seq
    assert started.is_current("company", seq)
    assert not started.is_current("company", seq - 1)
    assert not started.is_current("contacts", seq)
    paused = story.do(PauseWorkflow())
    assert not paused.is_current("company", seq)
    assert paused.running_activation == started.activation  # its timers stop, not end
    assert story.do(ResumeWorkflow()).is_current("company", seq)
    left = story.do(ExecuteStep("company", COMPANY))
    assert not left.is_current("company", seq)
    assert left.is_current("contacts", left.activation.seq)


def test_a_submission_is_current_until_it_is_decided_or_submitted_again():
    story = Story()
    story.create()
    story.do(StartWorkflow())
    story.do(ExecuteStep("company", COMPANY))
    story.do(ExecuteStep("contacts", CONTACTS))
    story.do(ExecuteStep("capacity", {"mw": 10}))
    submitted = story.do(SubmitWorkflow())
    first = submitted.submission.seq
    assert submitted.is_current(None, first)
    rejected = story.do(RejectWorkflow("again", "capacity"), OPS)
    assert not rejected.is_current(None, first)
    story.do(ExecuteStep("capacity", {"mw": 10}))
    again = story.do(SubmitWorkflow())
    assert not again.is_current(None, first)
    assert again.is_current(None, again.submission.seq)


@pytest.mark.parametrize("stored_at", [None, 1, 4, 7])
def test_catching_up_folds_only_the_events_past_the_stored_version(stored_at):
    story = Story()
    story.create()
    story.do(StartWorkflow())
    story.do(ExecuteStep("company", COMPANY))
    story.do(ExecuteStep("contacts", CONTACTS))
    story.do(PauseWorkflow())
    story.do(ResumeWorkflow())
    story.do(ExecuteStep("capacity", {"mw": 10}))
    stored = rebuild(story.log, stored_at) if stored_at else None
    assert catch_up(stored, story.log) == story.state
    assert catch_up(stored, story.log[stored_at or 0 :]) == story.state


def test_a_step_completion_is_built_and_read_as_a_typed_payload():
    story = Story()
    story.create()
    story.do(StartWorkflow())
    story.do(ExecuteStep("company", COMPANY))
    completed = story.log[-1].payload
    assert completed == StepCompletedData(data=COMPANY, variables={}, next_step_id="contacts")
    assert story.log[-1].data == {"data": COMPANY, "variables": {}, "nextStepId": "contacts"}
