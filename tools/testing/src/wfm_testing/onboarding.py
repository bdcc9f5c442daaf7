"""Valid data for the steps of the contract-onboarding template, and the GraphQL to drive it."""

from __future__ import annotations

from typing import Any

from wfm_devkit.step_data import (
    BRP_STEPS,
    GUARANTEE_COPY,
    GUARANTEE_STEP,
    guarantee_copy,
    step_data,
    with_guarantee_copy,
)
from wfm_storage.records import Tenant
from wfm_testing.files import uploaded_file_id
from wfm_testing.graphql import GraphQLClient

__all__ = [
    "APPROVE",
    "BRP_STEPS",
    "CREATE",
    "EXECUTE",
    "REJECT",
    "START",
    "STEP_IDS",
    "SUBMIT",
    "complete_steps",
    "drive",
    "step_data",
    "with_uploaded_guarantee",
]

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


async def with_uploaded_guarantee(
    gql: GraphQLClient, token: str, workflow_id: str, book: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """`book` with the copy of the BRP's bank guarantee uploaded to the workflow (`POST
    /files`) and named in the guarantee step's data, as a participant attaches it."""
    file_id = await uploaded_file_id(
        gql, token, workflow_id, GUARANTEE_STEP, GUARANTEE_COPY, guarantee_copy()
    )
    return {**book, GUARANTEE_STEP: with_guarantee_copy(book[GUARANTEE_STEP], file_id)}


async def complete_steps(
    gql: GraphQLClient,
    tenant: Tenant,
    token: str,
    workflow_id: str,
    data: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Execute the current step with its data until the steps are done; the last result.
    The BRP's guarantee step gets its copy uploaded first, unless its data names one."""
    book = data or step_data(tenant)
    query = "query($id: ID!) { workflow(id: $id) { currentStepId } }"
    current = (await gql(query, {"id": workflow_id}, token=token)).ok()["workflow"]["currentStepId"]
    result: dict[str, Any] = {}
    while current is not None:
        if current not in book:
            raise AssertionError(f"no test data for step {current!r}")
        if current == GUARANTEE_STEP and "documents" not in book[current]:
            book = await with_uploaded_guarantee(gql, token, workflow_id, book)
        variables = {"id": workflow_id, "step": current, "data": book[current]}
        result = (await gql(EXECUTE, variables, token=token)).ok()["executeStep"]
        current = result["currentStepId"]
    return result
