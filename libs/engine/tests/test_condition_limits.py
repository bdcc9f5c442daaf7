"""CEL conditions are measured before they are compiled (length, nesting), compiled once
per template version, and whatever goes wrong when one is evaluated is CONDITION_FAILED
naming the step and the expression, in CEL's words, with nothing of the evaluator."""

import re

import pytest
from engine_story import Story, title

from wfm_engine import (
    CheckStopped,
    CompileWatch,
    ConditionError,
    ExecuteStep,
    StartWorkflow,
    TemplateInvalid,
    WorkflowConfig,
    WorkflowTemplate,
    parse_template,
)
from wfm_engine.conditions import Condition, nesting
from wfm_shared import limits

# What the evaluator's own words look like: none may reach a message.
INTERNALS = re.compile(
    r"celpy|celtypes|<class|Token\(|Tree\(|Evaluator|activation|Traceback|"
    r"IntType|StringType|MapType|ListType|BoolType|DoubleType|RecursionError|KeyError|TypeError"
)


def two_steps(when, key="limits"):
    return {
        "key": key,
        "version": 1,
        "name": title("Limits"),
        "steps": [
            {
                "id": "decide",
                "type": "form",
                "title": title("Decide"),
                "next": [{"to": "big", "when": when}, {}],
            },
            {"id": "big", "type": "form", "title": title("Big")},
        ],
    }


def refusal(when):
    with pytest.raises(TemplateInvalid) as raised:
        parse_template(two_steps(when))
    (problem,) = [p for p in raised.value.errors if p.path == ("steps", 0, "next", 0, "when")]
    return problem.message


def test_a_condition_of_100_kb_is_refused_naming_the_step_and_transition():
    when = " && ".join(["steps.decide.size > 1"] * 5000)
    message = refusal(when)
    assert "step 'decide', transition 0" in message
    assert f"{len(when)} characters long; at most {limits.CONDITION_MAX_CHARS}" in message
    assert len(message) < 300  # the expression itself is not echoed back


@pytest.mark.parametrize(
    "when",
    [
        "(" * 500 + "true" + ")" * 500,
        "[" * 500 + "]" * 500 + " == []",
        "!" * 500 + "true",
        "||".join(["x"] * 500),
        "steps" + ".a" * 500 + " == 1",
    ],
    ids=["parentheses", "lists", "negations", "or-chain", "field-path"],
)
def test_a_condition_nested_500_deep_is_refused_before_it_is_compiled(when):
    message = refusal(when)
    assert "step 'decide', transition 0 is refused" in message
    assert f"at most {limits.CONDITION_MAX_NESTING}" in message


@pytest.mark.parametrize(
    "when",
    [
        "(" * limits.CONDITION_MAX_NESTING + "true" + ")" * limits.CONDITION_MAX_NESTING,
        "[" * (limits.CONDITION_MAX_NESTING - 1)
        + "]" * (limits.CONDITION_MAX_NESTING - 1)
        + " != []",
        " && ".join(["true"] * (limits.CONDITION_MAX_NESTING + 1)),
        " || ".join(f"steps.decide.colour == '{i}'" for i in range(20)) + " || true",
    ],
    ids=["parentheses", "lists", "and-chain", "twenty-alternatives"],
)
def test_a_condition_at_the_nesting_limit_compiles_and_evaluates(when):
    assert nesting(when) <= limits.CONDITION_MAX_NESTING
    story = Story(parse_template(two_steps(when)))
    story.create()
    story.do(StartWorkflow())
    assert story.do(ExecuteStep("decide", {"colour": "blue"})).current_step_id == "big"


def test_brackets_and_operators_inside_strings_do_not_count():
    assert nesting("steps.a.x == '((((((((((&&||' && steps.a.y == \"[[[[\"") == 4
    assert nesting("steps.a.x == '''it's ((('''") == 3
    assert nesting("double(steps.a.x) >= 10000.0") == 4  # the decimal point is no selection


def test_a_list_of_many_items_is_wide_not_deep():
    assert nesting("steps.a.x in [" + ", ".join(f"'{i}'" for i in range(300)) + "]") <= 4


def test_the_conditions_are_compiled_when_the_template_is_parsed_and_kept():
    template = parse_template(two_steps("steps.decide.colour == 'red'"))
    compiled = template.condition("decide", 0)
    assert compiled is not None
    assert template.condition("decide", 0) is compiled
    # an instance's settings never change a condition: the configured copy keeps them
    configured = template.configured(WorkflowConfig(flags={}, settings={"x": 1}))
    assert configured.condition("decide", 0) is compiled


def test_a_stopped_check_stops_before_its_next_condition_and_names_where_it_was():
    watch = CompileWatch()
    parse_template(two_steps("true"), watch=watch)
    assert (watch.step_id, watch.index) == ("decide", 0)
    refused = watch.too_slow()
    assert refused.code == "VALIDATION_FAILED"
    (problem,) = refused.errors
    assert problem.path == ("steps", 0, "next", 0, "when")
    assert "the condition of step 'decide', transition 0 takes too long to compile" in (
        problem.message
    )
    watch.stop()
    with pytest.raises(CheckStopped):
        parse_template(two_steps("true"), watch=watch)


def evaluation_failure(when, data):
    story = Story(parse_template(two_steps(when)))
    story.create()
    story.do(StartWorkflow())
    with pytest.raises(ConditionError) as raised:
        story.decision(ExecuteStep("decide", data))
    error = raised.value
    assert error.code == "CONDITION_FAILED"
    assert error.step_id == "decide"
    assert error.extensions()["expression"] == when
    assert "step 'decide'" in error.message
    assert repr(when) in error.message
    assert not INTERNALS.search(error.message), error.message
    return error.message


@pytest.mark.parametrize(
    ("when", "data", "reason"),
    [
        ("steps.decide.size > 3", {"colour": "blue"}, "the data has no field 'size'"),
        ("steps.decide.colour > 3", {"colour": "blue"}, "of a type it does not take"),
        ("steps.decide.colour.shade == 'x'", {"colour": "blue"}, "not a map"),
        ("steps.decide.mw / 0 > 1", {"mw": 5}, "division by zero"),
        ("colour == 'blue'", {"colour": "blue"}, "unknown name 'colour'"),
        ("steps.decide.mw + 1", {"mw": 5}, "it gave an int, not a boolean"),
        ("int(steps.decide.colour) > 1", {"colour": "blue"}, "could not be converted"),
    ],
    ids=[
        "missing-field",
        "type-mismatch",
        "field-of-a-string",
        "division",
        "unknown-name",
        "not-a-boolean",
        "conversion",
    ],
)
def test_an_evaluation_failure_says_what_went_wrong_in_cel_words_only(when, data, reason):
    assert reason in evaluation_failure(when, data)


def test_a_recursion_error_during_evaluation_is_a_condition_failure_without_internals():
    deep: dict = {}
    cursor = deep
    for _ in range(5000):  # past the interpreter's stack, as no stored data can be
        cursor["a"] = {}
        cursor = cursor["a"]
    condition = Condition("has(steps.decide.a)")
    with pytest.raises(ConditionError) as raised:
        condition.evaluate("decide", {"steps": {"decide": deep}})
    assert "it nests too deeply to be evaluated" in raised.value.message
    assert not INTERNALS.search(raised.value.message)


def test_a_template_never_checked_fails_its_oversized_condition_as_a_condition_failure():
    # built without parse_template (its checks skipped): evaluating still never crashes
    template = WorkflowTemplate.model_validate(two_steps("(" * 500 + "true" + ")" * 500))
    story = Story(template)
    story.create()
    story.do(StartWorkflow())
    with pytest.raises(ConditionError) as raised:
        story.decision(ExecuteStep("decide", {}))
    assert "step 'decide'" in raised.value.message
    assert f"at most {limits.CONDITION_MAX_NESTING}" in raised.value.message
    assert len(raised.value.message) < 400


def test_a_stored_template_past_the_condition_limits_loads_and_fails_that_condition_only():
    # published before the limits existed: readable, and the condition never compiled
    when = "(" * 500 + "steps.decide.ok" + ")" * 500
    template = parse_template(two_steps(when), stored=True)
    story = Story(template)
    story.create()
    story.do(StartWorkflow())
    with pytest.raises(ConditionError) as raised:
        story.decision(ExecuteStep("decide", {"ok": True}))
    assert "of step 'decide' failed: it nests 502 levels deep" in raised.value.message
    assert not INTERNALS.search(raised.value.message)
    with pytest.raises(TemplateInvalid):
        parse_template(two_steps(when))  # publishing it now is refused
