"""BRP and BSP onboardings driven through the pure engine: decide, gates, fold."""

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from wfm_engine import (
    CreateWorkflow,
    DecisionContext,
    ExecuteStep,
    FileFacts,
    GateContext,
    GateFailed,
    StartWorkflow,
    SubmitWorkflow,
    WorkflowStatus,
    decide,
    fold,
)
from wfm_shared.errors import Forbidden, ValidationFailed
from wfm_shared.principal import principal_for
from wfm_workflows.extensions import load_catalog

# the installation's registries: the market roles' validators among them
REGISTRIES = load_catalog().registries
ENGINE = REGISTRIES.engine
TENANT_ID = uuid.uuid4()
PARTICIPANT = principal_for(uuid.uuid4(), TENANT_ID, "tenant_admin")
OPS = principal_for(uuid.uuid4(), None, "market_ops")
OTHER_OPS = principal_for(uuid.uuid4(), None, "market_ops")
TENANT = {"vat_number": "BE0477472701"}

COMPANY = {
    "companyName": "Flanders Flex NV",
    "vatNumber": "BE 0477.472.701",
    "address": {"street": "Kaai 12", "postalCode": "9000", "city": "Gent", "country": "BE"},
}
CONTACTS = {
    "contacts": [
        {
            "name": "Pieter Claes",
            "email": "pieter@flanders-flex.be",
            "role": "primary",
            "language": "nl",
        },
        {"name": "Sofie Peeters", "email": "dispatch@flanders-flex.be", "role": "operations"},
    ]
}
PORTFOLIO = {
    "accessPoints": [
        {
            "ean": "541454300000000013",
            "name": "Gent Zeehaven",
            "direction": "both",
            "capacityKw": 12500,
        },
        {
            "ean": "541454300000000020",
            "name": "Eeklo WKK",
            "direction": "injection",
            "capacityKw": 7500,
        },
    ]
}


class Onboarding:
    """One workflow instance: each command is decided, its gates evaluated as the service
    evaluates them, and its events folded into the state."""

    def __init__(self, template, market_role):
        self.template = template
        self.now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
        create = CreateWorkflow(str(uuid.uuid4()), str(TENANT_ID), market_role, str(uuid.uuid4()))
        self.state = fold(decide(None, create, template, self.context(PARTICIPANT), ENGINE).events)
        # the files uploaded to it, as the service reads them for the gates
        self.files: dict[str, FileFacts] = {}

    def upload(self, step_id, *, content_type="application/pdf", status="clean"):
        """A file uploaded to a step of this workflow; its id."""
        file_id = str(uuid.uuid4())
        self.files[file_id] = FileFacts(
            file_id, str(TENANT_ID), self.state.id, step_id, "copy.pdf", content_type, status
        )
        return file_id

    def context(self, principal):
        self.now += timedelta(minutes=1)
        return DecisionContext(principal=principal, now=self.now, tenant=TENANT)

    async def run(self, command, principal=PARTICIPANT):
        ctx = self.context(principal)
        decision = decide(self.state, command, self.template, ctx, ENGINE)
        if decision.gates:
            steps = dict(self.state.completed_data())
            steps |= {e.step_id: e.data["data"] for e in decision.events if e.step_id}
            configs = {s.id: s.config for s in self.template.steps}
            results = {
                check.gate: await REGISTRIES.gates.evaluate(
                    GateContext(check, self.state, principal, steps, configs, TENANT, self.files)
                )
                for check in decision.gates
            }
            # deciding again with the results raises GateFailed when one failed
            decide(
                self.state,
                command,
                self.template,
                dataclasses.replace(ctx, gate_results=results),
                ENGINE,
            )
        self.state = fold(decision.events, self.state)
        return self.state

    async def fill(self, *steps, principal=PARTICIPANT):
        for step_id, data in steps:
            await self.run(ExecuteStep(step_id, data), principal)
        return self.state


def refused_paths(raised):
    return sorted(e.path for e in raised.value.errors)


# -- BRP ----------------------------------------------------------------------------

PERIMETER = {
    "eicCode": "22XARDENNES-ENE6",
    "accessPoints": [
        {"ean": "541454300000000013", "name": "Gent Zeehaven", "capacityMw": 12.5},
        {"ean": "541454300000000037", "name": "Customer Aalst", "capacityMw": 7.5},
    ],
}
GUARANTEE = {
    "amountEur": 100000,
    "issuingBank": {"name": "KBC Bank NV", "bic": "KREDBEBB"},
    "validUntil": "2028-12-31",
    "documentReference": "KBC-GAR-2026-004512",
}


def with_copy(file_id):
    """The guarantee, its copy the file `file_id`."""
    return {
        **GUARANTEE,
        "documents": [
            {"type": "bank-guarantee", "fileId": file_id, "name": "bankwaarborg-kbc-2026.pdf"}
        ],
    }


@pytest.fixture
async def brp(onboarding):
    workflow = Onboarding(onboarding["BRP"], "BRP")
    await workflow.run(StartWorkflow())
    await workflow.fill(("company-info", COMPANY), ("contacts", CONTACTS))
    return workflow


async def test_brp_onboarding_with_a_sufficient_guarantee_awaits_validation_then_submits(brp):
    copy = brp.upload("financial-guarantee")
    state = await brp.fill(
        ("balancing-perimeter", PERIMETER), ("financial-guarantee", with_copy(copy))
    )
    assert state.current_step_id == "portfolio"
    state = await brp.fill(("portfolio", PORTFOLIO))
    assert (state.status, state.current_step_id) == (WorkflowStatus.AWAITING_VALIDATION, None)
    assert state.path == (
        "company-info",
        "contacts",
        "balancing-perimeter",
        "financial-guarantee",
        "portfolio",
    )
    assert (await brp.run(SubmitWorkflow())).status is WorkflowStatus.SUBMITTED


async def test_brp_guarantee_below_the_perimeter_exposure_is_refused(brp):
    await brp.fill(("balancing-perimeter", PERIMETER))
    with pytest.raises(ValidationFailed) as raised:
        await brp.run(ExecuteStep("financial-guarantee", {**GUARANTEE, "amountEur": 75000}))
    assert refused_paths(raised) == [("amountEur",)]
    assert brp.state.current_step_id == "financial-guarantee"


async def test_brp_perimeter_with_invalid_codes_is_refused_with_field_paths(brp):
    perimeter = {
        "eicCode": "22XARDENNES-ENE7",  # wrong check character
        "accessPoints": [
            {"ean": "541454300000000014", "capacityMw": 12.5},  # wrong GS1 check digit
            {"ean": "541454300000000037", "capacityMw": 0},
        ],
    }
    with pytest.raises(ValidationFailed) as raised:
        await brp.run(ExecuteStep("balancing-perimeter", perimeter))
    assert refused_paths(raised) == [
        ("accessPoints", 0, "ean"),
        ("accessPoints", 1, "capacityMw"),
        ("eicCode",),
    ]


async def test_brp_submission_waits_for_a_copy_of_the_bank_guarantee(brp):
    await brp.fill(
        ("balancing-perimeter", PERIMETER),
        ("financial-guarantee", GUARANTEE),
        ("portfolio", PORTFOLIO),
    )
    with pytest.raises(GateFailed) as raised:
        await brp.run(SubmitWorkflow())
    assert raised.value.failed[0].reason == "missing documents: financial-guarantee:bank-guarantee"
    assert brp.state.status is WorkflowStatus.AWAITING_VALIDATION


async def test_brp_submission_waits_for_the_copy_to_be_scanned_clean(brp):
    copy = brp.upload("financial-guarantee", status="pending")
    await brp.fill(
        ("balancing-perimeter", PERIMETER),
        ("financial-guarantee", with_copy(copy)),
        ("portfolio", PORTFOLIO),
    )
    with pytest.raises(GateFailed) as raised:
        await brp.run(SubmitWorkflow())
    assert raised.value.failed[0].reason == (
        "financial-guarantee: the bank-guarantee file is still being scanned for viruses: "
        "try again shortly"
    )
    brp.files[copy] = dataclasses.replace(brp.files[copy], status="clean")
    assert (await brp.run(SubmitWorkflow())).status is WorkflowStatus.SUBMITTED


# -- BSP ----------------------------------------------------------------------------

SERVICES = {
    "deliveryPoints": [
        {"ean": "541454300000000013", "name": "Battery Zeehaven", "maxPowerMw": 10},
        {"ean": "541454300000000020", "name": "WKK Eeklo", "maxPowerMw": 12},
    ],
    "services": [
        {"product": "FCR", "capacityMw": 4, "deliveryPoints": ["541454300000000013"]},
        {
            "product": "aFRR",
            "capacityMw": 18,
            "deliveryPoints": ["541454300000000013", "541454300000000020"],
        },
    ],
}


@pytest.fixture
async def bsp(onboarding):
    workflow = Onboarding(onboarding["BSP"], "BSP")
    await workflow.run(StartWorkflow())
    await workflow.fill(("company-info", COMPANY), ("contacts", CONTACTS))
    return workflow


async def test_bsp_onboarding_is_prequalified_by_market_ops_then_awaits_validation(bsp):
    state = await bsp.fill(("balancing-services", SERVICES))
    assert state.current_step_id == "prequalification"
    with pytest.raises(Forbidden):
        await bsp.run(ExecuteStep("prequalification", {"decision": "approve"}))
    state = await bsp.run(
        ExecuteStep(
            "prequalification", {"decision": "approve", "comment": "FCR and aFRR tests passed"}
        ),
        OPS,
    )
    assert state.current_step_id == "portfolio"
    assert state.step("prequalification").completed_by == str(OPS.user_id)
    state = await bsp.fill(("portfolio", PORTFOLIO))
    assert (state.status, state.current_step_id) == (WorkflowStatus.AWAITING_VALIDATION, None)


async def test_bsp_services_beyond_the_delivery_points_are_refused_with_field_paths(bsp):
    services = {
        "deliveryPoints": SERVICES["deliveryPoints"],
        "services": [
            {
                "product": "aFRR",
                "capacityMw": 25,
                "deliveryPoints": ["541454300000000013", "541454300000000020"],
            },
            {"product": "aFRR", "capacityMw": 2, "deliveryPoints": ["541454300000000037"]},
        ],
    }
    with pytest.raises(ValidationFailed) as raised:
        await bsp.run(ExecuteStep("balancing-services", services))
    assert refused_paths(raised) == [
        ("services", 0, "capacityMw"),
        ("services", 1, "capacityMw"),
        ("services", 1, "deliveryPoints", 0),
        ("services", 1, "product"),
    ]


async def test_bsp_services_entered_by_an_operator_are_prequalified_by_another(bsp):
    await bsp.fill(("balancing-services", SERVICES), principal=OPS)
    decision = {"decision": "approve"}
    with pytest.raises(GateFailed) as raised:
        await bsp.run(ExecuteStep("prequalification", decision), OPS)
    assert [r.gate for r in raised.value.failed] == ["fourEyes"]
    state = await bsp.run(ExecuteStep("prequalification", decision), OTHER_OPS)
    assert state.current_step_id == "portfolio"


async def test_bsp_failed_prequalification_returns_to_the_balancing_services(bsp):
    await bsp.fill(("balancing-services", SERVICES))
    rejection = {"decision": "reject", "comment": "aFRR ramp test failed on WKK Eeklo"}
    state = await bsp.run(ExecuteStep("prequalification", rejection), OPS)
    assert state.current_step_id == "balancing-services"
    assert state.status is WorkflowStatus.IN_PROGRESS
