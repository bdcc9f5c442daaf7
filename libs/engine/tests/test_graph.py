"""The step graph: conditions in CEL, roles on steps and transitions, quality gates."""

import pytest
from engine_story import (
    ADMIN,
    COMPANY,
    CONTACTS,
    OPS,
    OTHER_OPS,
    PARTICIPANT,
    TEMPLATE,
    Story,
    title,
)

from wfm_engine import (
    GATES,
    ApproveWorkflow,
    ConditionError,
    EventType,
    ExecuteStep,
    GateCheck,
    GateContext,
    GateFailed,
    GateResult,
    StartWorkflow,
    SubmitWorkflow,
    TemplateInvalid,
    WorkflowStatus,
    gate_failure,
    parse_template,
)
from wfm_shared.errors import Forbidden, ValidationFailed


def at_capacity(story, mw):
    story.do(StartWorkflow())
    story.do(ExecuteStep("company", COMPANY))
    story.do(ExecuteStep("contacts", CONTACTS))
    return story.do(ExecuteStep("capacity", {"mw": mw}))


def test_small_capacity_skips_the_review(story):
    state = at_capacity(story, 10)
    assert (state.status, state.current_step_id) == (WorkflowStatus.AWAITING_VALIDATION, None)


def test_large_capacity_goes_to_the_review_that_only_market_ops_may_execute(story):
    state = at_capacity(story, 40)
    assert state.current_step_id == "review"
    with pytest.raises(Forbidden):
        story.decision(ExecuteStep("review", {"decision": "approve"}), PARTICIPANT)
    state = story.do(ExecuteStep("review", {"decision": "approve", "comment": "ok"}), OPS)
    assert state.status is WorkflowStatus.AWAITING_VALIDATION
    assert state.step("review").completed_by == str(OPS.user_id)


def test_a_rejected_review_loops_back_to_the_capacity_step(story):
    at_capacity(story, 40)
    state = story.do(ExecuteStep("review", {"decision": "reject", "comment": "prove it"}), OPS)
    assert state.current_step_id == "capacity"
    state = story.do(ExecuteStep("capacity", {"mw": 20}))
    assert state.status is WorkflowStatus.AWAITING_VALIDATION
    assert state.path == ("company", "contacts", "capacity", "review", "capacity")


def test_an_approval_step_needs_a_decision(story):
    at_capacity(story, 40)
    with pytest.raises(ValidationFailed) as raised:
        story.decision(ExecuteStep("review", {"decision": "maybe"}), OPS)
    assert raised.value.errors[0].path == ("decision",)


def test_a_condition_that_cannot_be_evaluated_is_an_error_not_false():
    template = parse_template(
        {
            **TEMPLATE.definition(),
            "key": "broken-condition",
            "steps": [
                {
                    "id": "only",
                    "type": "form",
                    "title": title("Only"),
                    "next": [{"to": "other", "when": "steps.only.size > 3"}, {}],
                },
                {"id": "other", "type": "form", "title": title("Other")},
            ],
            "submission": {},
        }
    )
    story = Story(template)
    story.create()
    story.do(StartWorkflow())
    with pytest.raises(ConditionError) as raised:
        story.decision(ExecuteStep("only", {"colour": "blue"}))
    assert raised.value.code == "CONDITION_FAILED"
    assert raised.value.step_id == "only"


def test_a_condition_must_give_a_boolean():
    template = parse_template(
        {
            **TEMPLATE.definition(),
            "key": "numeric",
            "steps": [
                {"id": "only", "type": "form", "title": title("Only"), "next": [{"when": "1 + 1"}]}
            ],
            "submission": {},
        }
    )
    numeric = Story(template)
    numeric.create()
    numeric.do(StartWorkflow())
    with pytest.raises(ConditionError, match="not a boolean"):
        numeric.decision(ExecuteStep("only", {}))


def test_a_bad_expression_is_rejected_when_the_template_is_loaded():
    definition = {
        **TEMPLATE.definition(),
        "steps": [
            {
                "id": "a",
                "type": "form",
                "title": title("A"),
                "next": [{"to": "b", "when": "steps.a.x >"}],
            },
            {"id": "b", "type": "form", "title": title("B")},
        ],
        "submission": {},
    }
    with pytest.raises(TemplateInvalid) as raised:
        parse_template(definition)
    (problem,) = raised.value.errors
    assert problem.path == ("steps", 0, "next", 0, "when")
    assert "'steps.a.x >'" in problem.message
    assert "'a'" in problem.message


def test_no_matching_transition_is_an_invalid_transition():
    template = parse_template(
        {
            **TEMPLATE.definition(),
            "key": "dead-end",
            "steps": [
                {
                    "id": "a",
                    "type": "form",
                    "title": title("A"),
                    "next": [{"to": "b", "when": "false"}],
                },
                {"id": "b", "type": "form", "title": title("B")},
            ],
            "submission": {},
        }
    )
    story = Story(template)
    story.create()
    story.do(StartWorkflow())
    with pytest.raises(Exception, match="no transition out of step 'a'"):
        story.decision(ExecuteStep("a", {}))


def test_a_transition_restricted_to_a_role(story):
    template = parse_template(
        {
            **TEMPLATE.definition(),
            "key": "ops-only-exit",
            "steps": [
                {
                    "id": "a",
                    "type": "form",
                    "title": title("A"),
                    "next": [{"to": "b", "roles": ["market_ops"]}],
                },
                {"id": "b", "type": "form", "title": title("B")},
            ],
            "submission": {},
        }
    )
    mine = Story(template)
    mine.create()
    mine.do(StartWorkflow())
    with pytest.raises(Forbidden):
        mine.decision(ExecuteStep("a", {}), ADMIN)
    assert mine.do(ExecuteStep("a", {}), OPS).current_step_id == "b"


def test_gates_are_asked_for_and_a_failure_refuses_the_command(story):
    at_capacity(story, 40)
    decision = story.decision(ExecuteStep("review", {"decision": "approve"}), OPS)
    assert [(g.gate, g.step_id) for g in decision.gates] == [("fourEyes", "review")]
    failed = GateResult("fourEyes", False, "same person")
    with pytest.raises(GateFailed) as raised:
        story.decision(
            ExecuteStep("review", {"decision": "approve"}), OPS, gate_results={"fourEyes": failed}
        )
    assert raised.value.extensions()["failedGates"] == [failed.as_json()]
    record = gate_failure(story.state, story.ctx(OPS), decision, [failed])
    assert (record.type, record.seq, record.idempotency_key) == (
        EventType.GATE_FAILED,
        story.state.version + 1,
        None,
    )
    assert record.data["failedGates"] == [failed.as_json()]


async def four_eyes(story, principal, step_id=None, action="APPROVE"):
    context = GateContext(
        check=GateCheck("fourEyes", action, step_id=step_id),
        state=story.state,
        principal=principal,
        steps=story.state.completed_data(),
        step_configs={},
    )
    return (await GATES.evaluate(context)).passed


async def test_four_eyes_refuses_the_same_person_twice(story):
    at_capacity(story, 40)
    # reviewing: the participant completed the step before the review
    assert await four_eyes(story, OPS, "review", "EXECUTE_STEP")
    story.do(ExecuteStep("review", {"decision": "approve"}), OPS)
    story.do(SubmitWorkflow())
    # approving: neither the submitter nor the reviewer who completed the last step
    assert not await four_eyes(story, OPS)
    assert await four_eyes(story, OTHER_OPS)
    assert story.decision(ApproveWorkflow(), OTHER_OPS).gates[0].gate == "fourEyes"


async def test_all_required_documents_present():
    story = Story()
    story.create()
    check = GateCheck("allRequiredDocumentsPresent", "SUBMIT")
    configs = {"company": {"requiredDocuments": ["statutes", "guarantee"]}}

    async def run(documents):
        context = GateContext(
            check=check,
            state=story.state,
            principal=PARTICIPANT,
            steps={"company": {"documents": documents}},
            step_configs=configs,
        )
        return await GATES.evaluate(context)

    missing = await run([{"type": "statutes", "name": "statutes.pdf"}])
    assert (missing.passed, missing.reason) == (False, "missing documents: company:guarantee")
    assert (await run([{"type": "statutes"}, {"type": "guarantee"}])).passed


def test_unknown_gates_roles_and_types_are_template_problems():
    definition = {
        **TEMPLATE.definition(),
        "steps": [
            {
                "id": "a",
                "type": "form",
                "title": title("A"),
                "next": [{"to": "b", "gates": ["luck"], "roles": ["king"]}],
            },
            {"id": "b", "type": "carrier_pigeon", "title": title("B")},
        ],
        "submission": {"gates": ["vibes"]},
    }
    with pytest.raises(TemplateInvalid) as raised:
        parse_template(definition)
    paths = {e.path for e in raised.value.errors}
    assert {
        ("steps", 0, "next", 0, "gates", 0),
        ("steps", 0, "next", 0, "roles", 0),
        ("steps", 1, "type"),
        ("submission", "gates", 0),
    } <= paths
