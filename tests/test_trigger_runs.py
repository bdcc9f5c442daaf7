"""Triggers kept through GraphQL: changed (checked as on creation, every problem at once),
switched off and on, each audited; manual triggers run with an input checked against their
JSON Schema and mapped into the new workflow's variables; every run logged (`triggerRuns`,
newest first, paged); and another tenant's trigger answering exactly like an unknown one."""

import uuid

import pytest

from wfm_shared.principal import system_principal
from wfm_testing.factories import ean18
from wfm_testing.triggers import ACCESS_POINT, SCHEDULE, create_trigger

TRIGGER_FIELDS = """
  id tenantId name kind cron timezone eventType filter inputSchema variables hookUrl
  signingSecret templateKey marketRole active enabledAt updatedAt
"""
CREATE = create_trigger(TRIGGER_FIELDS)
UPDATE = f"""
mutation($id: ID!, $name: String, $cron: String, $timezone: String, $eventType: String,
         $filter: JSON, $inputSchema: JSON, $variables: JSON) {{
  updateWorkflowTrigger(id: $id, name: $name, cron: $cron, timezone: $timezone,
                        eventType: $eventType, filter: $filter, inputSchema: $inputSchema,
                        variables: $variables) {{ {TRIGGER_FIELDS} }}
}}"""
ENABLE = f"mutation($id: ID!) {{ enableWorkflowTrigger(id: $id) {{ {TRIGGER_FIELDS} }} }}"
DISABLE = f"mutation($id: ID!) {{ disableWorkflowTrigger(id: $id) {{ {TRIGGER_FIELDS} }} }}"
TRIGGERS = f"query($t: ID) {{ workflowTriggers(tenantId: $t) {{ {TRIGGER_FIELDS} }} }}"
RUN_FIELDS = """
  id triggerId tenantId kind outcome workflowId reason correlationId webhookId at
  workflow { id status state { variables } }
"""
RUN = f"""
mutation($id: ID!, $input: JSON!, $key: String) {{
  runTrigger(triggerId: $id, input: $input, idempotencyKey: $key) {{ {RUN_FIELDS} }}
}}"""
RUNS = f"""
query($id: ID!, $first: Int! = 20, $after: String) {{
  triggerRuns(triggerId: $id, first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {RUN_FIELDS} }} }}
  }}
}}"""

MANUAL = {
    "name": "Add an access point",
    "kind": "MANUAL",
    "templateKey": "portfolio-management",
    "marketRole": "BRP",
    "inputSchema": ACCESS_POINT,
    "variables": {"ean": "input.accessPoint.ean", "capacityKw": "input.accessPoint.capacityKw"},
}
EAN = ean18(7)


async def audit_actions(owner_conn, target_id):
    rows = await owner_conn.fetch(
        "SELECT action, details FROM wfm.audit_log WHERE target_id = $1 ORDER BY id", target_id
    )
    return [(r["action"], r["details"]) for r in rows]


async def workflows_of(owner_conn, tenant_id):
    return await owner_conn.fetchval(
        "SELECT count(*) FROM wfm.workflow_instances_index WHERE tenant_id = $1", tenant_id
    )


async def create(gql, account, **values):
    result = await gql(CREATE, values or MANUAL, token=account.token)
    return result.ok()["createWorkflowTrigger"]


# -- manual runs ------------------------------------------------------------------------------


async def test_a_manual_trigger_starts_its_workflow_with_the_variables_mapped_from_its_input(
    gql, admin, tenant, owner_conn, storage
):
    trigger = await create(gql, admin, **MANUAL)
    assert (trigger["kind"], trigger["inputSchema"], trigger["variables"]) == (
        "MANUAL",
        ACCESS_POINT,
        MANUAL["variables"],
    )
    assert (trigger["hookUrl"], trigger["signingSecret"]) == (None, None)
    given = {"accessPoint": {"ean": EAN, "capacityKw": 250}, "note": "kept out of variables"}
    result = await gql(
        RUN,
        {"id": trigger["id"], "input": given},
        token=admin.token,
        headers={"x-request-id": "erp-42"},
    )
    run = result.ok()["runTrigger"]
    assert (run["kind"], run["outcome"], run["reason"]) == ("MANUAL", "STARTED", None)
    assert run["workflow"]["id"] == run["workflowId"]
    assert run["workflow"]["status"] == "IN_PROGRESS"  # started: no one need press start
    assert run["workflow"]["state"]["variables"] == {"ean": EAN, "capacityKw": 250}
    assert (run["correlationId"], run["tenantId"]) == ("erp-42", str(tenant.id))
    # the workflow says what started it, and who ran it
    events = await storage.events.for_instance(system_principal(), run["workflowId"])
    assert events[0].data["trigger"] == {
        "type": "manual",
        "runBy": str(admin.user.id),
        "triggerId": trigger["id"],
        "name": "Add an access point",
    }
    assert events[0].correlation_id == "erp-42"
    runs = (await gql(RUNS, {"id": trigger["id"]}, token=admin.token)).ok()["triggerRuns"]
    assert [e["node"] for e in runs["edges"]] == [run]
    audited = await audit_actions(owner_conn, trigger["id"])
    assert [a for a, _ in audited] == ["WORKFLOW_TRIGGER_CREATED", "WORKFLOW_TRIGGER_RUN"]
    assert audited[1][1]["run"] == {
        "id": run["id"],
        "outcome": "started",
        "workflowId": run["workflowId"],
    }


@pytest.mark.parametrize(
    ("given", "paths"),
    [
        ({"accessPoint": {"ean": "541440000000000018"}}, [["input", "accessPoint", "ean"]]),
        (
            {"accessPoint": {"capacityKw": -1}},
            [["input", "accessPoint", "capacityKw"], ["input", "accessPoint", "ean"]],
        ),
        ({}, [["input", "accessPoint"]]),
        ([1, 2], [["input"]]),
        ({"accessPoint": {"ean": EAN}, "$where": "1"}, [["input", "$where"]]),
    ],
)
async def test_a_run_whose_input_does_not_hold_fails_at_its_paths_and_starts_nothing(
    gql, admin, tenant, owner_conn, given, paths
):
    trigger = await create(gql, admin, **MANUAL)
    result = await gql(RUN, {"id": trigger["id"], "input": given}, token=admin.token)
    assert result.codes == ["VALIDATION_FAILED"]
    assert result.field_paths == paths
    assert await workflows_of(owner_conn, tenant.id) == 0
    runs = (await gql(RUNS, {"id": trigger["id"]}, token=admin.token)).ok()["triggerRuns"]
    assert runs["totalCount"] == 0


async def test_only_a_manual_trigger_that_is_on_is_run_by_hand(gql, admin, tenant, owner_conn):
    schedule = await create(gql, admin, **SCHEDULE)
    refused = await gql(RUN, {"id": schedule["id"], "input": {}}, token=admin.token)
    assert refused.codes == ["INVALID_TRANSITION"]
    manual = await create(gql, admin, **MANUAL)
    (await gql(DISABLE, {"id": manual["id"]}, token=admin.token)).ok()
    given = {"accessPoint": {"ean": EAN}}
    off = await gql(RUN, {"id": manual["id"], "input": given}, token=admin.token)
    assert off.codes == ["INVALID_TRANSITION"]
    assert "disabled" in off.errors[0]["message"]
    assert await workflows_of(owner_conn, tenant.id) == 0


async def test_a_run_retried_with_its_idempotency_key_answers_the_first_run(
    gql, admin, tenant, owner_conn
):
    trigger = await create(gql, admin, **MANUAL)
    variables = {"id": trigger["id"], "input": {"accessPoint": {"ean": EAN}}, "key": "erp-7"}
    first = (await gql(RUN, variables, token=admin.token)).ok()["runTrigger"]
    again = (await gql(RUN, variables, token=admin.token)).ok()["runTrigger"]
    assert again == first
    assert await workflows_of(owner_conn, tenant.id) == 1
    too_long = await gql(RUN, {**variables, "key": "k" * 151}, token=admin.token)
    assert too_long.field_paths == [["idempotencyKey"]]


async def test_a_run_that_would_start_a_second_onboarding_is_logged_as_skipped(gql, admin):
    onboarding = await create(
        gql,
        admin,
        name="Onboard",
        kind="MANUAL",
        templateKey="contract-onboarding",
        marketRole="BRP",
    )
    first = (await gql(RUN, {"id": onboarding["id"], "input": {}}, token=admin.token)).ok()
    second = (await gql(RUN, {"id": onboarding["id"], "input": {}}, token=admin.token)).ok()
    assert first["runTrigger"]["outcome"] == "STARTED"
    skipped = second["runTrigger"]
    assert (skipped["outcome"], skipped["workflowId"], skipped["workflow"]) == (
        "SKIPPED",
        None,
        None,
    )
    assert "an onboarding for the BRP market role is under way" in skipped["reason"]
    assert first["runTrigger"]["workflowId"] in skipped["reason"]


# -- lifecycle --------------------------------------------------------------------------------


async def test_a_change_is_checked_as_on_creation_every_problem_at_once(gql, admin, owner_conn):
    schedule = await create(gql, admin, **SCHEDULE)
    refused = await gql(
        UPDATE,
        {
            "id": schedule["id"],
            "name": " ",
            "cron": "61 * * * *",
            "timezone": "Europe/Atlantis",
            "inputSchema": {"type": "object"},
        },
        token=admin.token,
    )
    assert refused.codes == ["VALIDATION_FAILED"]
    assert refused.field_paths == [["name"], ["cron"], ["timezone"], ["inputSchema"]]
    listed = (await gql(TRIGGERS, token=admin.token)).ok()["workflowTriggers"]
    assert listed == [schedule]  # nothing changed

    changed = await gql(
        UPDATE,
        {"id": schedule["id"], "name": "Daily review", "cron": "30 5 * * *"},
        token=admin.token,
    )
    updated = changed.ok()["updateWorkflowTrigger"]
    assert (updated["name"], updated["cron"], updated["timezone"]) == (
        "Daily review",
        "30 5 * * *",
        "Europe/Brussels",
    )
    assert updated["updatedAt"] > schedule["updatedAt"]
    audited = await audit_actions(owner_conn, schedule["id"])
    assert [a for a, _ in audited] == ["WORKFLOW_TRIGGER_CREATED", "WORKFLOW_TRIGGER_UPDATED"]
    assert audited[1][1]["changed"] == ["cron", "name"]
    assert audited[1][1]["cron"] == "30 5 * * *"


async def test_a_manual_triggers_schema_and_variables_are_changed_and_checked(gql, admin):
    manual = await create(gql, admin, **MANUAL)
    refused = await gql(
        UPDATE,
        {
            "id": manual["id"],
            "inputSchema": {"type": "objekt"},
            "variables": {"ean": "steps.a", "2x": "input"},
            "cron": "0 6 * * 1",
        },
        token=admin.token,
    )
    assert refused.field_paths == [
        ["cron"],
        ["inputSchema"],
        ["variables", "ean"],
        ["variables", "2x"],
    ]
    changed = await gql(
        UPDATE,
        {"id": manual["id"], "inputSchema": {}, "variables": {"all": "input"}},
        token=admin.token,
    )
    updated = changed.ok()["updateWorkflowTrigger"]
    assert (updated["inputSchema"], updated["variables"]) == ({}, {"all": "input"})
    run = await gql(RUN, {"id": manual["id"], "input": {"any": ["thing"]}}, token=admin.token)
    assert run.ok()["runTrigger"]["workflow"]["state"]["variables"] == {"all": {"any": ["thing"]}}


async def test_a_trigger_switched_off_and_on_is_listed_and_audited(gql, admin, owner_conn):
    schedule = await create(gql, admin, **SCHEDULE)
    off = (await gql(DISABLE, {"id": schedule["id"]}, token=admin.token)).ok()
    assert off["disableWorkflowTrigger"]["active"] is False
    listed = (await gql(TRIGGERS, token=admin.token)).ok()["workflowTriggers"]
    assert [(t["id"], t["active"]) for t in listed] == [(schedule["id"], False)]
    # switching off what is off changes nothing, and is not audited again
    (await gql(DISABLE, {"id": schedule["id"]}, token=admin.token)).ok()
    on = (await gql(ENABLE, {"id": schedule["id"]}, token=admin.token)).ok()
    assert on["enableWorkflowTrigger"]["active"] is True
    assert on["enableWorkflowTrigger"]["enabledAt"] > schedule["enabledAt"]
    audited = await audit_actions(owner_conn, schedule["id"])
    assert [(a, d["active"]) for a, d in audited] == [
        ("WORKFLOW_TRIGGER_CREATED", True),
        ("WORKFLOW_TRIGGER_DISABLED", False),
        ("WORKFLOW_TRIGGER_ENABLED", True),
    ]


async def test_tenant_users_may_neither_change_nor_run_triggers(gql, factory, tenant, admin):
    user = await factory.account("tenant_user", tenant)
    manual = await create(gql, admin, **MANUAL)
    for query, variables in (
        (UPDATE, {"id": manual["id"], "name": "mine"}),
        (ENABLE, {"id": manual["id"]}),
        (DISABLE, {"id": manual["id"]}),
        (RUN, {"id": manual["id"], "input": {"accessPoint": {"ean": EAN}}}),
        (RUNS, {"id": manual["id"]}),
    ):
        assert (await gql(query, variables, token=user.token)).codes == ["FORBIDDEN"]
        assert (await gql(query, variables)).codes == ["UNAUTHENTICATED"]


# -- the log of runs ------------------------------------------------------------------------


async def test_runs_are_listed_newest_first_page_by_page(gql, admin, factory, tenant):
    trigger = await create(gql, admin, **MANUAL)
    started = []
    for n in range(5):
        given = {"accessPoint": {"ean": EAN, "capacityKw": n}}
        run = (await gql(RUN, {"id": trigger["id"], "input": given}, token=admin.token)).ok()
        started.append(run["runTrigger"]["id"])
    pages, after = [], None
    while True:
        page = await gql(RUNS, {"id": trigger["id"], "first": 2, "after": after}, token=admin.token)
        runs = page.ok()["triggerRuns"]
        assert runs["totalCount"] == 5
        pages.append([e["node"]["id"] for e in runs["edges"]])
        if not runs["pageInfo"]["hasNextPage"]:
            break
        after = runs["pageInfo"]["endCursor"]
        assert after == runs["edges"][-1]["cursor"]
    assert pages == [started[4:2:-1], started[2:0:-1], started[0:1]]
    # market operations read any tenant's runs
    ops = await factory.account("market_ops")
    seen = (await gql(RUNS, {"id": trigger["id"], "first": 5}, token=ops.token)).ok()
    assert [e["node"]["id"] for e in seen["triggerRuns"]["edges"]] == started[::-1]
    for bad in ({"after": "not-a-cursor"}, {"first": 0}):
        refused = await gql(RUNS, {"id": trigger["id"], **bad}, token=admin.token)
        assert refused.codes == ["VALIDATION_FAILED"]
        assert refused.field_paths == [[next(iter(bad))]]


# -- two tenants ------------------------------------------------------------------------------


def masked(result, ident):
    return [
        (e["extensions"]["code"], e["message"].replace(ident, "<id>"), e.get("path"))
        for e in result.errors
    ], result.data


async def test_another_tenants_trigger_answers_like_an_unknown_one_and_stays_as_it_was(
    gql, factory, admin, owner_conn
):
    tenant_b = await factory.tenant()
    b = await factory.account("tenant_admin", tenant_b)
    b_trigger = await create(gql, b, **MANUAL)
    b_run = await gql(
        RUN, {"id": b_trigger["id"], "input": {"accessPoint": {"ean": EAN}}}, token=b.token
    )
    b_run.ok()
    before = (await gql(TRIGGERS, token=b.token)).ok()
    unknown = str(uuid.uuid4())
    for query, extra in (
        (UPDATE, {"name": "mine now", "variables": {"x": "input"}}),
        (ENABLE, {}),
        (DISABLE, {}),
        (RUN, {"input": {"accessPoint": {"ean": EAN}}}),
        (RUNS, {}),
    ):
        foreign = await gql(query, {"id": b_trigger["id"], **extra}, token=admin.token)
        stranger = await gql(query, {"id": unknown, **extra}, token=admin.token)
        assert foreign.codes == ["NOT_FOUND"], query
        assert masked(foreign, b_trigger["id"]) == masked(stranger, unknown), query
    assert (await gql(TRIGGERS, token=b.token)).ok() == before
    assert (await gql(TRIGGERS, token=admin.token)).ok() == {"workflowTriggers": []}
    runs = (await gql(RUNS, {"id": b_trigger["id"]}, token=b.token)).ok()["triggerRuns"]
    assert runs["totalCount"] == 1
    assert await workflows_of(owner_conn, tenant_b.id) == 1
