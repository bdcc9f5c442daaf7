"""Work items and their assignment: what waits for a person on a workflow, who it waits for,
and who may act on it once it is assigned (the assignee, or a supervisor: the tenant's
administrators and market operations, who hold work.assign)."""

import uuid

import pytest
from engine_story import (
    ADMIN,
    COMPANY,
    CONTACTS,
    OPS,
    OTHER_OPS,
    PARTICIPANT,
    STRANGER,
    TENANT,
    Story,
    title,
)
from engine_story import TEMPLATE as BRANCHING

from wfm_engine import (
    AssignedToAnother,
    AssignWork,
    EventType,
    ExecuteStep,
    FailWorkflow,
    PauseWorkflow,
    RecordSlaBreach,
    ReleaseWork,
    ResumeWorkflow,
    StartWorkflow,
    SubmitWorkflow,
    WorkKind,
    parse_template,
    waiting_work,
)
from wfm_shared.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from wfm_shared.principal import principal_for

COLLEAGUE = principal_for(uuid.uuid4(), TENANT, "tenant_user")
OUTSIDER = principal_for(uuid.uuid4(), uuid.uuid4(), "tenant_user")


def template(steps, **extra):
    return parse_template(
        {"key": "work", "version": 1, "name": title("Work"), "steps": steps, **extra}
    )


def form(step_id, **extra):
    return {"id": step_id, "type": "form", "title": title(step_id), **extra}


def started(tmpl=BRANCHING):
    story = Story(tmpl)
    story.create()
    story.do(StartWorkflow())
    return story


def last_event(story):
    return story.log[-1].type


# -- what waits, for whom ---------------------------------------------------------------------


def test_a_step_without_roles_waits_for_the_participants_people():
    story = started()
    item = waiting_work(story.state, story.template)
    assert (item.kind, item.step_id) == (WorkKind.STEP, "company")
    assert item.roles == ("tenant_admin", "tenant_user")
    assert item.since == story.state.activation.at
    assert item.activation_seq == story.state.activation.seq
    assert item.assignee_id is None


def test_a_review_step_waits_for_its_roles():
    story = started()
    story.do(ExecuteStep("company", COMPANY))
    story.do(ExecuteStep("contacts", CONTACTS))
    story.do(ExecuteStep("capacity", {"mw": 30}))
    item = waiting_work(story.state, story.template)
    assert (item.kind, item.step_id, item.roles) == (WorkKind.APPROVAL, "review", ("market_ops",))


def test_a_submission_waits_for_the_templates_approvers():
    story = started()
    story.do(ExecuteStep("company", COMPANY))
    story.do(ExecuteStep("contacts", CONTACTS))
    story.do(ExecuteStep("capacity", {"mw": 10}))
    story.do(SubmitWorkflow())
    item = waiting_work(story.state, story.template)
    assert (item.kind, item.step_id, item.roles) == (WorkKind.SUBMISSION, None, ("market_ops",))
    assert item.since == story.state.submission.at


def test_an_escalated_step_waits_for_the_escalation_role_as_well():
    tmpl = template([form("apply", sla={"duration": "P1D", "escalateTo": "market_ops"})])
    story = started(tmpl)
    story.do(RecordSlaBreach("apply", story.state.activation.seq), OPS)
    item = waiting_work(story.state, tmpl)
    assert item.roles == ("tenant_admin", "tenant_user", "market_ops")
    assert item.escalated_to == "market_ops"


def test_a_system_step_waits_for_nobody_unless_no_runner_completes_it():
    call = {
        "id": "register",
        "type": "api_call",
        "title": title("Register"),
        "config": {"method": "POST", "url": "https://crm.example.test/register"},
    }
    story = started(template([call]))
    assert waiting_work(story.state, story.template, automated={"api_call"}) is None
    by_hand = waiting_work(story.state, story.template, automated=set())
    assert (by_hand.kind, by_hand.roles) == (WorkKind.STEP, ("market_ops",))
    delay = {"id": "wait", "type": "delay", "title": title("Wait"), "config": {"duration": "P1D"}}
    assert waiting_work(started(template([delay])).state, BRANCHING) is None


def test_a_workflow_failed_at_a_step_waits_for_who_may_roll_it_back():
    story = started()
    story.do(FailWorkflow("step 'company': the registry is down", "company"), OPS)
    assert story.log[-1].step_id == "company"
    item = waiting_work(story.state, story.template)
    assert (item.kind, item.step_id) == (WorkKind.FAILURE, "company")
    assert item.roles == ("market_ops", "tenant_admin")
    assert item.since == story.state.failure.at


def test_nothing_waits_on_a_draft_a_paused_workflow_or_one_failed_by_hand():
    draft = Story()
    draft.create()
    assert waiting_work(draft.state, BRANCHING) is None
    paused = started()
    paused.do(PauseWorkflow("holiday"))
    assert waiting_work(paused.state, BRANCHING) is None
    failed = started()
    failed.do(FailWorkflow("fraud suspected"), OPS)
    assert waiting_work(failed.state, BRANCHING) is None


def test_only_the_current_step_can_be_named_as_the_one_that_failed():
    story = started()
    with pytest.raises(InvalidTransition, match="not the current step"):
        story.do(FailWorkflow("broken", "capacity"), OPS)


# -- claiming and executing -------------------------------------------------------------------


def test_a_claimed_step_is_executed_by_its_assignee_and_refused_to_colleagues():
    story = started()
    story.do(AssignWork(PARTICIPANT))
    assert last_event(story) is EventType.STEP_ASSIGNED
    assert story.log[-1].step_id == "company"
    assert story.state.assignment.user_id == str(PARTICIPANT.user_id)
    with pytest.raises(AssignedToAnother, match=str(PARTICIPANT.user_id)) as refused:
        story.do(ExecuteStep("company", COMPANY), COLLEAGUE)
    assert refused.value.code == "FORBIDDEN"
    assert refused.value.extensions()["assigneeId"] == str(PARTICIPANT.user_id)
    story.do(ExecuteStep("company", COMPANY), PARTICIPANT)
    assert story.state.assignment is None  # the step is done: the assignment lapsed


@pytest.mark.parametrize("supervisor", [ADMIN, OPS], ids=["tenant_admin", "market_ops"])
def test_a_supervisor_may_execute_a_step_assigned_to_someone_else(supervisor):
    story = started()
    story.do(AssignWork(PARTICIPANT))
    story.do(ExecuteStep("company", COMPANY), supervisor)
    assert story.state.current_step_id == "contacts"


def test_claiming_needs_the_right_to_act_on_the_work():
    story = started()
    story.do(ExecuteStep("company", COMPANY))
    story.do(ExecuteStep("contacts", CONTACTS))
    story.do(ExecuteStep("capacity", {"mw": 30}))  # the review: market operations only
    with pytest.raises(Forbidden, match="waits for market_ops"):
        story.do(AssignWork(PARTICIPANT), PARTICIPANT)
    story.do(AssignWork(OPS), OPS)
    assert story.state.assignment.user_id == str(OPS.user_id)


def test_a_colleague_cannot_claim_work_someone_holds_but_a_supervisor_can():
    story = started()
    story.do(AssignWork(PARTICIPANT))
    with pytest.raises(AssignedToAnother, match="may claim it"):
        story.do(AssignWork(COLLEAGUE), COLLEAGUE)
    story.do(AssignWork(ADMIN), ADMIN)
    assert story.log[-1].payload.previous_assignee_id == str(PARTICIPANT.user_id)
    assert story.state.assignment.user_id == str(ADMIN.user_id)


def test_claiming_what_one_holds_already_appends_nothing():
    story = started()
    story.do(AssignWork(PARTICIPANT))
    assert story.decision(AssignWork(PARTICIPANT)).events == []


def test_there_is_nothing_to_claim_on_a_draft():
    story = Story()
    story.create()
    with pytest.raises(InvalidTransition, match="no work waits"):
        story.do(AssignWork(PARTICIPANT))


# -- assigning others -------------------------------------------------------------------------


def test_assigning_someone_else_needs_work_assign():
    story = started()
    with pytest.raises(Forbidden, match=r"lacks work\.assign"):
        story.do(AssignWork(COLLEAGUE), PARTICIPANT)
    story.do(AssignWork(COLLEAGUE), ADMIN)
    assert story.state.assignment.user_id == str(COLLEAGUE.user_id)
    assert story.state.assignment.by == str(ADMIN.user_id)


def test_the_assignee_must_be_someone_who_may_act_on_the_work():
    story = started()
    with pytest.raises(ValidationFailed) as refused:
        story.do(AssignWork(OUTSIDER), OPS)  # a user of another tenant
    assert refused.value.errors[0].path == ("userId",)
    story.do(ExecuteStep("company", COMPANY))
    story.do(ExecuteStep("contacts", CONTACTS))
    story.do(ExecuteStep("capacity", {"mw": 30}))
    with pytest.raises(ValidationFailed, match="may not act"):
        story.do(AssignWork(PARTICIPANT), OPS)  # the review is market operations'
    story.do(AssignWork(OTHER_OPS), OPS)


def test_another_tenants_administrator_finds_no_work_to_assign():
    story = started()
    with pytest.raises(NotFound):
        story.do(AssignWork(PARTICIPANT), STRANGER)


# -- releasing --------------------------------------------------------------------------------


def test_the_assignee_or_a_supervisor_releases_the_work_and_nobody_else():
    story = started()
    story.do(AssignWork(PARTICIPANT))
    with pytest.raises(AssignedToAnother, match="may release it"):
        story.do(ReleaseWork(), COLLEAGUE)
    story.do(ReleaseWork(), PARTICIPANT)
    assert last_event(story) is EventType.STEP_UNASSIGNED
    assert story.state.assignment is None
    assert story.decision(ReleaseWork()).events == []  # nobody holds it: nothing to release
    story.do(AssignWork(PARTICIPANT))
    story.do(ReleaseWork(), ADMIN)
    assert story.state.assignment is None


# -- what the assignment outlives -------------------------------------------------------------


def test_a_pause_keeps_the_assignment_and_an_escalation_lets_it_go():
    tmpl = template([form("apply", sla={"duration": "P1D", "escalateTo": "market_ops"})])
    story = started(tmpl)
    story.do(AssignWork(PARTICIPANT))
    story.do(PauseWorkflow("holiday"))
    story.do(ResumeWorkflow())
    assert story.state.assignment.user_id == str(PARTICIPANT.user_id)
    story.do(RecordSlaBreach("apply", story.state.activation.seq), OPS)
    assert story.state.assignment is None
    assert story.state.assignments == {"apply": "market_ops"}


def test_a_breach_without_escalation_keeps_the_assignment():
    story = started(template([form("apply", sla={"duration": "P1D"})]))
    story.do(AssignWork(PARTICIPANT))
    story.do(RecordSlaBreach("apply", story.state.activation.seq), OPS)
    assert story.state.assignment.user_id == str(PARTICIPANT.user_id)


def test_a_claimed_submission_is_decided_by_its_assignee_or_another_operator():
    story = started()
    story.do(ExecuteStep("company", COMPANY))
    story.do(ExecuteStep("contacts", CONTACTS))
    story.do(ExecuteStep("capacity", {"mw": 10}))
    story.do(SubmitWorkflow())
    story.do(AssignWork(OPS), OPS)
    assert story.log[-1].step_id is None
    assert story.state.assignment.step_id is None
    # market operations hold work.assign: they override one another
    assert waiting_work(story.state, story.template).assignee_id == str(OPS.user_id)
