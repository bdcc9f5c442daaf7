"""The platform tells people what needs them, by e-mail (a real SMTP peer) in each
recipient's language and in their in-app inbox (the `notifications` query): a submission
goes to market operations; a failed workflow to market operations and the tenant's
administrators; a job the worker gives up on (held as failed) to market operations, and to
the administrators of the tenant it concerns. A retried job sends nothing twice."""

import uuid

import httpx
import pytest

from wfm_api.app import create_app
from wfm_engine import ExecuteStep, FailWorkflow, StartWorkflow, SubmitWorkflow
from wfm_storage import jobs
from wfm_storage.queue import JobQueue
from wfm_storage.repositories.templates import TemplateRepository
from wfm_testing.graphql import GraphQLClient
from wfm_testing.peers import SmtpSink
from wfm_testing.templates import form_step, template
from wfm_worker.worker import Worker
from wfm_workflows.extensions import load_catalog

INBOX = "{ notifications(first: 50) { kind subject body locale workflowId } }"


@pytest.fixture(scope="module")
async def api(isolated_world):
    """The API on the module's database (to read inboxes as their users do) and its
    services (to act as the users do)."""
    app = create_app(isolated_world.settings, storage=isolated_world.storage)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            yield GraphQLClient(http), app.state.services


@pytest.fixture(scope="module")
def gql(api):
    return api[0]


@pytest.fixture(scope="module")
def platform(api):
    return api[1]


@pytest.fixture(scope="module")
async def key(isolated_world):
    definition = template([form_step("apply")], key=f"n-{uuid.uuid4().hex[:8]}", name="Grid")
    definition["name"] = {"en": "Grid access", "fr": "Accès réseau", "nl": "Nettoegang"}
    registries = load_catalog().registries
    await TemplateRepository().save(isolated_world.owner, registries.parse_template(definition))
    return definition["key"]


@pytest.fixture(scope="module")
async def people(isolated_world):
    """Market operations in Dutch and French; a tenant with administrators in French and
    Dutch and a member; another tenant with its administrator."""
    make = isolated_world.factory.account
    tenant = await isolated_world.factory.tenant(company_name="Ardennes Énergie SA")
    other = await isolated_world.factory.tenant(company_name="Flanders Flex NV")
    return {
        "tenant": tenant,
        "ops_nl": await make("market_ops", locale="nl", display_name="Ops NL"),
        "ops_fr": await make("market_ops", locale="fr", display_name="Ops FR"),
        "admin_fr": await make("tenant_admin", tenant, locale="fr"),
        "admin_nl": await make("tenant_admin", tenant, locale="nl"),
        "member": await make("tenant_user", tenant),
        "other_admin": await make("tenant_admin", other),
    }


@pytest.fixture
async def running(isolated_world):
    """A worker on the module's database, sending mail to the SMTP peer."""
    with SmtpSink() as sink:
        settings = isolated_world.settings.model_copy(
            update={
                "smtp_host": sink.host,
                "smtp_port": sink.port,
                "worker_metrics_port": 0,
                "retry_base_seconds": 0.05,
                "retry_cap_seconds": 0.5,
                "job_heartbeat_timeout_seconds": 2.0,
            }
        )
        started = Worker(settings, storage=isolated_world.storage)
        await started.start()
        try:
            yield started, sink
        finally:
            await started.close()


async def drain(worker):
    """Until nothing is due (a held job's notification is a job of its own)."""
    for _ in range(3):
        await worker.run_until_idle()


def mails_to(sink, account):
    return [m for m in sink.messages if m["To"].addresses[0].addr_spec == account.user.email]


async def inbox(gql, account, kind):
    found = (await gql(INBOX, token=account.token)).ok()["notifications"]
    return [n for n in found if n["kind"] == kind]


async def submitted(platform, people, key):
    admin = people["admin_fr"]
    state = await platform.workflows.create_workflow(
        admin.principal, market_role="GU", template_key=key
    )
    workflow_id = uuid.UUID(state.id)
    for command in (StartWorkflow(), ExecuteStep("apply", {}), SubmitWorkflow()):
        await platform.workflows.execute(admin.principal, workflow_id, command)
    return workflow_id


async def test_a_submission_is_announced_to_market_operations_in_their_language(
    running, platform, people, key, gql
):
    worker, sink = running
    workflow_id = await submitted(platform, people, key)
    await drain(worker)

    [dutch] = mails_to(sink, people["ops_nl"])
    assert dutch["Subject"] == "Goed te keuren: Nettoegang van Ardennes Énergie SA"
    assert dutch["Content-Language"] == "nl"
    assert f"Ardennes Énergie SA diende Nettoegang ({workflow_id}) in" in dutch.get_content()
    [french] = mails_to(sink, people["ops_fr"])
    assert french["Subject"] == "À approuver : Accès réseau de Ardennes Énergie SA"
    for tenant_side in ("admin_fr", "admin_nl", "member", "other_admin"):
        assert mails_to(sink, people[tenant_side]) == [], tenant_side

    [entry] = await inbox(gql, people["ops_nl"], "WORKFLOW_SUBMITTED")
    assert entry == {
        "kind": "WORKFLOW_SUBMITTED",
        "subject": dutch["Subject"],
        "body": dutch.get_content().strip(),
        "locale": "nl",
        "workflowId": str(workflow_id),
    }
    assert await inbox(gql, people["admin_fr"], "WORKFLOW_SUBMITTED") == []


async def test_a_failed_workflow_is_announced_to_market_operations_and_the_tenants_admins(
    running, platform, people, key, gql
):
    worker, sink = running
    workflow_id = await submitted(platform, people, key)
    await drain(worker)
    before = len(sink.messages)
    failing = FailWorkflow("the grid connection was refused")
    await platform.workflows.execute(people["ops_fr"].principal, workflow_id, failing)
    await drain(worker)

    failed = sink.messages[before:]
    to = {m["To"].addresses[0].addr_spec: m for m in failed}
    # the member of staff who failed it is not told what they did
    assert set(to) == {people[p].user.email for p in ("ops_nl", "admin_fr", "admin_nl")}
    assert to[people["admin_fr"].user.email]["Subject"] == (
        "Échec : Accès réseau de Ardennes Énergie SA"
    )
    assert (
        f"Nettoegang van Ardennes Énergie SA ({workflow_id}) is mislukt: "
        "the grid connection was refused"
    ) in to[people["admin_nl"].user.email].get_content()
    [entry] = await inbox(gql, people["admin_nl"], "WORKFLOW_FAILED")
    assert (entry["locale"], entry["workflowId"]) == ("nl", str(workflow_id))
    assert await inbox(gql, people["member"], "WORKFLOW_FAILED") == []
    assert await inbox(gql, people["other_admin"], "WORKFLOW_FAILED") == []


async def test_a_retried_dispatch_sends_nothing_twice(running, platform, people, key, gql):
    worker, sink = running
    workflow_id = await submitted(platform, people, key)
    await drain(worker)
    before = len(sink.messages)
    inbox_before = await inbox(gql, people["ops_nl"], "WORKFLOW_SUBMITTED")
    # the submission's dispatch run again, as a retried job would
    await platform.automation.dispatch_event(workflow_id, 4)
    await platform.automation.dispatch_event(workflow_id, 4)
    assert sink.messages[before:] == []
    assert await inbox(gql, people["ops_nl"], "WORKFLOW_SUBMITTED") == inbox_before


async def poison_job(isolated_world, workflow_id):
    """A timer job without its activation: no attempt can help, the worker holds it."""
    return await JobQueue().enqueue(
        isolated_world.owner,
        jobs.TIMER_FIRED,
        {"instanceId": str(workflow_id), "kind": "sla", "stepId": "apply"},
        dedupe_key=f"poison:{uuid.uuid4()}",
    )


async def job_status(isolated_world, job_id):
    return await isolated_world.owner.fetchval(
        "SELECT status::text FROM wfm_queue.pgqueuer WHERE id = $1", job_id
    )


async def test_a_job_held_as_failed_is_announced_once_per_holding(
    isolated_world, running, platform, people, key, gql
):
    worker, sink = running
    workflow_id = await submitted(platform, people, key)
    await drain(worker)
    before = len(sink.messages)
    job_id = await poison_job(isolated_world, workflow_id)
    await drain(worker)
    assert await job_status(isolated_world, job_id) == "failed"

    held = sink.messages[before:]
    to = {m["To"].addresses[0].addr_spec: m for m in held}
    assert len(held) == len(to) == 4
    assert set(to) == {people[p].user.email for p in ("ops_nl", "ops_fr", "admin_fr", "admin_nl")}
    staff = to[people["ops_fr"].user.email]
    assert staff["Subject"] == f"Tâche retenue en échec : timer_fired {job_id}"
    assert f"({jobs.TIMER_FIRED}, {workflow_id}) a abandonné après 1 tentative(s)" in (
        staff.get_content()
    )
    assert "KeyError" in staff.get_content()
    admin = to[people["admin_nl"].user.email]
    assert admin["Subject"] == "Een taak voor Ardennes Énergie SA is vertraagd"
    assert "KeyError" not in admin.get_content()  # the error's text stays with the staff
    [entry] = await inbox(gql, people["admin_nl"], "JOB_HELD")
    assert (entry["subject"], entry["workflowId"]) == (admin["Subject"], str(workflow_id))
    assert await inbox(gql, people["member"], "JOB_HELD") == []
    assert await inbox(gql, people["other_admin"], "JOB_HELD") == []

    # the notification's job run again (a retry): nobody is told twice
    held_key = jobs.held_key(job_id, 0)
    await platform.jobs.notify_held(job_id, jobs.TIMER_FIRED, {}, 1, "KeyError", held_key)
    assert len(sink.messages) == before + 4
    assert len(await inbox(gql, people["ops_nl"], "JOB_HELD")) == 1

    # retried by market operations and held again: a new holding, told again
    await platform.jobs.retry(people["ops_nl"].principal, job_id)
    await drain(worker)
    assert await job_status(isolated_world, job_id) == "failed"
    assert len(sink.messages) == before + 8
    assert len(await inbox(gql, people["ops_nl"], "JOB_HELD")) == 2


async def test_a_job_concerning_no_tenant_is_announced_to_market_operations_alone(
    isolated_world, running, people
):
    worker, sink = running
    before = len(sink.messages)
    # a platform event without its tenant: held at once
    await JobQueue().enqueue(isolated_world.owner, jobs.PLATFORM_EVENT, {"type": "tenant.created"})
    await drain(worker)
    told = {m["To"].addresses[0].addr_spec for m in sink.messages[before:]}
    assert people["ops_nl"].user.email in told
    assert not told & {people[p].user.email for p in ("admin_fr", "admin_nl", "other_admin")}


async def test_a_failing_notice_of_a_held_job_is_not_announced_in_turn(isolated_world, running):
    worker, sink = running
    before = len(sink.messages)
    job_id = await JobQueue().enqueue(isolated_world.owner, jobs.JOB_HELD, {"jobId": 1})
    await drain(worker)
    assert await job_status(isolated_world, job_id) == "failed"
    assert sink.messages[before:] == []
    waiting = await isolated_world.owner.fetchval(
        "SELECT count(*) FROM wfm_queue.pgqueuer WHERE entrypoint = $1 AND status = 'queued'",
        jobs.JOB_HELD,
    )
    assert waiting == 0
