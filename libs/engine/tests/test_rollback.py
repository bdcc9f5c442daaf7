"""Saga rollback in the engine: what to compensate, in which order, and the state restored."""

import pytest
from engine_story import COMPANY, CONTACTS, OPS, PARTICIPANT, TEMPLATE, Story

from wfm_engine import (
    CompensateStep,
    CompensationFailure,
    DecisionContext,
    EventType,
    ExecuteStep,
    FinishRollback,
    PauseWorkflow,
    ResumeWorkflow,
    StartWorkflow,
    StepStatus,
    WorkflowAction,
    WorkflowStatus,
    allowed_actions,
    fold,
    rebuild,
    rollback_plan,
)
from wfm_shared.errors import Forbidden, InvalidTransition, ValidationFailed


@pytest.fixture
def three_done(story):
    story.do(StartWorkflow())
    story.do(ExecuteStep("company", COMPANY))
    story.do(ExecuteStep("contacts", CONTACTS))
    story.do(ExecuteStep("capacity", {"mw": 40}))
    return story


def plan(story, to, principal=OPS):
    return rollback_plan(
        story.state, TEMPLATE, DecisionContext(principal=principal, now=story.now), to
    )


def test_steps_after_the_target_are_compensated_latest_first(three_done):
    assert plan(three_done, "company") == ["capacity", "contacts"]
    assert plan(three_done, "contacts") == ["capacity"]
    with pytest.raises(ValidationFailed):
        plan(three_done, "review")  # never completed
    with pytest.raises(Forbidden):
        plan(three_done, "company", PARTICIPANT)  # tenant users may not roll back


def test_rollback_restores_the_state_right_after_the_target_was_completed(three_done):
    story = three_done
    completed_company = next(e.seq for e in story.log if e.step_id == "company")
    story.do(CompensateStep("capacity", "company", {"discarded": True}), OPS)
    with pytest.raises(InvalidTransition):
        story.decision(FinishRollback("company", list(story.log)), OPS)  # contacts still to undo
    with pytest.raises(InvalidTransition):
        story.decision(ExecuteStep("review", {"decision": "approve"}), OPS)  # rollback under way
    story.do(CompensateStep("contacts", "company", {"discarded": True}), OPS)
    state = story.do(FinishRollback("company", list(story.log)), OPS)
    before = rebuild(story.log, completed_company)
    assert state.status is WorkflowStatus.IN_PROGRESS
    assert state.current_step_id == before.current_step_id == "contacts"
    assert state.step_states == before.step_states
    assert state.path == ("company",)
    assert state.pending_rollback is None
    assert [e.type for e in story.log[-3:]] == [
        EventType.STEP_COMPENSATED,
        EventType.STEP_COMPENSATED,
        EventType.WORKFLOW_ROLLED_BACK,
    ]
    assert fold(story.log) == state
    # and the workflow goes on from there
    assert story.do(ExecuteStep("contacts", CONTACTS)).current_step_id == "capacity"


def test_rollback_from_paused_ends_rolled_back_until_resumed(three_done):
    story = three_done
    story.do(PauseWorkflow())
    story.do(CompensateStep("capacity", "contacts", {}), OPS)
    state = story.do(FinishRollback("contacts", list(story.log)), OPS)
    assert state.status is WorkflowStatus.ROLLED_BACK
    assert allowed_actions(state, TEMPLATE, PARTICIPANT) == [
        WorkflowAction.RESUME,
        WorkflowAction.VALIDATE,
        WorkflowAction.CANCEL,
    ]
    state = story.do(ResumeWorkflow())
    assert (state.status, state.current_step_id) == (WorkflowStatus.IN_PROGRESS, "capacity")


def test_a_failed_compensation_fails_the_workflow_and_the_retry_continues(three_done):
    story = three_done
    story.do(CompensateStep("capacity", "company", {}), OPS)
    state = story.do(CompensationFailure("contacts", "company", "CRM did not answer"), OPS)
    assert state.status is WorkflowStatus.FAILED
    assert state.failure is not None
    assert state.failure.reason == "CRM did not answer"
    assert state.step("capacity").status is StepStatus.COMPENSATED
    assert state.step("contacts").status is StepStatus.COMPLETED
    assert allowed_actions(state, TEMPLATE, OPS) == [WorkflowAction.ROLLBACK, WorkflowAction.CANCEL]
    assert plan(story, "company") == ["contacts"]
    with pytest.raises(InvalidTransition):
        plan(story, "contacts")  # another target while this rollback is pending
    story.do(CompensateStep("contacts", "company", {}), OPS)
    state = story.do(FinishRollback("company", list(story.log)), OPS)
    assert (state.status, state.current_step_id) == (WorkflowStatus.IN_PROGRESS, "contacts")
    assert state.failure is None


def test_rollback_restores_variables_as_they_were():
    story = Story()
    story.create()
    story.do(StartWorkflow())
    story.do(ExecuteStep("company", COMPANY))
    assert story.state.variables == {}
    assert rebuild(story.log, 1).status is WorkflowStatus.DRAFT
    with pytest.raises(ValueError, match="outside"):
        rebuild(story.log, 9)


def test_the_state_keeps_the_latest_events_of_the_log_through_a_rollback(three_done):
    story = three_done
    story.do(CompensateStep("capacity", "company", {"discarded": True}), OPS)
    story.do(CompensateStep("contacts", "company", {"discarded": True}), OPS)
    state = story.do(FinishRollback("company", list(story.log)), OPS)
    # the restored state is an older one, but its recent events are the log's last ones
    assert state.recent_events == tuple(story.log[-5:])
    assert state.latest_events(3) == tuple(story.log[-3:])
    assert state.latest_events(50) is None  # more than it holds: read the log
    assert fold(story.log) == state
