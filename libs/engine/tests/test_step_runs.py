"""What each event does to a workflow's step runs (the record its statistics come from)."""

from engine_story import AUTOMATED, COMPANY, CONTACTS, OPS, POINTS, TEMPLATE, Story, answer

from wfm_engine import (
    CancelWorkflow,
    CompensateStep,
    CompensationFailure,
    ExecuteStep,
    FailStep,
    FailWorkflow,
    FinishRollback,
    PauseWorkflow,
    RecordSlaBreach,
    ResumeWorkflow,
    RetryWorkflow,
    StartWorkflow,
    parse_template,
)
from wfm_engine.step_runs import (
    FailedRunRepeated,
    RunBegan,
    RunBreachedSla,
    RunCompensated,
    RunEnded,
    RunOutcome,
    WorkflowBegan,
    run_changes,
)


def changes(story, command, principal=None):
    before = len(story.log)
    story.do(command, *([principal] if principal else []))
    return [change for event in story.log[before:] for change in run_changes(event)]


def test_starting_begins_the_workflow_and_its_first_steps_run(story):
    [began, run] = changes(story, StartWorkflow())
    start = story.log[-1]
    assert began == WorkflowBegan(start.occurred_at)
    assert run == RunBegan("company", start.seq, start.occurred_at)


def test_completing_a_step_ends_its_run_and_begins_the_next_ones(story):
    story.do(StartWorkflow())
    ended, began = changes(story, ExecuteStep("company", COMPANY))
    done = story.log[-1]
    assert ended == RunEnded("company", done.seq, done.occurred_at, RunOutcome.COMPLETED)
    assert began == RunBegan("contacts", done.seq, done.occurred_at)


def test_a_step_that_fails_ends_its_run_as_failed_and_a_cancellation_leaves_it(story):
    story.do(StartWorkflow())
    [failed] = changes(story, FailWorkflow("the registry is down", "company"), OPS)
    assert (failed.step_id, failed.outcome) == ("company", RunOutcome.FAILED)
    other = Story()
    other.create()
    other.do(StartWorkflow())
    assert changes(other, FailWorkflow("given up"), OPS) == []  # no step failed
    [left] = changes(other, CancelWorkflow(), OPS)
    assert (left.step_id, left.outcome) == (None, RunOutcome.ABANDONED)


def test_a_rollback_compensates_the_undone_runs_and_begins_the_restored_step(story):
    story.do(StartWorkflow())
    story.do(ExecuteStep("company", COMPANY))
    story.do(ExecuteStep("contacts", CONTACTS))
    assert changes(story, CompensateStep("contacts", "company", {}), OPS) == [
        RunCompensated("contacts", story.log[-1].seq)
    ]
    [began] = changes(story, FinishRollback("company", list(story.log)), OPS)
    # back right after `company` was completed: `contacts` is current again (a new run; the
    # one under way, of `capacity`, is left)
    assert (began.step_id, began.seq) == ("contacts", story.log[-1].seq)


def test_a_compensation_that_fails_is_no_failure_of_a_step(story):
    story.do(StartWorkflow())
    story.do(ExecuteStep("company", COMPANY))
    story.do(ExecuteStep("contacts", CONTACTS))
    assert changes(story, CompensationFailure("contacts", "company", "refused"), OPS) == []


def test_an_sla_breach_marks_the_activation_it_counted_from():
    definition = TEMPLATE.definition()
    definition["steps"][0]["sla"] = {"duration": "P2D"}
    story = Story(parse_template(definition))
    story.create()
    story.do(StartWorkflow())
    activation = story.log[-1].seq
    [breach] = changes(story, RecordSlaBreach("company", activation), OPS)
    assert breach == RunBreachedSla("company", activation, story.log[-1].occurred_at)


def automated_at_register():
    story = Story(AUTOMATED)
    story.create()
    story.do(StartWorkflow())
    story.do(ExecuteStep("apply", POINTS))
    return story


def test_a_failure_its_onfailure_handles_ends_the_run_as_failed_and_begins_the_next_step():
    story = automated_at_register()
    story.do(ExecuteStep("register", {"results": [answer("R1")]}), OPS)
    ended, began = changes(story, FailStep("lookup", "no response within 10 s", 3), OPS)
    failed = story.log[-1]
    assert ended == RunEnded("lookup", failed.seq, failed.occurred_at, RunOutcome.FAILED)
    assert began == RunBegan("manual", failed.seq, failed.occurred_at)


def test_resuming_the_pause_a_failure_made_repeats_the_failed_run_and_a_retry_begins_one():
    story = automated_at_register()
    [ended] = changes(story, FailStep("register", "HTTP 503 Service Unavailable", 2), OPS)
    assert (ended.step_id, ended.outcome) == ("register", RunOutcome.FAILED)
    # the resume names no step: the record repeats its latest run if that one failed
    [repeated] = changes(story, ResumeWorkflow())
    assert repeated == FailedRunRepeated(story.log[-1].seq, story.log[-1].occurred_at)
    # an ordinary pause says the same; the record finds the run under way and keeps it
    story.do(PauseWorkflow("holiday"))
    assert changes(story, ResumeWorkflow()) == [
        FailedRunRepeated(story.log[-1].seq, story.log[-1].occurred_at)
    ]
    story.do(FailWorkflow("the registry is down", "register"), OPS)
    [began] = changes(story, RetryWorkflow(), OPS)
    assert began == RunBegan("register", story.log[-1].seq, story.log[-1].occurred_at)
