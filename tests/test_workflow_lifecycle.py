"""Issue 3 over GraphQL: the whole lifecycle, idempotency keys, gates, rollback, stateAt."""

import asyncio

from wfm_testing.onboarding import (
    APPROVE,
    CREATE,
    EXECUTE,
    START,
    SUBMIT,
    drive,
    step_data,
    with_uploaded_guarantee,
)

WORKFLOW = """query($id: ID!) { workflow(id: $id) {
  status version currentStepId allowedActions
  events(first: 100) { totalCount edges { node { seq type stepId data } } }
} }"""
PAUSE = 'mutation($id: ID!, $k: String) { pauseWorkflow(workflowId: $id, reason: "holiday", idempotencyKey: $k) { status version } }'
RESUME = "mutation($id: ID!) { resumeWorkflow(workflowId: $id) { status version } }"
CANCEL = 'mutation($id: ID!) { cancelWorkflow(workflowId: $id, reason: "withdrawn") { status allowedActions } }'
FAIL = "mutation($id: ID!, $r: String!) { failWorkflow(workflowId: $id, reason: $r) { status } }"
VALIDATE = """mutation($id: ID!) { validateWorkflow(workflowId: $id) {
  workflowId version valid outstandingSteps steps { stepId status errors { path message } }
  submissionErrors { path message } } }"""
ROLLBACK = """mutation($id: ID!, $to: String!, $k: String) {
  rollbackWorkflow(workflowId: $id, toStepId: $to, idempotencyKey: $k) {
    status version currentStepId state { steps { id status } } } }"""
STATE_AT = """query($id: ID!, $seq: Int!) { workflow(id: $id) {
  stateAt(seq: $seq) { seq status currentStepId state { steps { id status data } } } } }"""
EXECUTE_KEYED = """mutation($id: ID!, $step: String!, $data: JSON!, $k: String) {
  executeStep(workflowId: $id, stepId: $step, data: $data, idempotencyKey: $k) { status version currentStepId }
}"""


async def events_of(gql, token, workflow_id):
    body = (await gql(WORKFLOW, {"id": workflow_id}, token=token)).ok()["workflow"]
    return [(e["node"]["seq"], e["node"]["type"]) for e in body["events"]["edges"]]


async def test_pause_resume_cancel(gql, factory):
    tenant = await factory.tenant()
    user = await factory.account("tenant_user", tenant)
    workflow_id = await drive(gql, tenant, user.token, until="IN_PROGRESS")
    assert (await gql(PAUSE, {"id": workflow_id}, token=user.token)).ok()["pauseWorkflow"][
        "status"
    ] == "PAUSED"
    data = step_data(tenant)["company-info"]
    blocked = await gql(
        EXECUTE, {"id": workflow_id, "step": "company-info", "data": data}, token=user.token
    )
    assert blocked.codes == ["INVALID_TRANSITION"]
    assert (await gql(RESUME, {"id": workflow_id}, token=user.token)).ok()["resumeWorkflow"][
        "status"
    ] == "IN_PROGRESS"
    cancelled = (await gql(CANCEL, {"id": workflow_id}, token=user.token)).ok()["cancelWorkflow"]
    assert cancelled == {"status": "CANCELLED", "allowedActions": []}
    assert (await gql(FAIL, {"id": workflow_id, "r": "x"}, token=user.token)).codes == ["FORBIDDEN"]


async def test_market_ops_fail_a_workflow_with_a_reason(gql, factory):
    tenant = await factory.tenant()
    user = await factory.account("tenant_user", tenant)
    ops = await factory.account("market_ops")
    workflow_id = await drive(gql, tenant, user.token, until="IN_PROGRESS")
    assert (await gql(FAIL, {"id": workflow_id, "r": "  "}, token=ops.token)).codes == [
        "VALIDATION_FAILED"
    ]
    assert (await gql(FAIL, {"id": workflow_id, "r": "registry down"}, token=ops.token)).ok()[
        "failWorkflow"
    ] == {"status": "FAILED"}


async def test_a_retried_mutation_returns_the_first_result_and_appends_nothing(gql, factory):
    tenant = await factory.tenant()
    user = await factory.account("tenant_user", tenant)
    workflow_id = await drive(gql, tenant, user.token, until="IN_PROGRESS")
    variables = {
        "id": workflow_id,
        "step": "company-info",
        "data": step_data(tenant)["company-info"],
        "k": "req-1",
    }
    first = (await gql(EXECUTE_KEYED, variables, token=user.token)).ok()["executeStep"]
    # the workflow moves on; then the client retries its first request
    (await gql(PAUSE, {"id": workflow_id}, token=user.token)).ok()
    again = (await gql(EXECUTE_KEYED, variables, token=user.token)).ok()["executeStep"]
    assert again == first == {"status": "IN_PROGRESS", "version": 3, "currentStepId": "contacts"}
    assert await events_of(gql, user.token, workflow_id) == [
        (1, "WORKFLOW_CREATED"),
        (2, "WORKFLOW_STARTED"),
        (3, "STEP_COMPLETED"),
        (4, "WORKFLOW_PAUSED"),
    ]
    reused = await gql(PAUSE, {"id": workflow_id, "k": "req-1"}, token=user.token)
    assert reused.codes == ["VALIDATION_FAILED"]


async def test_concurrent_copies_of_one_request_apply_once(gql, factory):
    tenant = await factory.tenant()
    user = await factory.account("tenant_user", tenant)
    workflow_id = await drive(gql, tenant, user.token, until="IN_PROGRESS")
    variables = {
        "id": workflow_id,
        "step": "company-info",
        "data": step_data(tenant)["company-info"],
        "k": "dup",
    }
    results = await asyncio.gather(
        *(gql(EXECUTE_KEYED, variables, token=user.token) for _ in range(4))
    )
    assert {r.ok()["executeStep"]["version"] for r in results} == {3}
    assert len(await events_of(gql, user.token, workflow_id)) == 3


async def test_create_with_an_idempotency_key_creates_one_workflow(gql, factory):
    tenant = await factory.tenant()
    user = await factory.account("tenant_user", tenant)
    create = """mutation($k: String) { createWorkflow(marketRole: GU, templateKey: "contract-onboarding", idempotencyKey: $k) { id version } }"""
    first = (await gql(create, {"k": "onboard-gu"}, token=user.token)).ok()["createWorkflow"]
    (await gql(START, {"id": first["id"]}, token=user.token)).ok()
    again = (await gql(create, {"k": "onboard-gu"}, token=user.token)).ok()["createWorkflow"]
    assert again == first == {"id": first["id"], "version": 1}
    listing = "{ workflows(first: 100) { edges { node { id } } } }"
    assert [
        e["node"]["id"] for e in (await gql(listing, token=user.token)).ok()["workflows"]["edges"]
    ] == [first["id"]]
    # another tenant may use the same key for its own workflow
    other = await factory.account("tenant_user", await factory.tenant())
    theirs = (await gql(create, {"k": "onboard-gu"}, token=other.token)).ok()["createWorkflow"]
    assert theirs["id"] != first["id"]


async def test_validate_reports_per_step_and_changes_nothing(gql, factory, owner_conn):
    tenant = await factory.tenant()
    user = await factory.account("tenant_user", tenant)
    workflow_id = await drive(gql, tenant, user.token, until="AWAITING_VALIDATION")
    report = (await gql(VALIDATE, {"id": workflow_id}, token=user.token)).ok()["validateWorkflow"]
    assert report["valid"] is True
    assert [(s["stepId"], s["status"]) for s in report["steps"]] == [
        ("company-info", "COMPLETED"),
        ("contacts", "COMPLETED"),
        ("balancing-perimeter", "COMPLETED"),
        ("financial-guarantee", "COMPLETED"),
        ("portfolio", "COMPLETED"),
        ("technical-review", "PENDING"),
    ]
    # the participant's registered VAT number changes: the dry run says so, nothing else moves
    await owner_conn.execute(
        "UPDATE wfm.tenants SET vat_number = 'BE0403170701' WHERE id = $1", tenant.id
    )
    report = (await gql(VALIDATE, {"id": workflow_id}, token=user.token)).ok()["validateWorkflow"]
    assert report["valid"] is False
    assert report["submissionErrors"][0]["path"] == ["company-info", "vatNumber"]
    assert report["version"] == 7
    assert len(await events_of(gql, user.token, workflow_id)) == 7
    assert (await gql(SUBMIT, {"id": workflow_id}, token=user.token)).codes == ["VALIDATION_FAILED"]


async def test_large_connections_need_a_technical_review_and_four_eyes(gql, factory, storage):
    tenant = await factory.tenant()
    user = await factory.account("tenant_admin", tenant)
    reviewer = await factory.account("market_ops")
    approver = await factory.account("market_ops")
    workflow_id = (await gql(CREATE, {"role": "BRP"}, token=user.token)).ok()["createWorkflow"][
        "id"
    ]
    (await gql(START, {"id": workflow_id}, token=user.token)).ok()
    data = await with_uploaded_guarantee(gql, user.token, workflow_id, step_data(tenant))
    data["portfolio"]["accessPoints"][0]["capacityKw"] = 40_000
    for step, values in data.items():
        result = (
            await gql(EXECUTE, {"id": workflow_id, "step": step, "data": values}, token=user.token)
        ).ok()
    assert result["executeStep"]["currentStepId"] == "technical-review"
    review = {"id": workflow_id, "step": "technical-review", "data": {"decision": "approve"}}
    assert (await gql(EXECUTE, review, token=user.token)).codes == ["FORBIDDEN"]
    assert (await gql(EXECUTE, review, token=reviewer.token)).ok()["executeStep"][
        "status"
    ] == "AWAITING_VALIDATION"
    (await gql(SUBMIT, {"id": workflow_id}, token=user.token)).ok()
    # the reviewer completed the step before the approval: four eyes refuses the same person
    refused = await gql(APPROVE, {"id": workflow_id}, token=reviewer.token)
    assert refused.codes == ["GATE_FAILED"]
    assert refused.errors[0]["extensions"]["failedGates"][0]["gate"] == "fourEyes"
    events = await events_of(gql, user.token, workflow_id)
    assert events[-1] == (10, "GATE_FAILED")  # the refusal is on record
    approved = (await gql(APPROVE, {"id": workflow_id}, token=approver.token)).ok()[
        "approveWorkflow"
    ]
    assert (approved["status"], approved["version"]) == ("COMPLETED", 11)


async def without_the_guarantee_copy(gql, tenant, token):
    """A BRP onboarding whose steps are all done, the guarantee's copy forgotten: its id,
    the data given, and the guarantee as it should have been."""
    workflow_id = (await gql(CREATE, {"role": "BRP"}, token=token)).ok()["createWorkflow"]["id"]
    (await gql(START, {"id": workflow_id}, token=token)).ok()
    data = step_data(tenant)  # the guarantee without its copy
    with_copy = await with_uploaded_guarantee(gql, token, workflow_id, data)
    guarantee = with_copy["financial-guarantee"]
    for step, values in data.items():
        (await gql(EXECUTE, {"id": workflow_id, "step": step, "data": values}, token=token)).ok()
    return workflow_id, data, guarantee


async def test_a_submission_refused_by_a_gate_is_corrected_by_going_back_a_step(gql, factory):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    workflow_id, data, guarantee = await without_the_guarantee_copy(gql, tenant, admin.token)
    assert (await gql(SUBMIT, {"id": workflow_id}, token=admin.token)).codes == ["GATE_FAILED"]
    # back to the step before the guarantee: the guarantee and the portfolio after it reopen
    back = await gql(ROLLBACK, {"id": workflow_id, "to": "balancing-perimeter"}, token=admin.token)
    rolled = back.ok()["rollbackWorkflow"]
    assert (rolled["status"], rolled["currentStepId"]) == ("IN_PROGRESS", "financial-guarantee")
    for step, values in (("financial-guarantee", guarantee), ("portfolio", data["portfolio"])):
        (
            await gql(EXECUTE, {"id": workflow_id, "step": step, "data": values}, token=admin.token)
        ).ok()
    report = (await gql(VALIDATE, {"id": workflow_id}, token=admin.token)).ok()
    assert report["validateWorkflow"]["valid"] is True
    submitted = (await gql(SUBMIT, {"id": workflow_id}, token=admin.token)).ok()
    assert submitted["submitWorkflow"]["status"] == "SUBMITTED"


async def test_rollback_over_the_api(gql, factory):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    user = await factory.account("tenant_user", tenant)
    workflow_id = await drive(gql, tenant, admin.token, until="IN_PROGRESS")
    data = step_data(tenant)
    for step in ("company-info", "contacts"):
        (
            await gql(
                EXECUTE, {"id": workflow_id, "step": step, "data": data[step]}, token=admin.token
            )
        ).ok()
    assert (
        await gql(ROLLBACK, {"id": workflow_id, "to": "company-info"}, token=user.token)
    ).codes == ["FORBIDDEN"]
    rolled = (
        await gql(
            ROLLBACK, {"id": workflow_id, "to": "company-info", "k": "rb-1"}, token=admin.token
        )
    ).ok()
    rolled = rolled["rollbackWorkflow"]
    assert (rolled["status"], rolled["currentStepId"]) == ("IN_PROGRESS", "contacts")
    assert [s["status"] for s in rolled["state"]["steps"]][:3] == ["COMPLETED", "ACTIVE", "PENDING"]
    assert (await events_of(gql, admin.token, workflow_id))[-2:] == [
        (5, "STEP_COMPENSATED"),
        (6, "WORKFLOW_ROLLED_BACK"),
    ]
    again = (
        await gql(
            ROLLBACK, {"id": workflow_id, "to": "company-info", "k": "rb-1"}, token=admin.token
        )
    ).ok()
    assert again["rollbackWorkflow"]["version"] == 6
    assert len(await events_of(gql, admin.token, workflow_id)) == 6


async def test_state_at_shows_the_past(gql, factory):
    tenant = await factory.tenant()
    user = await factory.account("tenant_user", tenant)
    workflow_id = await drive(gql, tenant, user.token, until="SUBMITTED")
    past = (await gql(STATE_AT, {"id": workflow_id, "seq": 3}, token=user.token)).ok()["workflow"][
        "stateAt"
    ]
    assert (past["seq"], past["status"], past["currentStepId"]) == (3, "IN_PROGRESS", "contacts")
    assert [s["status"] for s in past["state"]["steps"]] == [
        "COMPLETED",
        "ACTIVE",
        "PENDING",
        "PENDING",
        "PENDING",
        "PENDING",
    ]
    assert past["state"]["steps"][0]["data"]["vatNumber"] == tenant.vat_number
    now = (await gql(STATE_AT, {"id": workflow_id, "seq": 8}, token=user.token)).ok()["workflow"][
        "stateAt"
    ]
    assert now["status"] == "SUBMITTED"
    assert (await gql(STATE_AT, {"id": workflow_id, "seq": 99}, token=user.token)).codes == [
        "VALIDATION_FAILED"
    ]


async def test_identifiers_typed_loosely_are_stored_in_one_spelling(gql, factory):
    tenant = await factory.tenant()
    user = await factory.account("tenant_user", tenant)
    workflow_id = await drive(gql, tenant, user.token, until="IN_PROGRESS")
    data = step_data(tenant)["company-info"]
    vat = data["vatNumber"]
    loose = f"{vat[:2].lower()} {vat[2:6]}.{vat[6:9]}.{vat[9:]}"  # be 0456.789.034
    executed = await gql(
        EXECUTE,
        {"id": workflow_id, "step": "company-info", "data": {**data, "vatNumber": loose}},
        token=user.token,
    )
    executed.ok()
    query = """query($id: ID!) { workflow(id: $id) { state { steps { id data } } } }"""
    steps = (await gql(query, {"id": workflow_id}, token=user.token)).ok()["workflow"]
    company = next(s for s in steps["state"]["steps"] if s["id"] == "company-info")
    assert company["data"]["vatNumber"] == vat


async def test_a_review_not_needed_shows_skipped_once_the_steps_are_done(gql, factory):
    tenant = await factory.tenant()
    user = await factory.account("tenant_user", tenant)
    workflow_id = await drive(gql, tenant, user.token, until="AWAITING_VALIDATION")
    query = "query($id: ID!) { workflow(id: $id) { status state { steps { id status } } } }"
    workflow = (await gql(query, {"id": workflow_id}, token=user.token)).ok()["workflow"]
    statuses = {s["id"]: s["status"] for s in workflow["state"]["steps"]}
    assert workflow["status"] == "AWAITING_VALIDATION"
    assert statuses["technical-review"] == "SKIPPED"  # a small portfolio needs none
    assert statuses["company-info"] == "COMPLETED"


async def test_validate_reports_the_submissions_gates_so_valid_means_submit_succeeds(gql, factory):
    tenant = await factory.tenant()
    user = await factory.account("tenant_user", tenant)
    workflow_id, _, _ = await without_the_guarantee_copy(gql, tenant, user.token)
    report = (await gql(VALIDATE, {"id": workflow_id}, token=user.token)).ok()["validateWorkflow"]
    assert report["valid"] is False
    assert ["gates", "allRequiredDocumentsPresent"] in [
        e["path"] for e in report["submissionErrors"]
    ]
    refused = await gql(SUBMIT, {"id": workflow_id}, token=user.token)
    assert refused.codes == ["GATE_FAILED"]
