"""Valid data for the steps of the contract-onboarding template, and the GraphQL to drive it."""

from __future__ import annotations

from typing import Any

from wfm_storage.records import Tenant
from wfm_testing.factories import ean18
from wfm_testing.graphql import GraphQLClient

STEP_IDS = ("company-info", "contacts", "portfolio")

CREATE = """
mutation($role: MarketRole!, $tenantId: ID) {
  createWorkflow(marketRole: $role, templateKey: "contract-onboarding", tenantId: $tenantId) {
    id status version
  }
}"""
START = "mutation($id: ID!) { startWorkflow(workflowId: $id) { id status currentStepId version } }"
EXECUTE = """
mutation($id: ID!, $step: String!, $data: JSON!, $expected: Int) {
  executeStep(workflowId: $id, stepId: $step, data: $data, expectedVersion: $expected) {
    id status currentStepId version
  }
}"""
SUBMIT = "mutation($id: ID!) { submitWorkflow(workflowId: $id) { id status version } }"
APPROVE = 'mutation($id: ID!) { approveWorkflow(workflowId: $id, comment: "welcome") { id status version } }'
REJECT = """
mutation($id: ID!, $reason: String!) {
  rejectWorkflow(workflowId: $id, reason: $reason) { id status currentStepId version }
}"""


def step_data(tenant: Tenant, seed: int = 1, role: str = "BRP") -> dict[str, dict[str, Any]]:
    """Valid data for every step of a contract onboarding for `role` (BRP or GU): the base
    template's company-info, contacts and portfolio, and the role's own steps (the BRP's
    balancing-perimeter and financial-guarantee; the GU's grid-connection)."""
    main, solar = ean18(seed * 10 + 1), ean18(seed * 10 + 2)
    book = _brp_step_data(tenant, seed, main, solar)
    if role == "BRP":
        return book
    if role == "GU":
        base = {s: book[s] for s in ("company-info", "contacts")}
        grid = {
            "connections": [
                {
                    "ean": main,
                    "substation": "Villers",
                    "voltageKv": 36,
                    "contractedCapacityMva": 10,
                },
                {
                    "ean": solar,
                    "substation": "Villers",
                    "voltageKv": 36,
                    "contractedCapacityMva": 5,
                },
            ]
        }
        return {**base, "grid-connection": grid, "portfolio": book["portfolio"]}
    raise ValueError(f"no test data for the {role} onboarding")


def _brp_step_data(tenant: Tenant, seed: int, main: str, solar: str) -> dict[str, dict[str, Any]]:
    return {
        "company-info": {
            "companyName": tenant.company_name,
            "vatNumber": tenant.vat_number,
            "address": {
                "street": "Rue de la Loi 16",
                "postalCode": "1000",
                "city": "Brussels",
                "country": "BE",
            },
        },
        "contacts": {
            "contacts": [
                {
                    "name": "Lea Peeters",
                    "email": "lea@example.test",
                    "role": "primary",
                    "language": "nl",
                },
                {"name": "Marc Dubois", "email": "marc@example.test", "role": "technical"},
            ]
        },
        "balancing-perimeter": {
            "eicCode": "22XARDENNES-ENE6",
            "accessPoints": [
                {"ean": main, "name": "Main site", "capacityMw": 2.5},
                {"ean": solar, "name": "Solar park", "capacityMw": 1.2},
            ],
        },
        "financial-guarantee": {
            "amountEur": 75000,
            "issuingBank": {"name": "KBC Bank NV", "bic": "KREDBEBB"},
            "validUntil": "2028-12-31",
            "documentReference": f"KBC-GAR-2026-{seed:06d}",
            "documents": [{"type": "bank-guarantee", "name": "guarantee.pdf"}],
        },
        "portfolio": {
            "accessPoints": [
                {"ean": main, "name": "Main site", "direction": "offtake", "capacityKw": 2500},
                {"ean": solar, "name": "Solar park", "direction": "injection"},
            ]
        },
    }


BRP_STEPS = ("company-info", "contacts", "balancing-perimeter", "financial-guarantee", "portfolio")


STAGES = ("DRAFT", "IN_PROGRESS", "AWAITING_VALIDATION", "SUBMITTED", "COMPLETED")


async def drive(
    gql: GraphQLClient,
    tenant: Tenant,
    token: str,
    *,
    until: str = "SUBMITTED",
    ops_token: str | None = None,
    role: str = "BRP",
) -> str:
    """Create a contract onboarding (the BRP variant by default) for `tenant` and take it
    to the stage `until`."""
    workflow_id: str = (await gql(CREATE, {"role": role}, token=token)).ok()["createWorkflow"]["id"]
    stage = STAGES.index(until)
    if stage >= 1:
        (await gql(START, {"id": workflow_id}, token=token)).ok()
    if stage >= 2:
        await complete_steps(gql, tenant, token, workflow_id, step_data(tenant, role=role))
    if stage >= 3:
        (await gql(SUBMIT, {"id": workflow_id}, token=token)).ok()
    if stage >= 4:
        assert ops_token, "approving needs a market operations token"
        (await gql(APPROVE, {"id": workflow_id}, token=ops_token)).ok()
    return workflow_id


async def complete_steps(
    gql: GraphQLClient,
    tenant: Tenant,
    token: str,
    workflow_id: str,
    data: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Execute the current step with its data until the steps are done; the last result."""
    book = data or step_data(tenant)
    query = "query($id: ID!) { workflow(id: $id) { currentStepId } }"
    current = (await gql(query, {"id": workflow_id}, token=token)).ok()["workflow"]["currentStepId"]
    result: dict[str, Any] = {}
    while current is not None:
        if current not in book:
            raise AssertionError(f"no test data for step {current!r}")
        variables = {"id": workflow_id, "step": current, "data": book[current]}
        result = (await gql(EXECUTE, variables, token=token)).ok()["executeStep"]
        current = result["currentStepId"]
    return result
