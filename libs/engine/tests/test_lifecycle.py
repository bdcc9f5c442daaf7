"""The workflow lifecycle as pure functions: decide produces events, evolve folds them."""

import pytest
from engine_story import (
    ADMIN,
    COMPANY,
    CONTACTS,
    OPS,
    PARTICIPANT,
    STRANGER,
    TEMPLATE,
    TENANT,
    Story,
)

from wfm_engine import (
    ApproveWorkflow,
    CorruptEventLog,
    CreateWorkflow,
    EventType,
    ExecuteStep,
    RejectWorkflow,
    StartWorkflow,
    StepStatus,
    SubmitWorkflow,
    WorkflowAction,
    WorkflowStatus,
    allowed_actions,
    evolve,
    fold,
    parse_template,
)
from wfm_shared.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed


def to_submitted(story, mw=10):
    story.do(StartWorkflow())
    story.do(ExecuteStep("company", COMPANY))
    story.do(ExecuteStep("contacts", CONTACTS))
    story.do(ExecuteStep("capacity", {"mw": mw}))
    return story.do(SubmitWorkflow())


def test_happy_path_reaches_completed_and_the_log_folds_to_the_same_state(story):
    assert story.state.status is WorkflowStatus.DRAFT
    state = story.do(StartWorkflow())
    assert (state.status, state.current_step_id) == (WorkflowStatus.IN_PROGRESS, "company")
    assert story.do(ExecuteStep("company", COMPANY)).current_step_id == "contacts"
    state = story.do(ExecuteStep("contacts", CONTACTS))
    state = story.do(ExecuteStep("capacity", {"mw": 10}))
    assert (state.status, state.current_step_id) == (WorkflowStatus.AWAITING_VALIDATION, None)
    assert story.do(SubmitWorkflow()).status is WorkflowStatus.SUBMITTED
    state = story.do(ApproveWorkflow("welcome"), OPS)
    assert state.status is WorkflowStatus.COMPLETED
    assert state.approval is not None
    assert (state.approval.contract_reference or "").startswith("BRP-2026-")
    assert [e.seq for e in story.log] == list(range(1, 8))
    assert [e.type for e in story.log] == [
        EventType.WORKFLOW_CREATED,
        EventType.WORKFLOW_STARTED,
        EventType.STEP_COMPLETED,
        EventType.STEP_COMPLETED,
        EventType.STEP_COMPLETED,
        EventType.WORKFLOW_SUBMITTED,
        EventType.WORKFLOW_APPROVED,
    ]
    assert fold(story.log) == state


def test_form_data_violating_the_schema_is_refused_with_field_paths(story):
    story.do(StartWorkflow())
    with pytest.raises(ValidationFailed) as raised:
        story.decision(ExecuteStep("company", {"vatNumber": "BE0477472702", "x": 1}))
    assert {e.path for e in raised.value.errors} == {("vatNumber",), ("x",)}


def test_named_validator_runs_after_the_schema(story):
    story.do(StartWorkflow())
    story.do(ExecuteStep("company", COMPANY))
    with pytest.raises(ValidationFailed) as raised:
        story.decision(ExecuteStep("contacts", {"contacts": [{"role": "billing"}]}))
    assert raised.value.errors[0].path == ("contacts",)


def test_only_the_current_step_can_be_executed(story):
    story.do(StartWorkflow())
    with pytest.raises(InvalidTransition):
        story.decision(ExecuteStep("contacts", CONTACTS))
    with pytest.raises(InvalidTransition):
        story.decision(ExecuteStep("nowhere", {}))


def test_participants_cannot_approve_their_own_submission(story):
    to_submitted(story)
    with pytest.raises(Forbidden):
        story.decision(ApproveWorkflow(), PARTICIPANT)


def test_rejected_workflow_returns_to_in_progress_with_reason(story):
    to_submitted(story)
    state = story.do(RejectWorkflow("  EAN list incomplete "), OPS)
    assert state.status is WorkflowStatus.IN_PROGRESS
    assert state.current_step_id == "capacity"
    assert state.last_rejection is not None
    assert state.last_rejection.reason == "EAN list incomplete"
    assert state.step("capacity").status is StepStatus.ACTIVE
    assert state.step("capacity").data == {"mw": 10}  # kept so the form shows it again
    assert state.step("company").status is StepStatus.COMPLETED
    story.do(ExecuteStep("capacity", {"mw": 12}))
    assert story.do(SubmitWorkflow()).status is WorkflowStatus.SUBMITTED
    assert fold(story.log) == story.state


def test_rejection_needs_a_reason_and_a_completed_target(story):
    to_submitted(story)
    with pytest.raises(ValidationFailed):
        story.decision(RejectWorkflow("   "), OPS)
    with pytest.raises(ValidationFailed):
        story.decision(RejectWorkflow("why", to_step_id="unknown"), OPS)


def test_submission_validators_see_every_step_and_the_tenant(story):
    story.do(StartWorkflow())
    story.do(ExecuteStep("company", {"vatNumber": "BE0403170701"}))
    story.do(ExecuteStep("contacts", CONTACTS))
    story.do(ExecuteStep("capacity", {"mw": 1}))
    with pytest.raises(ValidationFailed) as raised:
        story.decision(SubmitWorkflow())
    assert raised.value.errors[0].path == ("company", "vatNumber")


def test_expected_version_mismatch_is_a_conflict(story):
    with pytest.raises(Conflict):
        story.decision(StartWorkflow(), expected_version=5)
    assert story.decision(StartWorkflow(), expected_version=1).events


def test_another_tenant_sees_nothing(story):
    with pytest.raises(NotFound):
        story.decision(StartWorkflow(), STRANGER)
    fresh = Story()
    with pytest.raises(Forbidden):
        fresh.do(CreateWorkflow("i", str(TENANT), "BRP", "t"), STRANGER)


def test_allowed_actions_depend_on_status_and_role(story):
    A = WorkflowAction
    assert allowed_actions(story.state, TEMPLATE, PARTICIPANT) == [A.START, A.CANCEL]
    assert allowed_actions(story.state, TEMPLATE, STRANGER) == []
    to_submitted(story)
    assert allowed_actions(story.state, TEMPLATE, PARTICIPANT) == [A.VALIDATE, A.CANCEL]
    assert allowed_actions(story.state, TEMPLATE, OPS) == [
        A.VALIDATE,
        A.APPROVE,
        A.REJECT,
        A.FAIL,
        A.CANCEL,
    ]


def test_a_gap_in_the_log_cannot_be_folded(story):
    story.do(StartWorkflow())
    with pytest.raises(CorruptEventLog):
        evolve(None, story.log[1])
    with pytest.raises(CorruptEventLog):
        fold([story.log[0], story.log[0]])


def test_create_for_a_role_the_template_is_not_for_is_refused():
    role_template = parse_template(
        {**TEMPLATE.definition(), "key": "brp-only", "marketRole": "BRP"}
    )
    with pytest.raises(ValidationFailed):
        Story(role_template).do(CreateWorkflow("i", str(TENANT), "BSP", "t"))


def test_created_event_records_what_triggered_it(story):
    assert story.log[0].data["trigger"] == {"type": "user", "userId": str(PARTICIPANT.user_id)}
    assert story.state.trigger["type"] == "user"


def test_a_young_workflow_holds_its_whole_log_and_an_old_document_holds_none(story):
    from dataclasses import replace

    state = story.do(StartWorkflow())
    assert state.recent_events == tuple(story.log)
    assert state.latest_events(5) == tuple(story.log)  # asked for 5, it has 2: all of them
    assert replace(state, recent_events=()).latest_events(1) is None
    assert replace(state, recent_events=tuple(story.log[:1])).latest_events(1) is None  # not tail


@pytest.mark.parametrize(
    "typed", ["BE0477472701", "be 0477.472.701", "BE-0477-472-701", "0477472701"]
)
def test_a_vat_number_is_stored_in_one_spelling_whatever_was_typed(story, typed):
    story.do(StartWorkflow())
    state = story.do(ExecuteStep("company", {"vatNumber": typed}))
    assert state.step("company").data == {"vatNumber": "BE0477472701"}
    assert story.log[-1].data["data"] == {"vatNumber": "BE0477472701"}


def test_an_invalid_vat_number_says_which_formats_are_accepted(story):
    story.do(StartWorkflow())
    with pytest.raises(ValidationFailed) as refused:
        story.decision(ExecuteStep("company", {"vatNumber": "BE 0477.472.702"}))
    (error,) = refused.value.errors
    assert error.path == ("vatNumber",)
    assert "BE and the 10 digits" in error.message
    assert "BE 0456.789.034" in error.message  # the example is itself a valid number


def test_an_sla_breach_lets_the_escalation_role_execute_the_step_until_it_is_done():
    from wfm_engine import RecordSlaBreach

    definition = TEMPLATE.definition()
    for step in definition["steps"]:
        if step["id"] == "company":
            step["roles"] = ["tenant_admin"]
            step["sla"] = {"duration": "P2D", "escalateTo": "market_ops"}
    story = Story(parse_template(definition))
    story.create(ADMIN)
    state = story.do(StartWorkflow(), ADMIN)
    with pytest.raises(Forbidden):
        story.decision(ExecuteStep("company", COMPANY), OPS)
    assert WorkflowAction.EXECUTE_STEP not in allowed_actions(state, story.template, OPS)
    assert state.activation is not None
    activation = state.activation.seq
    state = story.do(RecordSlaBreach("company", activation), OPS)
    assert WorkflowAction.EXECUTE_STEP in allowed_actions(state, story.template, OPS)
    with pytest.raises(Forbidden):  # the escalation adds a role, it takes none away...
        story.decision(ExecuteStep("company", COMPANY), PARTICIPANT)  # ...nor gives one
    state = story.do(ExecuteStep("company", COMPANY), OPS)
    assert state.step("company").completed_by == str(OPS.user_id)
    assert "company" not in state.assignments
    assert fold(story.log) == state


def test_a_step_the_workflow_went_past_shows_skipped_not_pending(story):
    from wfm_engine import shown_step_statuses

    state = story.do(StartWorkflow())
    assert shown_step_statuses(state, TEMPLATE)["review"] is StepStatus.PENDING  # may still come
    story.do(ExecuteStep("company", COMPANY))
    story.do(ExecuteStep("contacts", CONTACTS))
    state = story.do(ExecuteStep("capacity", {"mw": 10}))  # below 25 MW: no review
    assert state.status is WorkflowStatus.AWAITING_VALIDATION
    assert state.step("review").status is StepStatus.PENDING  # as stored
    assert shown_step_statuses(state, TEMPLATE)["review"] is StepStatus.SKIPPED
    assert shown_step_statuses(state, TEMPLATE)["capacity"] is StepStatus.COMPLETED
