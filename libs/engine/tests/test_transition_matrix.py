"""Every status x every command: allowed (with the event it records) or INVALID_TRANSITION.
The table below is the specification; the engine's own tables are not consulted."""

import pytest
from engine_story import COMPANY, CONTACTS, OPS, TEMPLATE, TENANT_CONTEXT, Story

from wfm_engine import (
    ApproveWorkflow,
    CancelWorkflow,
    CompensateStep,
    DecisionContext,
    EventType,
    ExecuteStep,
    FailWorkflow,
    FinishRollback,
    PauseWorkflow,
    RejectWorkflow,
    ResumeWorkflow,
    RetryWorkflow,
    StartWorkflow,
    SubmitWorkflow,
    WorkflowAction,
    WorkflowStatus,
    allowed_actions,
    rollback_plan,
    validation_report,
)
from wfm_shared.errors import InvalidTransition

S, A = WorkflowStatus, WorkflowAction

ALLOWED = {
    S.DRAFT: {A.START, A.FAIL, A.CANCEL},
    S.IN_PROGRESS: {A.PAUSE, A.EXECUTE_STEP, A.VALIDATE, A.ROLLBACK, A.FAIL, A.CANCEL},
    S.PAUSED: {A.RESUME, A.VALIDATE, A.ROLLBACK, A.FAIL, A.CANCEL},
    S.AWAITING_VALIDATION: {A.VALIDATE, A.SUBMIT, A.ROLLBACK, A.FAIL, A.CANCEL},
    S.SUBMITTED: {A.VALIDATE, A.APPROVE, A.REJECT, A.FAIL, A.CANCEL},
    S.COMPLETED: set(),
    S.ROLLED_BACK: {A.RESUME, A.VALIDATE, A.FAIL, A.CANCEL},
    S.FAILED: {A.CANCEL, A.RETRY},
    S.CANCELLED: set(),
}

RECORDS = {
    A.START: EventType.WORKFLOW_STARTED,
    A.PAUSE: EventType.WORKFLOW_PAUSED,
    A.RESUME: EventType.WORKFLOW_RESUMED,
    A.EXECUTE_STEP: EventType.STEP_COMPLETED,
    A.SUBMIT: EventType.WORKFLOW_SUBMITTED,
    A.APPROVE: EventType.WORKFLOW_APPROVED,
    A.REJECT: EventType.WORKFLOW_REJECTED,
    A.ROLLBACK: EventType.STEP_COMPENSATED,
    A.FAIL: EventType.WORKFLOW_FAILED,
    A.CANCEL: EventType.WORKFLOW_CANCELLED,
    A.RETRY: EventType.WORKFLOW_RETRIED,
}


def in_status(status: WorkflowStatus) -> Story:
    story = Story()
    story.create()
    if status is S.DRAFT:
        return story
    story.do(StartWorkflow())
    story.do(ExecuteStep("company", COMPANY))
    story.do(ExecuteStep("contacts", CONTACTS))
    if status is S.IN_PROGRESS:
        return story
    if status in (S.PAUSED, S.ROLLED_BACK):
        story.do(PauseWorkflow("holiday"))
        if status is S.ROLLED_BACK:
            story.do(CompensateStep("contacts", "company", {}), OPS)
            story.do(FinishRollback("company", list(story.log)), OPS)
        return story
    if status is S.FAILED:
        story.do(FailWorkflow("registry down"), OPS)
        return story
    if status is S.CANCELLED:
        story.do(CancelWorkflow("withdrawn"))
        return story
    story.do(ExecuteStep("capacity", {"mw": 3}))
    if status is S.AWAITING_VALIDATION:
        return story
    story.do(SubmitWorkflow())
    if status is S.COMPLETED:
        story.do(ApproveWorkflow(), OPS)
    return story


def attempt(story: Story, action: WorkflowAction):
    """Take `action` as market operations; the event it would record, or None for VALIDATE."""
    commands = {
        A.START: StartWorkflow(),
        A.PAUSE: PauseWorkflow(),
        A.RESUME: ResumeWorkflow(),
        A.EXECUTE_STEP: ExecuteStep(story.state.current_step_id or "capacity", {"mw": 5}),
        A.SUBMIT: SubmitWorkflow(),
        A.APPROVE: ApproveWorkflow(),
        A.REJECT: RejectWorkflow("please correct", "company"),
        A.FAIL: FailWorkflow("broken"),
        A.CANCEL: CancelWorkflow(),
        A.RETRY: RetryWorkflow(),
    }
    ctx = DecisionContext(principal=OPS, now=story.now, tenant=TENANT_CONTEXT)
    if action is A.VALIDATE:
        validation_report(story.state, TEMPLATE, ctx)
        return None
    if action is A.ROLLBACK:
        plan = rollback_plan(story.state, TEMPLATE, ctx, "company")
        return story.decision(CompensateStep(plan[0], "company", {}), OPS).events[0].type
    return story.decision(commands[action], OPS).events[0].type


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("action", list(A))
def test_transition_matrix(status, action):
    story = in_status(status)
    assert story.state.status is status
    if action in ALLOWED[status]:
        assert attempt(story, action) == RECORDS.get(action)
    else:
        with pytest.raises(InvalidTransition):
            attempt(story, action)


@pytest.mark.parametrize("status", list(S))
def test_allowed_actions_agree_with_the_matrix(status):
    story = in_status(status)
    assert set(allowed_actions(story.state, TEMPLATE, OPS)) == ALLOWED[status]
