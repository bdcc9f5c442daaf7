"""Retention of finished workflows, end to end on a platform of this module's own (so that a
sweep's report is exactly what these tests did): a completed or cancelled workflow past its
period has its personal data erased (the API reads `[erased]` where a contact's name was;
the rest of its data, its status and its log stay) and its files deleted (`GET /files/<id>`
answers 404); one inside its period, or still running, is left as it is. The period is the
tenant's policy for the template, else the tenant's for every template, else the template's
default; a tenant's policy never reaches another tenant's workflows. A dry run changes
nothing; a second sweep does nothing more; two sweeps at once erase each workflow once.
Time is the sweep's clock, moved by the tests."""

import asyncio
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from typer.testing import CliRunner

from wfm_api.app import create_app
from wfm_cli.main import app as wfm_app
from wfm_shared.clock import FrozenClock
from wfm_shared.personal_data import ERASED
from wfm_storage.repositories.templates import TemplateRepository
from wfm_testing.factories import Account
from wfm_testing.graphql import GraphQLClient
from wfm_testing.pytest_plugin import api_env
from wfm_testing.templates import contacts_step, template
from wfm_worker.worker import Worker
from wfm_workflows.extensions import load_catalog

CREATE = """mutation($key: String!) {
  createWorkflow(marketRole: GU, templateKey: $key) { id } }"""
START = "mutation($id: ID!) { startWorkflow(workflowId: $id) { status } }"
EXECUTE = """mutation($id: ID!, $data: JSON!) {
  executeStep(workflowId: $id, stepId: "contacts", data: $data) { status } }"""
SUBMIT = "mutation($id: ID!) { submitWorkflow(workflowId: $id) { status } }"
APPROVE = "mutation($id: ID!) { approveWorkflow(workflowId: $id) { status } }"
CANCEL = "mutation($id: ID!) { cancelWorkflow(workflowId: $id) { status } }"
READ = """query($id: ID!) { workflow(id: $id) {
  status state { steps { id data } } events(first: 50) { edges { node { type data } } } } }"""
SET = """mutation($t: ID!, $key: String, $days: Int!) {
  setRetentionPolicy(tenantId: $t, templateKey: $key, afterDays: $days) {
    tenantId templateKey afterDays updatedAt updatedBy { id } } }"""
REMOVE = """mutation($t: ID!, $key: String) {
  removeRetentionPolicy(tenantId: $t, templateKey: $key) }"""
POLICIES = """query($t: ID!) { retentionPolicies(tenantId: $t) {
  tenantId templateKey afterDays updatedBy { id } } }"""
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
DEFAULT_DAYS = 30


def contacts(name: str) -> dict[str, object]:
    email = f"{name.lower().replace(' ', '.')}@example.test"
    return {
        "contacts": [{"name": name, "email": email, "phone": "+32 2 555 01 01", "role": "primary"}]
    }


def retained_template(after_days: int | None) -> dict[str, object]:
    """One form step of contacts (personal: their name, e-mail and phone) that takes PDF files;
    `after_days`: the template's retention default (None: none)."""
    step = contacts_step(
        config={"attachments": {"contentTypes": ["application/pdf"], "maxBytes": 100_000}}
    )
    extra = {"retention": {"afterDays": after_days}} if after_days else {}
    return template([step], name="Retained", **extra)


@dataclass
class Platform:
    gql: GraphQLClient
    http: httpx.AsyncClient
    settings: object
    storage: object
    owner: object
    factory: object
    ops: Account
    key: str  # a template with the default retention (DEFAULT_DAYS)
    kept_key: str  # a template without one


@pytest.fixture(scope="module")
async def platform(isolated_world):
    """The API on the module's database, market operations, and the two templates."""
    world = isolated_world
    keys = []
    for days in (DEFAULT_DAYS, None):
        definition = retained_template(days)
        await TemplateRepository().save(
            world.owner, load_catalog().registries.parse_template(definition)
        )
        keys.append(definition["key"])
    app = create_app(world.settings, storage=world.storage)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            yield Platform(
                GraphQLClient(http),
                http,
                world.settings,
                world.storage,
                world.owner,
                world.factory,
                await world.factory.account("market_ops"),
                *keys,
            )


@pytest.fixture
async def clock():
    return FrozenClock(datetime.now(UTC))


@pytest.fixture
async def retention(platform, clock, make_services):
    """The retention service on the module's database, on the test's clock."""
    services = await make_services(platform.settings, platform.storage, clock=clock)
    return services.retention


@pytest.fixture
async def sweep_all(retention, clock):
    """Sweep far in the future first: whatever earlier tests left due is out of the way, so
    that each test's report is its own."""
    await retention.sweep(clock.now() + timedelta(days=40_000))


async def tenant_admin(platform):
    tenant = await platform.factory.tenant()
    return tenant, await platform.factory.account("tenant_admin", tenant)


async def upload(platform, account, workflow_id) -> str:
    response = await platform.http.post(
        "/files",
        data={"workflowId": workflow_id, "stepId": "contacts"},
        files={"file": ("guarantee.pdf", PDF, "application/pdf")},
        headers={"authorization": f"Bearer {account.token}"},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def download(platform, account, file_id) -> httpx.Response:
    return await platform.http.get(
        f"/files/{file_id}", headers={"authorization": f"Bearer {account.token}"}
    )


@dataclass
class Finished:
    id: str
    file_id: str
    name: str  # the contact's name: personal


async def workflow(platform, account, *, ending="complete", key=None, name="Ada Lovelace"):
    """A workflow of `key` (the template with the default retention) with a contact and a
    file, then completed, cancelled, or left in progress (`ending`)."""
    gql = platform.gql
    created = await gql(CREATE, {"key": key or platform.key}, token=account.token)
    workflow_id = created.ok()["createWorkflow"]["id"]
    (await gql(START, {"id": workflow_id}, token=account.token)).ok()
    file_id = await upload(platform, account, workflow_id)
    if ending == "cancel":
        (await gql(CANCEL, {"id": workflow_id}, token=account.token)).ok()
        return Finished(workflow_id, file_id, name)
    (await gql(EXECUTE, {"id": workflow_id, "data": contacts(name)}, token=account.token)).ok()
    if ending == "complete":
        (await gql(SUBMIT, {"id": workflow_id}, token=account.token)).ok()
        (await gql(APPROVE, {"id": workflow_id}, token=platform.ops.token)).ok()
    return Finished(workflow_id, file_id, name)


async def read(platform, account, workflow_id):
    return (await platform.gql(READ, {"id": workflow_id}, token=account.token)).ok()["workflow"]


def contact_of(workflow_view):
    step = next(s for s in workflow_view["state"]["steps"] if s["id"] == "contacts")
    return step["data"]["contacts"][0]


def swept_ids(report) -> set[str]:
    return {str(w.workflow_id) for w in report.workflows}


async def sweep_entries(platform, workflow_id):
    rows = await platform.owner.fetch(
        "SELECT details FROM wfm.audit_log WHERE action = 'privacy.retention_swept'"
    )
    return [
        row["details"]
        for row in rows
        if workflow_id in {w["workflowId"] for w in row["details"]["workflows"]}
    ]


async def test_a_completed_workflow_past_its_period_loses_its_personal_data_and_its_files(
    platform, retention, clock, sweep_all
):
    _, admin = await tenant_admin(platform)
    done = await workflow(platform, admin)
    assert contact_of(await read(platform, admin, done.id))["name"] == done.name

    clock.advance(timedelta(days=DEFAULT_DAYS, minutes=1))
    report = await retention.sweep()

    assert swept_ids(report) == {done.id}
    [swept] = report.workflows
    assert (swept.status, swept.after_days, swept.source) == ("COMPLETED", DEFAULT_DAYS, "template")
    assert swept.keys_erased >= 1
    assert swept.files_deleted == 1
    view = await read(platform, admin, done.id)
    contact = contact_of(view)
    # the person is gone; what is not personal stays, and so does the workflow
    assert (contact["name"], contact["email"], contact["phone"]) == (ERASED, ERASED, ERASED)
    assert contact["role"] == "primary"
    assert view["status"] == "COMPLETED"
    assert done.name not in json.dumps(view)  # the log's copy too
    for account in (admin, platform.ops):
        assert (await download(platform, account, done.file_id)).status_code == 404
    # the audit trail keeps the fact, not the data
    [entry] = await sweep_entries(platform, done.id)
    assert entry["filesDeleted"] == 1
    assert entry["keysErased"] == swept.keys_erased
    assert done.name not in json.dumps(entry)
    assert "example.test" not in json.dumps(entry)


async def test_a_workflow_inside_its_period_or_still_running_is_left_as_it_is(
    platform, retention, clock, sweep_all
):
    _, admin = await tenant_admin(platform)
    recent = await workflow(platform, admin)
    running = await workflow(platform, admin, ending="in progress")
    kept = await workflow(platform, admin, key=platform.kept_key)  # no period at all

    clock.advance(timedelta(days=DEFAULT_DAYS - 1))
    assert (await retention.sweep()).workflows == []
    assert contact_of(await read(platform, admin, recent.id))["name"] == recent.name
    assert (await download(platform, admin, recent.file_id)).status_code == 200

    clock.advance(timedelta(days=10 * 365))
    assert swept_ids(await retention.sweep()) == {recent.id}
    for untouched in (running, kept):
        assert contact_of(await read(platform, admin, untouched.id))["name"] == untouched.name
        assert (await download(platform, admin, untouched.file_id)).content == PDF


async def test_a_cancelled_workflow_is_swept_once_its_period_has_passed_since_its_cancellation(
    platform, retention, clock, sweep_all
):
    _, admin = await tenant_admin(platform)
    cancelled = await workflow(platform, admin, ending="cancel")

    clock.advance(timedelta(days=DEFAULT_DAYS - 1))
    assert (await retention.sweep()).workflows == []
    clock.advance(timedelta(days=2))
    report = await retention.sweep()

    assert swept_ids(report) == {cancelled.id}
    assert report.workflows[0].status == "CANCELLED"
    assert (await download(platform, admin, cancelled.file_id)).status_code == 404
    assert (await read(platform, admin, cancelled.id))["status"] == "CANCELLED"


async def test_a_tenant_policy_shorter_or_longer_than_the_default_applies_to_that_tenant_alone(
    platform, retention, clock, sweep_all
):
    gql, ops = platform.gql, platform.ops
    shorter, shorter_admin = await tenant_admin(platform)
    longer, longer_admin = await tenant_admin(platform)
    _, default_admin = await tenant_admin(platform)
    # one tenant's policy for this template, the other's for every template
    variables = {"t": str(shorter.id), "key": platform.key, "days": 10}
    (await gql(SET, variables, token=ops.token)).ok()
    (await gql(SET, {"t": str(longer.id), "days": 60}, token=ops.token)).ok()
    early = await workflow(platform, shorter_admin)
    late = await workflow(platform, longer_admin)
    usual = await workflow(platform, default_admin)

    clock.advance(timedelta(days=11))
    report = await retention.sweep()
    assert swept_ids(report) == {early.id}
    assert report.workflows[0].source == "tenant-template"
    clock.advance(timedelta(days=DEFAULT_DAYS - 10))
    assert swept_ids(await retention.sweep()) == {usual.id}
    clock.advance(timedelta(days=60 - DEFAULT_DAYS))
    report = await retention.sweep()
    assert swept_ids(report) == {late.id}
    assert (report.workflows[0].after_days, report.workflows[0].source) == (60, "tenant")


async def test_a_tenant_policy_gives_a_period_to_a_template_without_one_and_removing_it_ends_it(
    platform, retention, clock, sweep_all
):
    gql, ops = platform.gql, platform.ops
    tenant, admin = await tenant_admin(platform)
    kept = await workflow(platform, admin, key=platform.kept_key)
    (await gql(SET, {"t": str(tenant.id), "days": 5}, token=ops.token)).ok()
    assert (await gql(REMOVE, {"t": str(tenant.id)}, token=ops.token)).ok() == {
        "removeRetentionPolicy": True
    }
    clock.advance(timedelta(days=6))
    assert (await retention.sweep()).workflows == []

    (await gql(SET, {"t": str(tenant.id), "days": 5}, token=ops.token)).ok()
    assert swept_ids(await retention.sweep()) == {kept.id}


async def test_a_dry_run_reports_what_a_sweep_would_erase_and_changes_nothing(
    platform, retention, clock, sweep_all
):
    _, admin = await tenant_admin(platform)
    done = await workflow(platform, admin)
    clock.advance(timedelta(days=DEFAULT_DAYS + 1))

    preview = await retention.sweep(dry_run=True)
    assert preview.dry_run
    assert swept_ids(preview) == {done.id}
    assert preview.files_deleted == 1
    assert preview.keys_erased >= 1
    assert contact_of(await read(platform, admin, done.id))["name"] == done.name
    assert (await download(platform, admin, done.file_id)).content == PDF
    assert await sweep_entries(platform, done.id) == []

    report = await retention.sweep()
    assert [w.as_json() for w in report.workflows] == [w.as_json() for w in preview.workflows]


async def test_a_second_sweep_does_nothing_more(platform, retention, clock, sweep_all):
    _, admin = await tenant_admin(platform)
    done = await workflow(platform, admin)
    clock.advance(timedelta(days=DEFAULT_DAYS + 1))
    assert swept_ids(await retention.sweep()) == {done.id}

    clock.advance(timedelta(days=1))
    again = await retention.sweep()

    assert again.workflows == []
    assert (await retention.sweep(dry_run=True)).workflows == []
    assert len(await sweep_entries(platform, done.id)) == 1
    assert contact_of(await read(platform, admin, done.id))["name"] == ERASED


async def test_two_sweeps_at_once_erase_each_workflow_once(
    platform, retention, clock, make_services, sweep_all
):
    _, admin = await tenant_admin(platform)
    done = [await workflow(platform, admin, name=f"Person {n}") for n in range(3)]
    other = await make_services(platform.settings, platform.storage, clock=clock)
    clock.advance(timedelta(days=DEFAULT_DAYS + 1))

    first, second = await asyncio.gather(retention.sweep(), other.retention.sweep())

    swept = [str(w.workflow_id) for w in (*first.workflows, *second.workflows)]
    assert sorted(swept) == sorted(w.id for w in done)
    for finished in done:
        assert len(await sweep_entries(platform, finished.id)) == 1


async def test_retention_policies_are_set_by_market_operations_and_read_by_their_tenant(
    platform,
):
    gql, ops = platform.gql, platform.ops
    tenant, admin = await tenant_admin(platform)
    user = await platform.factory.account("tenant_user", tenant)
    other, other_admin = await tenant_admin(platform)
    variables = {"t": str(tenant.id), "key": platform.key, "days": 90}

    policy = (await gql(SET, variables, token=ops.token)).ok()["setRetentionPolicy"]
    assert policy == {
        "tenantId": str(tenant.id),
        "templateKey": platform.key,
        "afterDays": 90,
        "updatedAt": policy["updatedAt"],
        "updatedBy": {"id": str(ops.user.id)},
    }
    for account in (admin, user):
        for query, args in ((SET, variables), (REMOVE, variables)):
            refused = await gql(query, args, token=account.token)
            assert refused.codes == ["FORBIDDEN"]
            assert "lacks retention.manage" in refused.errors[0]["message"]
        read = await gql(POLICIES, {"t": str(tenant.id)}, token=account.token)
        assert [p["afterDays"] for p in read.ok()["retentionPolicies"]] == [90]
    # another tenant's policies answer exactly like an unknown tenant's
    stranger = uuid.uuid4()
    theirs = await gql(POLICIES, {"t": str(tenant.id)}, token=other_admin.token)
    unknown = await gql(POLICIES, {"t": str(stranger)}, token=other_admin.token)
    assert theirs.codes == unknown.codes == ["NOT_FOUND"]
    assert theirs.errors[0]["message"].replace(str(tenant.id), "<id>") == unknown.errors[0][
        "message"
    ].replace(str(stranger), "<id>")
    assert (await gql(POLICIES, {"t": str(other.id)}, token=ops.token)).ok() == {
        "retentionPolicies": []
    }
    # a policy of an unknown tenant, or one it does not have, is not found
    unknown_tenant = {**variables, "t": str(uuid.uuid4())}
    assert (await gql(SET, unknown_tenant, token=ops.token)).codes == ["NOT_FOUND"]
    missing = {"t": str(other.id), "key": platform.key}
    assert (await gql(REMOVE, missing, token=ops.token)).codes == ["NOT_FOUND"]


@pytest.mark.parametrize(
    ("key", "days", "field"),
    [
        (None, 0, "afterDays"),
        (None, 36501, "afterDays"),
        ("no-such-template", 30, "templateKey"),
        ("Not A Key!", 30, "templateKey"),
    ],
)
async def test_a_policy_out_of_bounds_or_for_an_unknown_template_is_refused_and_changes_nothing(
    platform, key, days, field
):
    gql, ops = platform.gql, platform.ops
    tenant, _ = await tenant_admin(platform)
    (await gql(SET, {"t": str(tenant.id), "days": 45}, token=ops.token)).ok()

    refused = await gql(SET, {"t": str(tenant.id), "key": key, "days": days}, token=ops.token)

    assert refused.codes == ["VALIDATION_FAILED"]
    assert refused.field_paths == [[field]]
    policies = (await gql(POLICIES, {"t": str(tenant.id)}, token=ops.token)).ok()
    assert [(p["templateKey"], p["afterDays"]) for p in policies["retentionPolicies"]] == [
        (None, 45)
    ]


async def test_the_worker_sweeps_on_its_interval(platform, clock, sweep_all):
    _, admin = await tenant_admin(platform)
    done = await workflow(platform, admin)
    clock.advance(timedelta(days=DEFAULT_DAYS + 1))
    settings = platform.settings.model_copy(
        update={"retention_interval_seconds": 0.2, "worker_metrics_port": 0}
    )
    async with Worker(settings, storage=platform.storage, clock=clock) as worker:
        running = asyncio.create_task(worker.run())
        try:
            for _ in range(300):
                if contact_of(await read(platform, admin, done.id))["name"] == ERASED:
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the worker did not sweep within 30 s")
        finally:
            worker.stop()
            await running
    assert (await download(platform, admin, done.file_id)).status_code == 404


def wfm(settings, *args):
    """`wfm` with these arguments on the module's databases, in a thread of this process (the
    command runs its own event loop); its result (exit code, output)."""
    return CliRunner().invoke(
        wfm_app, list(args), env=api_env(settings), prog_name="wfm", catch_exceptions=False
    )


async def test_wfm_privacy_retention_prints_what_it_erased_and_with_dry_run_changes_nothing(
    platform, retention, clock, sweep_all
):
    tenant, admin = await tenant_admin(platform)
    done = await workflow(platform, admin)
    # finished long enough ago for the command's own clock, the system's
    await platform.owner.execute(
        "UPDATE wfm.workflow_instances_index SET completed_at = completed_at - interval '31 days' "
        "WHERE id = $1",
        uuid.UUID(done.id),
    )

    preview = await asyncio.to_thread(
        wfm, platform.settings, "privacy", "retention", "--dry-run", "--json"
    )
    assert preview.exit_code == 0, preview.output
    report = json.loads(preview.stdout)
    assert report["dryRun"] is True
    assert [(w["workflowId"], w["tenantId"], w["filesDeleted"]) for w in report["workflows"]] == [
        (done.id, str(tenant.id), 1)
    ]
    assert contact_of(await read(platform, admin, done.id))["name"] == done.name

    swept = await asyncio.to_thread(wfm, platform.settings, "privacy", "retention")
    assert swept.exit_code == 0, swept.output
    assert done.id in swept.stdout
    assert "1 workflow(s) past their retention period" in swept.stdout
    assert contact_of(await read(platform, admin, done.id))["name"] == ERASED
    again = await asyncio.to_thread(wfm, platform.settings, "privacy", "retention")
    assert "no finished workflow is past its retention period" in again.stdout


# The README's examples ("### Retention of finished workflows"), verbatim: run here with the
# tenant as `$tenant`, market operations as ops@wfm.local, its administrator as jan@...
README_EXAMPLES = [
    (
        "ops",
        None,
        """# as ops@wfm.local
mutation($tenant: ID!) {
  setRetentionPolicy(tenantId: $tenant, templateKey: "contract-onboarding", afterDays: 3650) {
    templateKey afterDays updatedAt updatedBy { name }
  }
}
""",
    ),
    (
        "admin",
        None,
        """# as jan@kempen-balancing.be
query($tenant: ID!) { retentionPolicies(tenantId: $tenant) { templateKey afterDays } }
""",
    ),
    (
        "admin",
        "FORBIDDEN",
        """# as jan@kempen-balancing.be
# refused: FORBIDDEN
mutation($tenant: ID!) {
  setRetentionPolicy(tenantId: $tenant, afterDays: 1) { afterDays }
}
""",
    ),
]


async def test_the_readme_examples_set_and_read_a_policy_and_show_a_refusal(platform):
    tenant, admin = await tenant_admin(platform)
    accounts = {"ops": platform.ops, "admin": admin}
    answers = []
    for who, refused, text in README_EXAMPLES:
        result = await platform.gql(text, {"tenant": str(tenant.id)}, token=accounts[who].token)
        if refused:
            assert result.codes == [refused]
        else:
            answers.append(result.ok())
    assert answers[0]["setRetentionPolicy"]["afterDays"] == 3650
    assert answers[1] == {
        "retentionPolicies": [{"templateKey": "contract-onboarding", "afterDays": 3650}]
    }
