"""Failure branches, retrying a failed workflow, and forEach, through the pure engine: a
system step that fails goes on at its `onFailure.to` (the error in `variables.lastError`),
pauses for a person (resuming runs it again), or fails the workflow; a FAILED workflow is
retried at the step it failed at, its data kept; a forEach step runs its items in order,
each once, and completes with their results."""

import copy

import pytest
from engine_story import ADMIN, AUTOMATED, OPS, PARTICIPANT, POINTS, STRANGER, Story, answer

from wfm_engine import (
    EventType,
    ExecuteStep,
    FailStep,
    FailWorkflow,
    PauseWorkflow,
    RecordIteration,
    ResumeWorkflow,
    RetryWorkflow,
    StartWorkflow,
    StepStatus,
    TemplateInvalid,
    WorkflowAction,
    WorkflowStatus,
    WorkKind,
    allowed_actions,
    items_of,
    next_iteration,
    parse_template,
    rebuild,
    validation_report,
    waiting_work,
)
from wfm_engine.conditions import ExpressionFailed
from wfm_shared import limits
from wfm_shared.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed

TENANT = {"company_name": "Ardennes Énergie"}


def at(step_id: str, points=POINTS) -> Story:
    """A workflow of AUTOMATED whose current step is `step_id` (the steps before it done)."""
    story = Story(AUTOMATED)
    story.create()
    story.do(StartWorkflow())
    story.do(ExecuteStep("apply", points))
    if step_id == "register":
        return story
    results = [answer(f"R{i}") for i in range(len(points["points"]))]
    story.do(ExecuteStep("register", {"results": results}), OPS)
    if step_id == "lookup":
        return story
    story.do(ExecuteStep("lookup", answer("C1")), OPS)
    assert story.state.current_step_id == step_id
    return story


# -- onFailure -------------------------------------------------------------------------


def test_a_failed_step_with_onfailure_to_goes_on_there_with_the_error_in_variables():
    story = at("lookup")
    state = story.do(FailStep("lookup", "no response within 10 s", 3), OPS)
    event = story.log[-1]
    assert event.type is EventType.STEP_FAILED
    assert event.data["onFailure"] == "continue"
    assert event.data["nextStepId"] == "manual"
    assert state.status is WorkflowStatus.IN_PROGRESS
    assert state.current_step_id == "manual"
    assert state.step("lookup").status is StepStatus.FAILED
    assert state.step("manual").status is StepStatus.ACTIVE
    assert state.variables["lastError"] == {
        "stepId": "lookup",
        "message": "no response within 10 s",
        "at": event.occurred_at.isoformat(),
        "attempts": 3,
    }
    assert state.activation.step_id == "manual"


def test_onfailure_pause_waits_for_a_person_and_resuming_runs_the_step_again():
    story = at("register")
    activation = story.state.activation.seq
    paused = story.do(FailStep("register", "HTTP 503 Service Unavailable", 4), OPS)
    assert paused.status is WorkflowStatus.PAUSED
    assert paused.pause.reason == "HTTP 503 Service Unavailable"
    assert paused.pause.failed_step_id == "register"
    assert paused.step("register").status is StepStatus.FAILED
    assert paused.variables["lastError"]["attempts"] == 4
    assert not paused.is_current("register", activation)
    # it waits for a person: in the work queue of those who may resume it or roll it back
    item = waiting_work(paused, AUTOMATED)
    assert (item.kind, item.step_id, item.roles) == (
        WorkKind.FAILURE,
        "register",
        ("market_ops", "tenant_admin"),
    )

    resumed = story.do(ResumeWorkflow())
    assert resumed.status is WorkflowStatus.IN_PROGRESS
    assert resumed.step("register").status is StepStatus.ACTIVE
    # a new activation of the step: the worker runs it again
    assert resumed.activation.seq == resumed.version > activation
    assert resumed.is_current("register", resumed.version)
    assert waiting_work(resumed, AUTOMATED, automated={"api_call"}) is None  # the platform's


def test_resuming_an_ordinary_pause_does_not_start_the_step_over():
    story = at("lookup")
    activation = story.state.activation.seq
    story.do(PauseWorkflow("holiday"))
    resumed = story.do(ResumeWorkflow())
    assert resumed.activation.seq == activation


def test_without_onfailure_a_failed_step_fails_the_workflow():
    story = at("notice")
    state = story.do(FailStep("notice", "HTTP 400 Bad Request", 1), OPS)
    assert story.log[-1].type is EventType.WORKFLOW_FAILED
    assert state.status is WorkflowStatus.FAILED
    assert (state.failure.reason, state.failure.step_id) == (
        "step 'notice': HTTP 400 Bad Request",
        "notice",
    )


def test_only_the_current_running_step_can_fail():
    story = at("lookup")
    with pytest.raises(InvalidTransition, match="'register' is not running"):
        story.decision(FailStep("register", "late answer"), OPS)
    story.do(PauseWorkflow())
    with pytest.raises(InvalidTransition):
        story.decision(FailStep("lookup", "late answer"), OPS)
    with pytest.raises(Forbidden):
        at("lookup").decision(FailStep("lookup", "not mine to say"), PARTICIPANT)


# -- retrying a failed workflow ---------------------------------------------------------------


def test_a_failed_workflow_is_retried_at_the_step_it_failed_at_with_the_data_kept():
    story = at("register")
    story.do(RecordIteration("register", 0, answer("R0")), OPS)
    story.do(FailWorkflow("the registry is down", "register"), OPS)
    retried = story.do(RetryWorkflow(), ADMIN)
    event = story.log[-1]
    assert (event.type, event.step_id) == (EventType.WORKFLOW_RETRIED, "register")
    assert retried.status is WorkflowStatus.IN_PROGRESS
    assert retried.current_step_id == "register"
    assert retried.failure is None
    assert retried.step("apply").data == POINTS
    assert retried.is_current("register", event.seq)  # the worker runs the step again
    # the items done before the failure are not done again
    assert next_iteration(retried, AUTOMATED, AUTOMATED.step("register"), TENANT).index == 1


def test_retry_is_for_failed_workflows_market_operations_and_the_tenants_administrators():
    story = at("notice")
    with pytest.raises(InvalidTransition, match="cannot retry a workflow that is IN_PROGRESS"):
        story.decision(RetryWorkflow(), OPS)
    story.do(FailStep("notice", "HTTP 400 Bad Request"), OPS)
    assert WorkflowAction.RETRY in allowed_actions(story.state, AUTOMATED, ADMIN)
    assert WorkflowAction.RETRY in allowed_actions(story.state, AUTOMATED, OPS)
    assert WorkflowAction.RETRY not in allowed_actions(story.state, AUTOMATED, PARTICIPANT)
    with pytest.raises(Forbidden, match=r"lacks workflows\.retry"):
        story.decision(RetryWorkflow(), PARTICIPANT)
    with pytest.raises(NotFound):
        story.decision(RetryWorkflow(), STRANGER)  # another tenant's: as if unknown


def test_a_workflow_that_failed_past_its_last_step_has_nothing_to_retry():
    story = at("notice")
    story.do(ExecuteStep("notice", answer("N1")), OPS)
    story.do(FailWorkflow("the contract was withdrawn"), OPS)
    with pytest.raises(InvalidTransition, match="no step to retry"):
        story.decision(RetryWorkflow(), OPS)


# -- forEach ----------------------------------------------------------------------------------


def test_a_foreach_runs_its_items_in_order_and_completes_with_their_results():
    story = at("register")
    step = AUTOMATED.step("register")
    seen = []
    while story.state.current_step_id == "register":
        iteration = next_iteration(story.state, AUTOMATED, step, TENANT)
        seen.append((iteration.index, iteration.item, iteration.name, iteration.last))
        result = answer(f"R{iteration.index}")
        if iteration.last:
            done = [*story.state.iteration.results, result]
            story.do(ExecuteStep("register", {"results": done}), OPS)
        else:
            story.do(RecordIteration("register", iteration.index, result), OPS)
    assert seen == [
        (0, "541449000000000011", "point", False),
        (1, "541449000000000028", "point", False),
        (2, "541449000000000035", "point", True),
    ]
    state = story.state
    assert state.step("register").data == {"results": [answer("R0"), answer("R1"), answer("R2")]}
    # a responseMapping maps each item's response: the variable lists them in order
    assert state.variables["registryIds"] == ["R0", "R1", "R2"]
    assert state.iteration is None
    assert state.current_step_id == "lookup"
    # the dry run checks the results item by item, as completing the step did
    report = validation_report(state, AUTOMATED, story.ctx(OPS))
    assert next(s for s in report.steps if s.step_id == "register").errors == []


def test_an_item_is_recorded_once_and_in_order():
    story = at("register")
    story.do(RecordIteration("register", 0, answer("R0")), OPS)
    with pytest.raises(InvalidTransition, match="item 0 of step 'register' is not the next one"):
        story.decision(RecordIteration("register", 0, answer("R0")), OPS)
    with pytest.raises(InvalidTransition, match=r"\(item 1 is\)"):
        story.decision(RecordIteration("register", 2, answer("R2")), OPS)
    with pytest.raises(ValidationFailed) as refused:
        story.decision(RecordIteration("register", 1, {"status": 99}), OPS)
    assert refused.value.errors[0].path == ("results", 1, "status")


def test_a_list_longer_than_the_steps_max_cannot_be_run():
    story = at("register", {"points": [str(n) for n in range(6)]})
    with pytest.raises(ExpressionFailed, match="forEach gave 6 items; the step allows at most 5"):
        items_of(story.state, AUTOMATED, AUTOMATED.step("register"), TENANT)


def test_items_that_are_not_a_list_cannot_be_run():
    story = at("register", {"points": "541449000000000011"})
    with pytest.raises(ExpressionFailed, match="it gave a string, not a list"):
        items_of(story.state, AUTOMATED, AUTOMATED.step("register"), TENANT)


def test_the_log_folds_back_to_every_state_on_the_way():
    story = at("register")
    story.do(RecordIteration("register", 0, answer("R0")), OPS)
    story.do(FailStep("register", "HTTP 503"), OPS)
    story.do(ResumeWorkflow())
    story.do(RecordIteration("register", 1, answer("R1")), OPS)
    assert rebuild(story.log, len(story.log)) == story.state
    assert rebuild(story.log, len(story.log) - 1).iteration.results == (answer("R0"),)
    assert story.state.iteration.results == (answer("R0"), answer("R1"))


# -- publishing -------------------------------------------------------------------------------


def definition_with(step_id: str, **fields):
    definition = copy.deepcopy(AUTOMATED.definition())
    index = next(i for i, s in enumerate(definition["steps"]) if s["id"] == step_id)
    definition["steps"][index].update(fields)
    for name, value in fields.items():
        if value is None:
            del definition["steps"][index][name]
    return definition, index


def problems_of(definition):
    with pytest.raises(TemplateInvalid) as refused:
        parse_template(definition)
    return {(tuple(e.path), e.message) for e in refused.value.errors}


@pytest.mark.parametrize(
    ("step_id", "fields", "path", "message"),
    [
        ("lookup", {"onFailure": {"to": "nowhere"}}, ("onFailure", "to"), "no step 'nowhere'"),
        ("lookup", {"onFailure": {"to": "lookup"}}, ("onFailure", "to"), "cannot continue at itself"),
        ("manual", {"onFailure": "pause"}, ("onFailure",), "only system steps take onFailure"),
        ("manual", {"forEach": {"items": "[1]"}}, ("forEach",), "forEach is for api_call"),
        ("register", {"forEach": {"items": "steps.apply.points.("}}, ("forEach", "items"), "do not compile"),
        ("register", {"forEach": {"items": "steps.nowhere.points"}}, ("forEach", "items"), "unknown step 'nowhere'"),
        ("register", {"forEach": {"items": "[1]", "as": "steps"}}, ("forEach", "as"), "would hide the steps"),
        ("register", {"forEach": {"items": "[1]", "max": limits.FOR_EACH_MAX_ITEMS + 1}}, ("forEach", "max"), "less than or equal to 1000"),
        ("register", {"forEach": {"items": "[1]", "max": 0}}, ("forEach", "max"), "greater than or equal to 1"),
        ("register", {"forEach": {"as": "point"}}, ("forEach", "items"), "Field required"),
        ("register", {"onFailure": "stop"}, ("onFailure",), ""),
    ],
)  # fmt: skip
def test_bad_onfailure_and_foreach_are_refused_at_their_paths(step_id, fields, path, message):
    definition, index = definition_with(step_id, **fields)
    found = problems_of(definition)
    at_path = [m for p, m in found if p[: 2 + len(path)] == ("steps", index, *path)]
    assert at_path, found
    assert any(message in m for m in at_path), found


def test_a_step_reached_only_by_a_failure_must_still_lead_to_the_end():
    definition, index = definition_with("manual", next=[{"to": "manual"}])
    found = problems_of(definition)
    assert (("steps", index, "next"), "step 'manual' never leads to the end of the workflow (a cycle with no way out)") in found  # fmt: skip
    # without the failure branch, it could not be reached at all
    definition, _ = definition_with("lookup", onFailure=None)
    found = problems_of(definition)
    assert any("'manual' cannot be reached" in m for _, m in found)


def test_foreach_and_onfailure_keep_their_names_in_the_stored_definition():
    stored = AUTOMATED.definition()
    register = next(s for s in stored["steps"] if s["id"] == "register")
    assert register["forEach"] == {"items": "steps.apply.points", "as": "point", "max": 5}
    assert register["onFailure"] == "pause"
    lookup = next(s for s in stored["steps"] if s["id"] == "lookup")
    assert lookup["onFailure"] == {"to": "manual"}
    assert parse_template(stored).definition() == stored
