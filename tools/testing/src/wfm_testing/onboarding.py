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


def step_data(tenant: Tenant, seed: int = 1) -> dict[str, dict[str, Any]]:
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
        "portfolio": {
            "accessPoints": [
                {
                    "ean": ean18(seed * 10 + 1),
                    "name": "Main site",
                    "direction": "offtake",
                    "capacityKw": 2500,
                },
                {"ean": ean18(seed * 10 + 2), "name": "Solar park", "direction": "injection"},
            ]
        },
    }


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
    """Create a contract onboarding for `tenant` and take it to the stage `until`."""
    workflow_id: str = (await gql(CREATE, {"role": role}, token=token)).ok()["createWorkflow"]["id"]
    stage = STAGES.index(until)
    if stage >= 1:
        (await gql(START, {"id": workflow_id}, token=token)).ok()
    if stage >= 2:
        for step, data in step_data(tenant).items():
            (await gql(EXECUTE, {"id": workflow_id, "step": step, "data": data}, token=token)).ok()
    if stage >= 3:
        (await gql(SUBMIT, {"id": workflow_id}, token=token)).ok()
    if stage >= 4:
        assert ops_token, "approving needs a market operations token"
        (await gql(APPROVE, {"id": workflow_id}, token=ops_token)).ok()
    return workflow_id
