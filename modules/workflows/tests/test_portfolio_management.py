"""The portfolio-management base template, driven through the pure engine (no server)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from wfm_engine import (
    GATES,
    ApproveWorkflow,
    CreateWorkflow,
    DecisionContext,
    ExecuteStep,
    GateCheck,
    GateContext,
    RejectWorkflow,
    StartWorkflow,
    SubmitWorkflow,
    WorkflowStatus,
    decide,
    fold,
    layer_problems,
    resolve_config,
)
from wfm_engine.checks import gs1_check_digit
from wfm_engine.template import LOCALES, template_problems
from wfm_shared.errors import Forbidden, ValidationFailed
from wfm_shared.principal import principal_for
from wfm_workflows.catalog import catalog_templates

TENANT = uuid.uuid4()
PARTICIPANT = principal_for(uuid.uuid4(), TENANT, "tenant_admin")
OPS = principal_for(uuid.uuid4(), None, "market_ops")
OTHER_OPS = principal_for(uuid.uuid4(), None, "market_ops")
TEMPLATE = next(t for t in catalog_templates() if t.key == "portfolio-management")


def ean(seed):
    body = f"54144{seed:012d}"
    return body + str(gs1_check_digit(body))


def change(change_type):
    return {"changeType": change_type, "effectiveDate": "2027-01-01", "reason": "new solar park"}


def additions(*capacities, total=None):
    return {
        "accessPoints": [
            {"ean": ean(i + 1), "name": f"Site {i + 1}", "direction": "injection", "capacityKw": c}
            for i, c in enumerate(capacities)
        ],
        "totalCapacityKw": sum(capacities) if total is None else total,
    }


class Workflow:
    """One portfolio-management instance: commands through decide, events folded."""

    def __init__(self, flags=None, template=TEMPLATE):
        self.template = template
        self.now = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
        self.state = None
        self.log = []
        config = {"flags": flags or {}, "settings": {}}
        self.do(CreateWorkflow(str(uuid.uuid4()), str(TENANT), "BRP", "tpl", config=config))

    def decision(self, command, principal=PARTICIPANT):
        self.now += timedelta(seconds=1)
        ctx = DecisionContext(principal=principal, now=self.now)
        return decide(self.state, command, self.template, ctx)

    def do(self, command, principal=PARTICIPANT):
        events = self.decision(command, principal).events
        self.log += events
        self.state = fold(events, self.state)
        return self.state

    def step(self, step_id, data, principal=PARTICIPANT):
        return self.do(ExecuteStep(step_id, data), principal)


def started(change_type, flags=None):
    workflow = Workflow(flags)
    workflow.do(StartWorkflow())
    workflow.step("change-request", change(change_type))
    return workflow


def test_the_catalog_ships_the_template_valid_and_in_three_languages():
    assert (TEMPLATE.version, TEMPLATE.market_role) == (1, None)
    assert [s.id for s in TEMPLATE.steps] == [
        "change-request",
        "points-to-add",
        "points-to-remove",
        "contract-changes",
        "impact-assessment",
    ]
    assert template_problems(TEMPLATE) == []
    for text in [TEMPLATE.name, TEMPLATE.description, *(s.title for s in TEMPLATE.steps)]:
        assert all(text.get(locale) for locale in LOCALES)
    assessment = TEMPLATE.step("impact-assessment")
    assert (assessment.type, assessment.roles, assessment.skipped_by) == (
        "approval",
        ["market_ops"],
        "express",
    )
    assert TEMPLATE.submission.approval.model_dump(exclude_none=True) == {
        "roles": ["market_ops"],
        "gates": ["fourEyes"],
    }


@pytest.mark.parametrize(
    ("change_type", "step_id"),
    [
        ("addPoints", "points-to-add"),
        ("removePoints", "points-to-remove"),
        ("changeContract", "contract-changes"),
    ],
)
def test_the_type_of_change_chooses_the_next_form(change_type, step_id):
    assert started(change_type).state.current_step_id == step_id


def test_a_small_addition_goes_straight_to_submission_and_market_ops_approve_it():
    workflow = started("addPoints")
    state = workflow.step("points-to-add", additions(2500, 4000))
    assert (state.status, state.current_step_id) == (WorkflowStatus.AWAITING_VALIDATION, None)
    assert workflow.do(SubmitWorkflow()).status is WorkflowStatus.SUBMITTED
    with pytest.raises(Forbidden):
        workflow.decision(ApproveWorkflow(), PARTICIPANT)
    approval = workflow.decision(ApproveWorkflow("portfolio updated"), OPS)
    assert [g.gate for g in approval.gates] == ["fourEyes"]
    assert workflow.do(ApproveWorkflow("portfolio updated"), OPS).status is WorkflowStatus.COMPLETED
    assert workflow.state.path == ("change-request", "points-to-add")
    assert fold(workflow.log) == workflow.state


def test_ten_megawatt_added_in_total_goes_to_the_impact_assessment_of_market_ops():
    # no single point reaches 10 MW: the total decides
    workflow = started("addPoints")
    state = workflow.step("points-to-add", additions(6000, 4000))
    assert (state.status, state.current_step_id) == (
        WorkflowStatus.IN_PROGRESS,
        "impact-assessment",
    )
    with pytest.raises(Forbidden):
        workflow.decision(ExecuteStep("impact-assessment", {"decision": "approve"}), PARTICIPANT)
    assessed = workflow.decision(ExecuteStep("impact-assessment", {"decision": "approve"}), OPS)
    assert [g.gate for g in assessed.gates] == ["fourEyes"]
    state = workflow.step("impact-assessment", {"decision": "approve", "comment": "ok"}, OPS)
    assert state.status is WorkflowStatus.AWAITING_VALIDATION
    assert state.step("impact-assessment").completed_by == str(OPS.user_id)


def test_a_rejected_impact_assessment_sends_the_participant_back_to_the_points():
    workflow = started("addPoints")
    workflow.step("points-to-add", additions(12000))
    state = workflow.step("impact-assessment", {"decision": "reject", "comment": "split it"}, OPS)
    assert (state.status, state.current_step_id) == (WorkflowStatus.IN_PROGRESS, "points-to-add")
    assert workflow.step("points-to-add", additions(8000)).status is (
        WorkflowStatus.AWAITING_VALIDATION
    )


def test_with_express_on_the_impact_assessment_is_skipped():
    workflow = started("addPoints", flags={"express": True})
    state = workflow.step("points-to-add", additions(25000))
    assert (state.status, state.current_step_id) == (WorkflowStatus.AWAITING_VALIDATION, None)
    assert "impact-assessment" not in state.path
    assert workflow.do(SubmitWorkflow()).status is WorkflowStatus.SUBMITTED


async def test_the_operator_who_assessed_the_impact_cannot_also_approve_the_submission():
    workflow = started("addPoints")
    workflow.step("points-to-add", additions(15000))
    workflow.step("impact-assessment", {"decision": "approve"}, OPS)
    workflow.do(SubmitWorkflow())

    async def four_eyes(principal):
        check = GateCheck("fourEyes", "APPROVE", target="COMPLETED")
        context = GateContext(check, workflow.state, principal, {}, {})
        return (await GATES.evaluate(context)).passed

    assert (await four_eyes(OPS), await four_eyes(OTHER_OPS)) == (False, True)


def test_a_removal_needs_no_impact_assessment():
    workflow = started("removePoints")
    state = workflow.step("points-to-remove", {"accessPoints": [{"ean": ean(7)}]})
    assert (state.status, state.current_step_id) == (WorkflowStatus.AWAITING_VALIDATION, None)


def test_a_contracted_capacity_of_ten_megawatt_is_assessed_and_a_new_billing_contact_is_not():
    large = started("changeContract")
    state = large.step("contract-changes", {"contractedCapacityKw": 10000})
    assert state.current_step_id == "impact-assessment"
    state = large.step("impact-assessment", {"decision": "reject"}, OPS)
    assert state.current_step_id == "contract-changes"

    small = started("changeContract")
    billing = {"name": "Compta", "email": "factures@example.test"}
    state = small.step(
        "contract-changes", {"billingContact": billing, "contractEndDate": "2030-12-31"}
    )
    assert (state.status, state.current_step_id) == (WorkflowStatus.AWAITING_VALIDATION, None)


def test_a_submission_rejected_by_market_ops_returns_to_the_points():
    workflow = started("addPoints")
    workflow.step("points-to-add", additions(500))
    workflow.do(SubmitWorkflow())
    state = workflow.do(RejectWorkflow("EAN belongs to another BRP", "points-to-add"), OPS)
    assert (state.status, state.current_step_id) == (WorkflowStatus.IN_PROGRESS, "points-to-add")


def refused(workflow, step_id, data):
    with pytest.raises(ValidationFailed) as raised:
        workflow.decision(ExecuteStep(step_id, data))
    return {e.path for e in raised.value.errors}


def test_bad_data_is_refused_with_field_paths():
    workflow = Workflow()
    workflow.do(StartWorkflow())
    bad_request = {"changeType": "merge", "effectiveDate": "2027-13-01", "extra": 1}
    assert refused(workflow, "change-request", bad_request) == {
        ("changeType",),
        ("effectiveDate",),
        ("reason",),
        ("extra",),
    }

    workflow.step("change-request", change("addPoints"))
    bad_ean = ean(1)[:-1] + str((int(ean(1)[-1]) + 1) % 10)
    points = additions(1000, 2000)
    points["accessPoints"][0]["ean"] = bad_ean
    del points["accessPoints"][1]["capacityKw"]
    assert refused(workflow, "points-to-add", points) == {
        ("accessPoints", 0, "ean"),
        ("accessPoints", 1, "capacityKw"),
    }
    # the named validators run once the schema is satisfied
    duplicated = additions(1000, 2000, total=2500)
    duplicated["accessPoints"][1]["ean"] = ean(1)
    assert refused(workflow, "points-to-add", duplicated) == {
        ("accessPoints", 1, "ean"),
        ("totalCapacityKw",),
    }


def test_a_contract_change_must_change_something():
    workflow = started("changeContract")
    assert refused(workflow, "contract-changes", {}) == {()}
    assert refused(
        workflow, "contract-changes", {"billingContact": {"name": "X", "email": "no"}}
    ) == {("billingContact", "email")}


def test_the_impact_assessment_sla_is_a_bounded_setting():
    assert TEMPLATE.step("impact-assessment").sla.duration == "P3D"
    assert resolve_config(TEMPLATE, []).as_json() == {
        "flags": {"express": False},
        "settings": {"impactAssessmentSla": "P3D"},
    }
    too_short = layer_problems(TEMPLATE, {"settings": {"impactAssessmentSla": "PT1H"}})
    too_long = layer_problems(TEMPLATE, {"settings": {"impactAssessmentSla": "P11D"}})
    assert [e.path for e in too_short + too_long] == [("settings", "impactAssessmentSla")] * 2
    config = resolve_config(TEMPLATE, [("tenant", {"settings": {"impactAssessmentSla": "PT8H"}})])
    assert TEMPLATE.configured(config).step("impact-assessment").sla.duration == "PT8H"
