"""The workflow lifecycle as pure functions: decide produces events, evolve folds them."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from wfm_engine import (
    ApproveWorkflow,
    CorruptEventLog,
    CreateWorkflow,
    DecisionContext,
    EventType,
    ExecuteStep,
    RejectWorkflow,
    StartWorkflow,
    StepStatus,
    SubmitWorkflow,
    WorkflowAction,
    WorkflowStatus,
    allowed_actions,
    decide,
    evolve,
    fold,
    parse_template,
)
from wfm_shared.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from wfm_shared.principal import principal_for

TENANT = uuid.uuid4()
OTHER_TENANT = uuid.uuid4()
PARTICIPANT = principal_for(uuid.uuid4(), TENANT, "tenant_user")
STRANGER = principal_for(uuid.uuid4(), OTHER_TENANT, "tenant_admin")
OPS = principal_for(uuid.uuid4(), None, "market_ops")

TEMPLATE = parse_template(
    {
        "key": "two-forms",
        "version": 1,
        "name": {"en": "Two forms", "fr": "Deux formulaires", "nl": "Twee formulieren"},
        "grantsMarketRole": True,
        "steps": [
            {
                "id": "company",
                "type": "form",
                "title": {"en": "Company", "fr": "Entreprise", "nl": "Bedrijf"},
                "schema": {
                    "type": "object",
                    "required": ["vatNumber"],
                    "properties": {"vatNumber": {"type": "string", "format": "be-vat"}},
                    "additionalProperties": False,
                },
            },
            {
                "id": "contacts",
                "type": "form",
                "title": {"en": "Contacts", "fr": "Contacts", "nl": "Contactpersonen"},
                "validators": ["primaryContactPresent"],
                "schema": {"type": "object", "required": ["contacts"]},
            },
        ],
        "submission": {"validators": ["vatNumberMatchesTenant"]},
    }
)
TENANT_CONTEXT = {"vat_number": "BE0477472701"}
COMPANY = {"vatNumber": "BE0477472701"}
CONTACTS = {"contacts": [{"name": "Ann", "role": "primary"}]}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)

    def context(self, principal):
        self.now += timedelta(seconds=1)
        return DecisionContext(principal=principal, now=self.now, tenant=TENANT_CONTEXT)


def run(state, command, principal, clock, log):
    events = decide(state, command, TEMPLATE, clock.context(principal))
    log.extend(events)
    return fold(events, state)


@pytest.fixture
def clock():
    return Clock()


def created(clock, log):
    command = CreateWorkflow(str(uuid.uuid4()), str(TENANT), "BRP", str(uuid.uuid4()))
    return run(None, command, PARTICIPANT, clock, log)


def test_happy_path_reaches_completed_and_the_log_folds_to_the_same_state(clock):
    log = []
    state = created(clock, log)
    assert state.status is WorkflowStatus.DRAFT
    state = run(state, StartWorkflow(), PARTICIPANT, clock, log)
    assert (state.status, state.current_step_id) == (WorkflowStatus.IN_PROGRESS, "company")
    state = run(state, ExecuteStep("company", COMPANY), PARTICIPANT, clock, log)
    assert state.current_step_id == "contacts"
    state = run(state, ExecuteStep("contacts", CONTACTS), PARTICIPANT, clock, log)
    assert (state.status, state.current_step_id) == (WorkflowStatus.AWAITING_VALIDATION, None)
    state = run(state, SubmitWorkflow(), PARTICIPANT, clock, log)
    assert state.status is WorkflowStatus.SUBMITTED
    state = run(state, ApproveWorkflow("welcome"), OPS, clock, log)
    assert state.status is WorkflowStatus.COMPLETED
    assert state.metadata["contractReference"].startswith("BRP-2026-")
    assert [e.seq for e in log] == list(range(1, 7))
    assert [e.type for e in log] == [
        EventType.WORKFLOW_CREATED,
        EventType.WORKFLOW_STARTED,
        EventType.STEP_COMPLETED,
        EventType.STEP_COMPLETED,
        EventType.WORKFLOW_SUBMITTED,
        EventType.WORKFLOW_APPROVED,
    ]
    assert log[-1].type is EventType.WORKFLOW_APPROVED
    assert fold(log) == state
    assert state.version == 6


def test_form_data_violating_the_schema_is_refused_with_field_paths(clock):
    log = []
    state = run(created(clock, log), StartWorkflow(), PARTICIPANT, clock, log)
    with pytest.raises(ValidationFailed) as raised:
        decide(
            state,
            ExecuteStep("company", {"vatNumber": "BE0477472702", "x": 1}),
            TEMPLATE,
            clock.context(PARTICIPANT),
        )
    assert {e.path for e in raised.value.errors} == {("vatNumber",), ("x",)}


def test_named_validator_runs_after_the_schema(clock):
    log = []
    state = run(created(clock, log), StartWorkflow(), PARTICIPANT, clock, log)
    state = run(state, ExecuteStep("company", COMPANY), PARTICIPANT, clock, log)
    with pytest.raises(ValidationFailed) as raised:
        decide(
            state,
            ExecuteStep("contacts", {"contacts": [{"role": "billing"}]}),
            TEMPLATE,
            clock.context(PARTICIPANT),
        )
    assert raised.value.errors[0].path == ("contacts",)


def test_only_the_current_step_can_be_executed(clock):
    log = []
    state = run(created(clock, log), StartWorkflow(), PARTICIPANT, clock, log)
    with pytest.raises(InvalidTransition):
        decide(state, ExecuteStep("contacts", CONTACTS), TEMPLATE, clock.context(PARTICIPANT))
    with pytest.raises(InvalidTransition):
        decide(state, ExecuteStep("nowhere", {}), TEMPLATE, clock.context(PARTICIPANT))


def submitted(clock, log):
    state = run(created(clock, log), StartWorkflow(), PARTICIPANT, clock, log)
    state = run(state, ExecuteStep("company", COMPANY), PARTICIPANT, clock, log)
    state = run(state, ExecuteStep("contacts", CONTACTS), PARTICIPANT, clock, log)
    return run(state, SubmitWorkflow(), PARTICIPANT, clock, log)


def test_participants_cannot_approve_their_own_submission(clock):
    state = submitted(clock, [])
    with pytest.raises(Forbidden):
        decide(state, ApproveWorkflow(), TEMPLATE, clock.context(PARTICIPANT))


def test_rejected_workflow_returns_to_in_progress_with_reason(clock):
    log = []
    state = submitted(clock, log)
    state = run(state, RejectWorkflow("  EAN list incomplete "), OPS, clock, log)
    assert state.status is WorkflowStatus.IN_PROGRESS
    assert state.current_step_id == "contacts"
    assert state.metadata["lastRejection"]["reason"] == "EAN list incomplete"
    assert state.step("contacts").status is StepStatus.ACTIVE
    assert state.step("contacts").data == CONTACTS  # kept so the form shows it again
    assert state.step("company").status is StepStatus.COMPLETED
    state = run(state, ExecuteStep("contacts", CONTACTS), PARTICIPANT, clock, log)
    state = run(state, SubmitWorkflow(), PARTICIPANT, clock, log)
    assert state.status is WorkflowStatus.SUBMITTED
    assert fold(log) == state


def test_rejection_needs_a_reason_and_a_completed_target(clock):
    state = submitted(clock, [])
    with pytest.raises(ValidationFailed):
        decide(state, RejectWorkflow("   "), TEMPLATE, clock.context(OPS))
    with pytest.raises(ValidationFailed):
        decide(state, RejectWorkflow("why", to_step_id="unknown"), TEMPLATE, clock.context(OPS))


def test_submission_validators_see_every_step_and_the_tenant(clock):
    log = []
    state = run(created(clock, log), StartWorkflow(), PARTICIPANT, clock, log)
    state = run(
        state, ExecuteStep("company", {"vatNumber": "BE0403170701"}), PARTICIPANT, clock, log
    )
    state = run(state, ExecuteStep("contacts", CONTACTS), PARTICIPANT, clock, log)
    with pytest.raises(ValidationFailed) as raised:
        decide(state, SubmitWorkflow(), TEMPLATE, clock.context(PARTICIPANT))
    assert raised.value.errors[0].path == ("company", "vatNumber")


def test_expected_version_mismatch_is_a_conflict(clock):
    log = []
    state = created(clock, log)
    with pytest.raises(Conflict):
        decide(state, StartWorkflow(expected_version=5), TEMPLATE, clock.context(PARTICIPANT))
    assert decide(state, StartWorkflow(expected_version=1), TEMPLATE, clock.context(PARTICIPANT))


def test_another_tenant_sees_nothing(clock):
    state = created(clock, [])
    with pytest.raises(NotFound):
        decide(state, StartWorkflow(), TEMPLATE, clock.context(STRANGER))
    with pytest.raises(Forbidden):
        decide(
            None,
            CreateWorkflow(str(uuid.uuid4()), str(TENANT), "BRP", "t"),
            TEMPLATE,
            clock.context(STRANGER),
        )


def test_allowed_actions_depend_on_status_and_role(clock):
    log = []
    state = created(clock, log)
    assert allowed_actions(state, TEMPLATE, PARTICIPANT) == [WorkflowAction.START]
    assert allowed_actions(state, TEMPLATE, STRANGER) == []
    state = submitted(clock, [])
    assert allowed_actions(state, TEMPLATE, PARTICIPANT) == []
    assert allowed_actions(state, TEMPLATE, OPS) == [WorkflowAction.APPROVE, WorkflowAction.REJECT]


@pytest.mark.parametrize(
    ("status_after", "command"),
    [
        ("DRAFT", SubmitWorkflow()),
        ("DRAFT", ApproveWorkflow()),
        ("DRAFT", ExecuteStep("company", COMPANY)),
    ],
)
def test_commands_out_of_order_are_invalid_transitions(clock, status_after, command):
    state = created(clock, [])
    assert state.status.value == status_after
    with pytest.raises((InvalidTransition, Forbidden)):
        decide(state, command, TEMPLATE, clock.context(OPS))


def test_a_gap_in_the_log_cannot_be_folded(clock):
    log = []
    state = run(created(clock, log), StartWorkflow(), PARTICIPANT, clock, log)
    with pytest.raises(CorruptEventLog):
        evolve(None, log[1])
    with pytest.raises(CorruptEventLog):
        fold([log[0], log[0]])
    assert state.version == 2


def test_create_for_a_role_the_template_is_not_for_is_refused(clock):
    role_template = parse_template(
        {**TEMPLATE.definition(), "key": "brp-only", "marketRole": "BRP"}
    )
    with pytest.raises(ValidationFailed):
        decide(
            None,
            CreateWorkflow("i", str(TENANT), "BSP", "t"),
            role_template,
            clock.context(PARTICIPANT),
        )
