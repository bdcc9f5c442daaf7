"""People instead of ids: who performed each event, created, approved, rejected or paused a
workflow resolves to an `Actor` with a name, every person of a page in one query. A tenant
sees its own users in full and market operations staff by name alone (no e-mail); never a
user of another tenant. The platform and a user no longer on file show as such."""

import asyncio
import uuid

import asyncpg
import httpx
import pytest

from wfm_api.app import create_app
from wfm_engine import (
    ApproveWorkflow,
    ExecuteStep,
    PauseWorkflow,
    RejectWorkflow,
    StartWorkflow,
    SubmitWorkflow,
)
from wfm_shared.principal import SYSTEM_USER_ID, system_principal
from wfm_storage.bootstrap import Storage
from wfm_storage.documents import event_id
from wfm_storage.instrumentation import counting_round_trips
from wfm_storage.postgres import init_connection
from wfm_storage.repositories.templates import TemplateRepository
from wfm_testing.factories import Factory
from wfm_testing.graphql import GraphQLClient
from wfm_testing.pytest_plugin import discard_database, prepare_database
from wfm_testing.templates import form_step, template
from wfm_workflows.extensions import load_catalog

TENANTS = 12
ACTOR = "id kind name email role"
PEOPLE = f"""query($first: Int!) {{
  workflows(first: $first) {{ edges {{ node {{
    id createdBy {{ {ACTOR} }}
    state {{ steps {{ id completedBy {{ {ACTOR} }} }}
             lastRejection {{ reason rejectedBy {{ {ACTOR} }} }}
             approval {{ comment approvedBy {{ {ACTOR} }} }}
             pause {{ reason pausedBy {{ {ACTOR} }} }} }}
    events(first: 20) {{ edges {{ node {{ seq type performedById performedBy {{ {ACTOR} }} }} }} }}
  }} }} }}
}}"""
# the same page without the people: what resolving them costs is the difference
BARE = """query($first: Int!) {
  workflows(first: $first) { edges { node {
    id createdById
    state { steps { id completedById } lastRejection { reason rejectedById }
            approval { comment approvedById } pause { reason pausedById } }
    events(first: 20) { edges { node { seq type performedById } } }
  } } }
}"""
LOG = f"""query($first: Int!) {{ workflows(first: $first) {{ edges {{ node {{
  events(first: 20) {{ edges {{ node {{ performedBy {{ {ACTOR} }} }} }} }} }} }} }} }}"""
BARE_LOG = """query($first: Int!) { workflows(first: $first) { edges { node {
  events(first: 20) { edges { node { performedById } } } } } } }"""
ONE = f"""query($id: ID!) {{ workflow(id: $id) {{
  createdBy {{ {ACTOR} }}
  state {{ steps {{ id completedBy {{ {ACTOR} }} }}
           lastRejection {{ rejectedBy {{ {ACTOR} }} }} approval {{ approvedBy {{ {ACTOR} }} }}
           pause {{ pausedBy {{ {ACTOR} }} }} }}
  events(first: 20) {{ edges {{ node {{ type performedBy {{ {ACTOR} }} }} }} }}
}} }}"""


@pytest.fixture(scope="module")
async def world(wfm_servers):
    """A database of its own: TENANTS approved workflows (an administrator applied; one
    member of staff sent it back, another approved it), and workflows of the platform and of
    a user since deleted."""
    settings = await prepare_database(wfm_servers, f"wfm_people_{uuid.uuid4().hex[:8]}")
    storage = await Storage.open(settings)
    app = create_app(settings, storage=storage)
    owner = await asyncpg.connect(settings.database_url)
    await init_connection(owner)
    factory = Factory(owner, settings)
    key = f"people-{uuid.uuid4().hex[:8]}"
    definition = template([form_step("apply")], key=key, name="Application")
    await TemplateRepository().save(owner, load_catalog().registries.parse_template(definition))
    ops = await factory.account("market_ops", display_name="Olivia Ops")
    ops2 = await factory.account("market_ops")  # no display name
    found: dict = {"ops": ops, "ops2": ops2, "admins": [], "workflows": []}
    async with app.router.lifespan_context(app):
        service = app.state.services.workflows

        async def run(principal, workflow_id, *commands):
            for command in commands:
                await service.execute(principal, workflow_id, command)

        for index in range(TENANTS):
            tenant = await factory.tenant()
            admin = await factory.account("tenant_admin", tenant, display_name=f"Admin {index}")
            state = await service.create_workflow(
                admin.principal, market_role="BRP", template_key=key
            )
            workflow_id = uuid.UUID(state.id)
            applied = (StartWorkflow(), ExecuteStep("apply", {}), SubmitWorkflow())
            await run(admin.principal, workflow_id, *applied)
            await run(ops2.principal, workflow_id, RejectWorkflow("sign it", "apply"))
            await run(admin.principal, workflow_id, ExecuteStep("apply", {}), SubmitWorkflow())
            await run(ops.principal, workflow_id, ApproveWorkflow("welcome"))
            found["admins"].append(admin)
            found["workflows"].append(state.id)

        platform_tenant = await factory.tenant()
        by_platform = await service.create_workflow(
            system_principal(), market_role="BRP", template_key=key, tenant_id=platform_tenant.id
        )
        await run(system_principal(), uuid.UUID(by_platform.id), StartWorkflow())
        found["by_platform"] = by_platform.id

        gone_tenant = await factory.tenant()
        gone = await factory.account("tenant_admin", gone_tenant, display_name="Dora Gone")
        by_gone = await service.create_workflow(gone.principal, market_role="BRP", template_key=key)
        await run(gone.principal, uuid.UUID(by_gone.id), StartWorkflow())
        await run(ops.principal, uuid.UUID(by_gone.id), PauseWorkflow("on hold"))
        await owner.execute("DELETE FROM wfm.users WHERE id = $1", gone.user.id)
        found["gone"], found["by_gone"] = gone, by_gone.id

        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            found["gql"], found["storage"] = GraphQLClient(http), storage
            yield found
    await owner.close()
    await storage.close()
    await discard_database(wfm_servers, settings)


def actor(account, *, email=True, name=None):
    user = account.user
    return {
        "id": str(user.id),
        "kind": "USER",
        "name": name or user.display_name or user.email,
        "email": user.email if email else None,
        "role": user.role,
    }


async def postgres_round_trips(gql, query, token, first):
    with counting_round_trips() as trips:
        result = await gql(query, {"first": first}, token=token)
        # asyncpg reports queries to its loggers with call_soon: let them run
        for _ in range(3):
            await asyncio.sleep(0)
    assert len(result.ok()["workflows"]["edges"]) == first
    return trips.postgres


async def test_a_page_names_its_people_in_a_fixed_number_of_queries_whatever_its_size(world):
    gql, token = world["gql"], world["ops"].token
    for query in (PEOPLE, BARE, LOG, BARE_LOG):  # warm the pool's statement caches
        await postgres_round_trips(gql, query, token, 2)
    small = await postgres_round_trips(gql, PEOPLE, token, 3)
    large = await postgres_round_trips(gql, PEOPLE, token, TENANTS)
    bare = await postgres_round_trips(gql, BARE, token, TENANTS)
    # one query for the creators (named beside the index rows), one for everyone the logs
    # and the states name (read from MongoDB for the whole page at once)
    assert small == large == bare + 2, (small, large, bare)
    # the people of every log of a page: one query
    logs = await postgres_round_trips(gql, LOG, token, TENANTS)
    assert logs == await postgres_round_trips(gql, BARE_LOG, token, TENANTS) + 1


async def test_every_record_that_names_a_person_resolves_to_them(world):
    gql, ops, ops2 = world["gql"], world["ops"], world["ops2"]
    admin = world["admins"][0]
    variables = {"id": world["workflows"][0]}
    workflow = (await gql(ONE, variables, token=ops.token)).ok()["workflow"]
    assert workflow["createdBy"] == actor(admin)
    state = workflow["state"]
    assert state["steps"] == [{"id": "apply", "completedBy": actor(admin)}]
    assert state["lastRejection"]["rejectedBy"] == actor(ops2)
    assert state["approval"]["approvedBy"] == actor(ops)
    assert state["pause"] is None
    performers = [
        (e["node"]["type"], e["node"]["performedBy"]) for e in workflow["events"]["edges"]
    ]
    assert performers == [
        ("WORKFLOW_CREATED", actor(admin)),
        ("WORKFLOW_STARTED", actor(admin)),
        ("STEP_COMPLETED", actor(admin)),
        ("WORKFLOW_SUBMITTED", actor(admin)),
        ("WORKFLOW_REJECTED", actor(ops2)),
        ("STEP_COMPLETED", actor(admin)),
        ("WORKFLOW_SUBMITTED", actor(admin)),
        ("WORKFLOW_APPROVED", actor(ops)),
    ]


async def test_a_tenant_sees_its_users_in_full_and_staff_by_name_alone(world):
    gql, admin = world["gql"], world["admins"][0]
    variables = {"id": world["workflows"][0]}
    state = (await gql(ONE, variables, token=admin.token)).ok()["workflow"]["state"]
    assert state["steps"][0]["completedBy"] == actor(admin)
    assert state["approval"]["approvedBy"] == actor(world["ops"], email=False)
    # staff without a display name: their e-mail is not for tenants to read
    unnamed = actor(world["ops2"], email=False, name="Market operations")
    assert state["lastRejection"]["rejectedBy"] == unnamed
    query = """query($id: ID!) { workflow(id: $id) { state { lastRejection { rejectedBy {
        name nl: name(locale: NL) } } } } }"""
    french = await gql(query, variables, token=admin.token, headers={"accept-language": "fr"})
    assert french.ok()["workflow"]["state"]["lastRejection"]["rejectedBy"] == {
        "name": "Opérations de marché",
        "nl": "Marktoperaties",
    }


async def test_a_user_of_another_tenant_never_shows(world):
    gql, storage = world["gql"], world["storage"]
    a, b = world["admins"][0], world["admins"][1]
    page = (await gql(PEOPLE, {"first": 50}, token=a.token)).ok()["workflows"]["edges"]
    assert [e["node"]["id"] for e in page] == [world["workflows"][0]]
    # an event of A's naming B's administrator (as no command could write it)
    seq_1 = {"_id": event_id(world["workflows"][0], 1)}
    await storage.mongo.events.update_one(seq_1, {"$set": {"performedBy": str(b.user.id)}})
    try:
        query = """query($id: ID!) { workflow(id: $id) { events(first: 1) { edges { node {
            performedById performedBy { id kind name email role } } } } } }"""
        variables = {"id": world["workflows"][0]}
        seen_by_a = (await gql(query, variables, token=a.token)).ok()
        seen_by_ops = (await gql(query, variables, token=world["ops"].token)).ok()
    finally:
        await storage.mongo.events.update_one(seq_1, {"$set": {"performedBy": str(a.user.id)}})
    [event] = seen_by_a["workflow"]["events"]["edges"]
    assert event["node"] == {
        "performedById": str(b.user.id),
        "performedBy": {
            "id": str(b.user.id),
            "kind": "DELETED_USER",  # read like an id not on file: nothing about B leaks
            "name": "Deleted user",
            "email": None,
            "role": None,
        },
    }
    [event] = seen_by_ops["workflow"]["events"]["edges"]
    assert event["node"]["performedBy"] == actor(b)


async def test_the_platform_and_a_deleted_user_show_as_such(world):
    gql, token = world["gql"], world["ops"].token
    platform = {
        "id": str(SYSTEM_USER_ID),
        "kind": "PLATFORM",
        "name": "Workflow Manager",
        "email": None,
        "role": None,
    }
    by_platform = (await gql(ONE, {"id": world["by_platform"]}, token=token)).ok()["workflow"]
    assert by_platform["createdBy"] == platform
    assert {e["node"]["performedBy"]["kind"] for e in by_platform["events"]["edges"]} == {
        "PLATFORM"
    }

    gone = str(world["gone"].user.id)
    deleted = {"id": gone, "kind": "DELETED_USER", "name": "Deleted user", "email": None}
    by_gone = (await gql(ONE, {"id": world["by_gone"]}, token=token)).ok()["workflow"]
    assert by_gone["createdBy"] == {**deleted, "role": None}
    performers = [(e["node"]["type"], e["node"]["performedBy"]) for e in by_gone["events"]["edges"]]
    assert performers == [
        ("WORKFLOW_CREATED", {**deleted, "role": None}),
        ("WORKFLOW_STARTED", {**deleted, "role": None}),
        ("WORKFLOW_PAUSED", actor(world["ops"])),
    ]
    assert by_gone["state"]["pause"] == {"pausedBy": actor(world["ops"])}
