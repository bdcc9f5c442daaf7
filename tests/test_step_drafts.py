"""Step drafts through GraphQL: a participant's "Save" on a form step is kept by the API, so
it survives a reload and reaches another device; a colleague and market operations read it
on the workflow. A draft is no event and is not held to the step's schema, but it is bounded
like step data; it is refused on a completed step or a closed workflow, and executing the
step deletes it. Another tenant's workflow answers exactly like an unknown one."""

import asyncio
import uuid
from dataclasses import dataclass

import pytest

from wfm_engine import ExecuteStep
from wfm_shared.limits import DATA_MAX_DEPTH, STEP_DATA_MAX_BYTES
from wfm_shared.principal import system_principal
from wfm_storage.instrumentation import counting_round_trips
from wfm_storage.repositories.templates import TemplateRepository
from wfm_testing.factories import TEST_PASSWORD, Tenancy
from wfm_testing.onboarding import drive
from wfm_testing.templates import form_step, step, template
from wfm_workflows.extensions import load_catalog
from wfm_workflows.service import Faults

SAVE = """mutation($id: ID!, $step: String!, $data: JSON!) {
  saveStepDraft(workflowId: $id, stepId: $step, data: $data) {
    stepId data savedAt savedById savedBy { id name }
  } }"""
DISCARD = """mutation($id: ID!, $step: String!) {
  discardStepDraft(workflowId: $id, stepId: $step) }"""
DRAFTS = """query($id: ID!) { workflow(id: $id) {
  drafts { stepId data savedAt savedBy { id name } } } }"""
CREATE = """mutation($key: String!, $tenant: ID) {
  createWorkflow(marketRole: GU, templateKey: $key, tenantId: $tenant) { id } }"""
START = "mutation($id: ID!) { startWorkflow(workflowId: $id) { status } }"
EXECUTE = """mutation($id: ID!, $step: String!, $data: JSON!) {
  executeStep(workflowId: $id, stepId: $step, data: $data) { currentStepId status } }"""
CANCEL = "mutation($id: ID!) { cancelWorkflow(workflowId: $id) { status } }"
LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken } }"""
PAGE = """query($key: String!, $first: Int!) {
  workflows(filter: {templateKey: $key}, first: $first) {
    nodes { id drafts { stepId data savedBy { name } } } } }"""
BARE_PAGE = """query($key: String!, $first: Int!) {
  workflows(filter: {templateKey: $key}, first: $first) { nodes { id } } }"""
# The README's example ("### Step drafts"), verbatim: run here on a contract onboarding
README_EXAMPLE = """# as jan@kempen-balancing.be
mutation($id: ID!) {
  saveStepDraft(workflowId: $id, stepId: "company-info", data: {
    companyName: "Kempen Balancing BV", address: {city: "Geel"}
  }) { stepId data savedAt savedBy { name } }
}
"""
COMPANY = {"name": "Ardennes Énergie", "employees": 12}


@dataclass
class World:
    key: str
    a: Tenancy
    b: Tenancy
    ops: object


@pytest.fixture
async def world(factory, owner_conn):
    """Two tenants (an admin and two users each), market operations, and a template of its
    own: two forms (the second for administrators only), then a review by market operations."""
    definition = template(
        [
            form_step("company", schema={"type": "object", "required": ["name", "vat"]}),
            form_step("signatory", roles=["tenant_admin"]),
            step("review", "approval", roles=["market_ops"]),
        ],
        name="Drafts",
    )
    await TemplateRepository().save(
        owner_conn, load_catalog().registries.parse_template(definition)
    )

    async def tenancy():
        tenant = await factory.tenant()
        return Tenancy(
            tenant,
            await factory.account("tenant_admin", tenant, display_name="Ada Admin"),
            await factory.account("tenant_user", tenant, display_name="Uma User"),
            await factory.account("tenant_user", tenant, display_name="Colin Colleague"),
        )

    return World(
        definition["key"],
        await tenancy(),
        await tenancy(),
        await factory.account("market_ops", display_name="Olga Ops"),
    )


async def started(gql, world, tenancy):
    created = await gql(CREATE, {"key": world.key}, token=tenancy.admin.token)
    workflow_id = created.ok()["createWorkflow"]["id"]
    (await gql(START, {"id": workflow_id}, token=tenancy.admin.token)).ok()
    return workflow_id


async def save(gql, account, workflow_id, step_id, data):
    return await gql(SAVE, {"id": workflow_id, "step": step_id, "data": data}, token=account.token)


async def drafts(gql, account, workflow_id):
    result = await gql(DRAFTS, {"id": workflow_id}, token=account.token)
    return [(d["stepId"], d["data"]) for d in result.ok()["workflow"]["drafts"]]


def fields(result):
    return [f["path"] for f in result.errors[0]["extensions"]["fields"]]


async def test_a_saved_draft_is_read_back_in_a_new_session_and_saving_again_overwrites_it(
    gql, world
):
    a = world.a
    workflow_id = await started(gql, world, a)
    # incomplete: the step's schema requires a VAT number, a draft need not have one
    saved = (await save(gql, a.user, workflow_id, "company", COMPANY)).ok()["saveStepDraft"]
    assert saved["stepId"] == "company"
    assert saved["data"] == COMPANY
    assert saved["savedById"] == str(a.user.user.id)
    assert saved["savedBy"] == {"id": str(a.user.user.id), "name": "Uma User"}

    # a new sign-in (another device): the draft is there, with who saved it and when
    login = await gql(LOGIN, {"email": a.user.user.email, "password": TEST_PASSWORD})
    fresh_token = login.ok()["login"]["accessToken"]
    assert fresh_token != a.user.token
    read = await gql(DRAFTS, {"id": workflow_id}, token=fresh_token)
    assert read.ok()["workflow"]["drafts"] == [
        {
            "stepId": "company",
            "data": COMPANY,
            "savedAt": saved["savedAt"],
            "savedBy": {"id": str(a.user.user.id), "name": "Uma User"},
        }
    ]
    # a colleague continues it: one draft per step, the last save wins
    more = {**COMPANY, "vat": "BE0403170701"}
    again = (await save(gql, a.colleague, workflow_id, "company", more)).ok()["saveStepDraft"]
    assert again["savedBy"]["name"] == "Colin Colleague"
    assert again["savedAt"] >= saved["savedAt"]
    assert await drafts(gql, a.user, workflow_id) == [("company", more)]
    # a draft is no event: the log holds only what was done
    events = "query($id: ID!) { workflow(id: $id) { version events { totalCount } } }"
    workflow = (await gql(events, {"id": workflow_id}, token=a.user.token)).ok()["workflow"]
    assert workflow == {"version": 2, "events": {"totalCount": 2}}


async def test_discarding_a_draft_deletes_it_and_says_whether_there_was_one(gql, world):
    a = world.a
    workflow_id = await started(gql, world, a)
    (await save(gql, a.user, workflow_id, "company", COMPANY)).ok()
    variables = {"id": workflow_id, "step": "company"}
    assert (await gql(DISCARD, variables, token=a.colleague.token)).ok() == {
        "discardStepDraft": True
    }
    assert await drafts(gql, a.user, workflow_id) == []
    assert (await gql(DISCARD, variables, token=a.user.token)).ok() == {"discardStepDraft": False}


async def test_another_tenant_can_neither_read_save_nor_discard_drafts_as_for_an_unknown_id(
    gql, world, storage
):
    a, b = world.a, world.b
    workflow_id = await started(gql, world, a)
    (await save(gql, a.user, workflow_id, "company", COMPANY)).ok()
    unknown_id = str(uuid.uuid4())

    def shape(result, ident):
        return [
            (e["extensions"]["code"], e["message"].replace(ident, "<id>"), e.get("path"))
            for e in result.errors
        ], result.data

    for account in (b.admin, b.user):
        for query, variables in (
            (DRAFTS, {}),
            (SAVE, {"step": "company", "data": {"name": "taken over"}}),
            (DISCARD, {"step": "company"}),
        ):
            foreign = await gql(query, {**variables, "id": workflow_id}, token=account.token)
            unknown = await gql(query, {**variables, "id": unknown_id}, token=account.token)
            assert foreign.codes == ["NOT_FOUND"], foreign.errors
            assert shape(foreign, workflow_id) == shape(unknown, unknown_id)
    # nothing of A's changed
    assert await drafts(gql, a.user, workflow_id) == [("company", COMPANY)]
    # and the database itself shows B none of A's drafts (row-level security)
    session = storage.db.session(b.admin.principal)
    try:
        assert await storage.drafts.for_workflows(session, [uuid.UUID(workflow_id)]) == {}
    finally:
        await session.close()
    # B's own workflow has its own drafts only
    b_workflow = await started(gql, world, b)
    assert await drafts(gql, b.user, b_workflow) == []


async def test_market_operations_read_the_drafts_of_every_tenant_one_query_per_page(gql, world):
    ops = world.ops
    a_workflow = await started(gql, world, world.a)
    b_workflow = await started(gql, world, world.b)
    (await save(gql, world.a.user, a_workflow, "company", COMPANY)).ok()
    (await save(gql, world.b.admin, b_workflow, "signatory", {"name": "Bea"})).ok()
    for tenancy in (world.a, world.b):  # the page grows, not its queries
        workflow_id = await started(gql, world, tenancy)
        (await save(gql, tenancy.colleague, workflow_id, "company", {"name": "more"})).ok()

    page = await gql(PAGE, {"key": world.key, "first": 10}, token=ops.token)
    seen = {n["id"]: n["drafts"] for n in page.ok()["workflows"]["nodes"]}
    assert len(seen) == 4
    assert seen[a_workflow] == [
        {"stepId": "company", "data": COMPANY, "savedBy": {"name": "Uma User"}}
    ]
    assert seen[b_workflow] == [
        {"stepId": "signatory", "data": {"name": "Bea"}, "savedBy": {"name": "Ada Admin"}}
    ]

    async def trips(query, first):
        with counting_round_trips() as counted:
            (await gql(query, {"key": world.key, "first": first}, token=ops.token)).ok()
            for _ in range(3):  # asyncpg reports queries with call_soon
                await asyncio.sleep(0)
        return counted.postgres

    for query in (PAGE, BARE_PAGE):  # warm the statement caches
        await trips(query, 4)
    # the drafts of the whole page in one query, and who saved them in one more
    assert await trips(PAGE, 1) == await trips(PAGE, 4) == await trips(BARE_PAGE, 4) + 2


async def test_a_completed_step_or_a_closed_workflow_refuses_a_draft_and_stores_nothing(gql, world):
    a = world.a
    workflow_id = await started(gql, world, a)
    company = {"name": "Ardennes", "vat": "BE0403170701"}
    (
        await gql(
            EXECUTE, {"id": workflow_id, "step": "company", "data": company}, token=a.user.token
        )
    ).ok()

    refused = await save(gql, a.user, workflow_id, "company", {"name": "changed"})
    assert refused.codes == ["INVALID_TRANSITION"]
    assert "step 'company' is completed" in refused.errors[0]["message"]

    # only form steps keep drafts, of the template the workflow is pinned to
    review = await save(gql, world.ops, workflow_id, "review", {"decision": "approve"})
    assert review.codes == ["VALIDATION_FAILED"]
    assert fields(review) == [["stepId"]]
    unknown = await save(gql, a.user, workflow_id, "no-such-step", {})
    assert unknown.codes == ["VALIDATION_FAILED"]
    assert fields(unknown) == [["stepId"]]
    # as executing it: a step for administrators is not a user's to draft
    not_theirs = await save(gql, a.user, workflow_id, "signatory", {"name": "Uma"})
    assert not_theirs.codes == ["FORBIDDEN"]
    assert "may only be executed by tenant_admin" in not_theirs.errors[0]["message"]
    assert await drafts(gql, a.user, workflow_id) == []

    (await gql(CANCEL, {"id": workflow_id}, token=a.admin.token)).ok()
    closed = await save(gql, a.admin, workflow_id, "signatory", {"name": "Ada"})
    assert closed.codes == ["INVALID_TRANSITION"]
    assert closed.errors[0]["extensions"]["status"] == "CANCELLED"
    assert await drafts(gql, a.admin, workflow_id) == []


async def test_a_draft_that_is_not_an_object_or_too_large_is_refused_and_changes_nothing(
    gql, world
):
    a = world.a
    workflow_id = await started(gql, world, a)
    (await save(gql, a.user, workflow_id, "company", COMPANY)).ok()
    deep: dict = {}
    for _ in range(DATA_MAX_DEPTH + 1):
        deep = {"inner": deep}
    for data, paths in (
        (["not", "an", "object"], [["data"]]),
        ("text", [["data"]]),
        ({"notes": "x" * STEP_DATA_MAX_BYTES}, [["data"]]),
        ({"$where": "1", "a.b": 2}, [["$where"], ["a.b"]]),
        (deep, [["inner"] * DATA_MAX_DEPTH]),
    ):
        refused = await save(gql, a.user, workflow_id, "company", data)
        assert refused.codes == ["VALIDATION_FAILED"], (data, refused.errors)
        assert fields(refused) == paths
    assert await drafts(gql, a.user, workflow_id) == [("company", COMPANY)]


async def test_executing_a_step_deletes_its_draft_and_ending_the_workflow_all_of_them(gql, world):
    a = world.a
    workflow_id = await started(gql, world, a)
    (await save(gql, a.user, workflow_id, "company", COMPANY)).ok()
    (await save(gql, a.admin, workflow_id, "signatory", {"name": "Ada"})).ok()
    company = {"name": "Ardennes", "vat": "BE0403170701"}
    executed = await gql(
        EXECUTE, {"id": workflow_id, "step": "company", "data": company}, token=a.user.token
    )
    assert executed.ok()["executeStep"]["currentStepId"] == "signatory"
    assert await drafts(gql, a.user, workflow_id) == [("signatory", {"name": "Ada"})]

    (await gql(CANCEL, {"id": workflow_id}, token=a.admin.token)).ok()
    assert await drafts(gql, a.admin, workflow_id) == []


async def test_a_draft_saved_while_its_step_is_completed_never_outlives_the_completion(gql, world):
    a = world.a
    company = {"name": "Ardennes", "vat": "BE0403170701"}
    workflows = [await started(gql, world, a) for _ in range(6)]

    async def race(workflow_id):
        executed, saved = await asyncio.gather(
            gql(
                EXECUTE,
                {"id": workflow_id, "step": "company", "data": company},
                token=a.admin.token,
            ),
            save(gql, a.user, workflow_id, "company", COMPANY),
        )
        executed.ok()
        assert saved.codes in ([], ["INVALID_TRANSITION"]), saved.errors

    await asyncio.gather(*(race(w) for w in workflows))
    for workflow_id in workflows:
        assert await drafts(gql, a.user, workflow_id) == []


class SimulatedCrash(Exception):
    pass


class CrashAfterAppending(Faults):
    async def reached(self, stage):
        if stage == "events_appended":
            raise SimulatedCrash(stage)


async def test_a_completion_a_crash_left_unprojected_deletes_the_draft_when_reconciled(
    gql, world, storage, services, make_services, wfm_settings
):
    a = world.a
    workflow_id = uuid.UUID(await started(gql, world, a))
    await services.drafts.save_step_draft(a.user.principal, workflow_id, "company", COMPANY)
    crashing = (await make_services(wfm_settings, storage, faults=CrashAfterAppending())).workflows
    company = {"name": "Ardennes", "vat": "BE0403170701"}
    with pytest.raises(SimulatedCrash):
        await crashing.execute(a.user.principal, workflow_id, ExecuteStep("company", company))
    # the completion is in the log: no new draft of the step, and the old one waits for
    # the projection, which the reconciler finishes
    refused = await save(gql, a.user, str(workflow_id), "company", COMPANY)
    assert refused.codes == ["INVALID_TRANSITION"]
    async with storage.db.transaction(system_principal()) as conn:
        row = await storage.index.get(conn, workflow_id)
        assert list(await storage.drafts.for_workflows(conn, [workflow_id])) == [workflow_id]
    await services.reconciler.reconcile_instance(row)
    assert await drafts(gql, a.user, str(workflow_id)) == []


async def test_the_readme_example_saves_a_draft_of_a_contract_onboarding(gql, factory):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant, display_name="Jan Janssens")
    workflow_id = await drive(gql, tenant, admin.token, until="IN_PROGRESS")
    result = await gql(README_EXAMPLE, {"id": workflow_id}, token=admin.token)
    saved = result.ok()["saveStepDraft"]
    assert (saved["stepId"], saved["savedBy"]) == ("company-info", {"name": "Jan Janssens"})
    assert saved["data"] == {"companyName": "Kempen Balancing BV", "address": {"city": "Geel"}}
