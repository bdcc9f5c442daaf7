"""The extension's registration and its quality gate, without a server."""

import uuid
from datetime import UTC, datetime

from wfm_engine import (
    CreateWorkflow,
    DecisionContext,
    ExecuteStep,
    GateCheck,
    GateContext,
    GateRegistry,
    StartWorkflow,
    decide,
    fold,
)
from wfm_engine.validators import ValidatorRegistry
from wfm_ext_vendor_onboarding import register
from wfm_ext_vendor_onboarding.registration import STEP_TYPE
from wfm_ext_vendor_onboarding.security import GATE, security_questionnaire_complete
from wfm_shared.principal import principal_for
from wfm_workflows.catalog import catalog_templates
from wfm_workflows.extensions import ExtensionContext, load_catalog

TENANT = uuid.uuid4()
VENDOR = principal_for(uuid.uuid4(), TENANT, "tenant_admin")
TEMPLATE = next(t for t in catalog_templates() if t.key == "vendor-onboarding")
# the installation's registries: the extension's validator and gate among them
ENGINE = load_catalog().registries.engine
ALL_YES = dict.fromkeys(
    [
        "iso27001Certified",
        "mfaEnforced",
        "dataStoredInEu",
        "encryptionAtRest",
        "incidentNotification24h",
        "subcontractorsDisclosed",
    ],
    "yes",
)
CTX = DecisionContext(principal=VENDOR, now=datetime(2026, 11, 22, 9, 0, tzinfo=UTC))
COMPANY = {
    "companyName": "Kortrijk Cloud BV",
    "enterpriseNumber": "0477.472.701",
    "address": {"street": "Ringlaan 5", "postalCode": "8500", "city": "Kortrijk", "country": "BE"},
    "serviceCategory": "hosting",
    "contact": {"name": "Els Maes", "email": "els@example.test"},
}
BANK = {"accountHolder": "Kortrijk Cloud BV", "iban": "BE68 5390 0754 7034", "bic": "GKCCBEBB"}


def new_workflow():
    created = CreateWorkflow(str(uuid.uuid4()), str(TENANT), "ESP", "tpl")
    state = fold(decide(None, created, TEMPLATE, CTX, ENGINE).events)
    return fold(decide(state, StartWorkflow(), TEMPLATE, CTX, ENGINE).events, state)


async def gate(questionnaire):
    check = GateCheck(GATE, "EXECUTE_STEP", "security-questionnaire", "contract-approval")
    steps = {"security-questionnaire": questionnaire}
    context = GateContext(check, new_workflow(), VENDOR, steps, {})
    return await security_questionnaire_complete(context)


def test_register_adds_the_validator_the_gate_the_system_step_and_the_template():
    context = ExtensionContext(
        "vendor-onboarding", validators=ValidatorRegistry(), gates=GateRegistry()
    )
    register(context)
    assert "ibanValid" in context.validators
    assert GATE in context.gates
    assert context.step_handlers.get(STEP_TYPE).system
    assert STEP_TYPE in context.step_runners  # the worker runs it
    [source] = context.sources
    assert source.origin.endswith("templates/vendor-onboarding.yaml")
    assert (source.definition["key"], source.definition["version"]) == ("vendor-onboarding", 1)
    assert "marketRole" not in source.definition  # usable with any market role


def test_the_gate_guards_the_way_to_contract_approval():
    state = new_workflow()
    for step_id, data in (("company-details", COMPANY), ("bank-account", BANK)):
        state = fold(decide(state, ExecuteStep(step_id, data), TEMPLATE, CTX, ENGINE).events, state)
    command = ExecuteStep("security-questionnaire", {"answers": ALL_YES})
    decision = decide(state, command, TEMPLATE, CTX, ENGINE)
    assert [(g.gate, g.target) for g in decision.gates] == [(GATE, "contract-approval")]


async def test_a_complete_questionnaire_passes_the_gate():
    result = await gate({"answers": {**ALL_YES, "iso27001Certified": "notApplicable"}})
    assert (result.gate, result.passed) == (GATE, True)


async def test_a_no_with_a_remediation_plan_passes_the_gate():
    plan = {"question": "mfaEnforced", "plan": "MFA for all admins", "dueDate": "2027-03-31"}
    result = await gate({"answers": {**ALL_YES, "mfaEnforced": "no"}, "remediations": [plan]})
    assert result.passed


async def test_unknown_answers_and_unplanned_gaps_fail_the_gate_with_reasons():
    answers = {**ALL_YES, "dataStoredInEu": "unknown", "mfaEnforced": "no"}
    result = await gate({"answers": answers})
    assert not result.passed
    assert result.reason == "unanswered: dataStoredInEu; no remediation plan for: mfaEnforced"
    assert not (await gate({})).passed
