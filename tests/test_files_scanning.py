"""Attachments with a virus scanner configured (a real clamd-protocol peer): an upload waits
`pending`, neither downloadable nor enough for the submission, until the worker's `scan_file`
job has the scanner's verdict; a clean file is then served, an infected one never (its bytes
are deleted, the finding audited); while the scanner is away the file stays pending and the
job is retried."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from wfm_api.app import create_app
from wfm_bootstrap import Services
from wfm_devkit.documents import pdf_document
from wfm_devkit.step_data import GUARANTEE_STEP, step_data, with_guarantee_copy
from wfm_documents.scanning import ScannerUnavailable
from wfm_shared.retries import TransientFailure
from wfm_testing.clamd import EICAR, EICAR_SIGNATURE, ClamdPeer
from wfm_testing.factories import Account
from wfm_testing.files import download_file, uploaded_file_id
from wfm_testing.graphql import GraphQLClient
from wfm_testing.onboarding import SUBMIT, complete_steps, drive
from wfm_testing.pytest_plugin import next_client_address
from wfm_worker.handlers import JobHandlers
from wfm_worker.metrics import WorkerMetrics
from wfm_worker.worker import Worker

GUARANTEE = pdf_document("Bank guarantee KBC-GAR-2026-000042")
INFECTED = pdf_document("Bank guarantee") + EICAR  # a PDF by its first bytes, with EICAR in it
STATUS = "query($id: ID!) { workflow(id: $id) { status files { id status } } }"


@dataclass
class Scanned:
    gql: GraphQLClient
    services: Services
    clamd: ClamdPeer

    async def scan(self, file_id: str, tenant_id: uuid.UUID) -> None:
        """What the worker does with the job the upload left."""
        handlers = JobHandlers(self.services, WorkerMetrics())
        await handlers.scan_file({"fileId": file_id, "tenantId": str(tenant_id)}, 1)


@pytest.fixture
async def scanned(wfm_settings, storage, clamd):
    """The API with WFM_CLAMD_ADDRESS naming the peer."""
    app = create_app(
        wfm_settings.model_copy(update={"clamd_address": clamd.address}), storage=storage
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(next_client_address(), 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            yield Scanned(GraphQLClient(http), app.state.services, clamd)


@dataclass
class Onboarding:
    workflow_id: str
    file_id: str
    user: Account


async def filled_onboarding(scanned: Scanned, factory, content: bytes) -> Onboarding:
    """A BRP onboarding of a tenant of its own, its guarantee's copy `content`, every step
    done (AWAITING_VALIDATION)."""
    gql = scanned.gql
    tenant = await factory.tenant()
    user = await factory.account("tenant_admin", tenant)
    workflow_id = await drive(gql, tenant, user.token, until="IN_PROGRESS")
    file_id = await uploaded_file_id(
        gql, user.token, workflow_id, GUARANTEE_STEP, "guarantee.pdf", content
    )
    book = step_data(tenant)
    book[GUARANTEE_STEP] = with_guarantee_copy(book[GUARANTEE_STEP], file_id)
    await complete_steps(gql, tenant, user.token, workflow_id, book)
    return Onboarding(workflow_id, file_id, user)


async def test_a_file_waits_pending_until_the_scanner_finds_it_clean(scanned, factory, owner_conn):
    gql = scanned.gql
    onboarding = await filled_onboarding(scanned, factory, GUARANTEE)
    user = onboarding.user
    # the upload left the job that scans it, once
    job = await owner_conn.fetchrow(
        "SELECT entrypoint, dedupe_key FROM wfm_queue.pgqueuer WHERE dedupe_key = $1",
        f"scan-file:{onboarding.file_id}",
    )
    assert job is not None
    assert job["entrypoint"] == "scan_file"
    pending = await download_file(gql, user.token, onboarding.file_id)
    assert pending.status_code == 409
    assert pending.json()["errors"][0]["extensions"]["code"] == "FILE_PENDING"
    refused = await gql(SUBMIT, {"id": onboarding.workflow_id}, token=user.token)
    assert refused.codes == ["GATE_FAILED"]
    assert refused.errors[0]["extensions"]["failedGates"][0]["reason"] == (
        "financial-guarantee: the bank-guarantee file is still being scanned for viruses: "
        "try again shortly"
    )

    await scanned.scan(onboarding.file_id, user.user.tenant_id)
    assert scanned.clamd.streams == [GUARANTEE]  # the scanner read the file whole
    served = await download_file(gql, user.token, onboarding.file_id)
    assert (served.status_code, served.content) == (200, GUARANTEE)
    submitted = await gql(SUBMIT, {"id": onboarding.workflow_id}, token=user.token)
    assert submitted.ok()["submitWorkflow"]["status"] == "SUBMITTED"
    listed = (await gql(STATUS, {"id": onboarding.workflow_id}, token=user.token)).ok()
    assert listed["workflow"]["files"] == [{"id": onboarding.file_id, "status": "CLEAN"}]


async def test_an_infected_file_is_never_served_its_bytes_are_deleted_and_the_finding_audited(
    scanned, factory, storage, owner_conn
):
    gql = scanned.gql
    onboarding = await filled_onboarding(scanned, factory, INFECTED)
    user = onboarding.user
    await scanned.scan(onboarding.file_id, user.user.tenant_id)
    for reader in (user.token, (await factory.account("market_ops")).token):
        refused = await download_file(gql, reader, onboarding.file_id)
        assert refused.status_code == 410
        assert refused.json()["errors"][0]["extensions"]["code"] == "FILE_INFECTED"
    db = storage.mongo.db
    assert await db["attachments.files"].count_documents({"_id": onboarding.file_id}) == 0
    assert await db["attachments.chunks"].count_documents({"files_id": onboarding.file_id}) == 0
    entry = await owner_conn.fetchrow(
        "SELECT tenant_id, details FROM wfm.audit_log WHERE action = 'FILE_INFECTED' "
        "AND target_id = $1",
        onboarding.file_id,
    )
    assert entry["tenant_id"] == user.user.tenant_id
    assert entry["details"]["signature"] == EICAR_SIGNATURE
    refused = await gql(SUBMIT, {"id": onboarding.workflow_id}, token=user.token)
    assert refused.errors[0]["extensions"]["failedGates"][0]["reason"] == (
        "financial-guarantee: the bank-guarantee file did not pass the virus scan: "
        "upload a clean copy"
    )
    listed = (await gql(STATUS, {"id": onboarding.workflow_id}, token=user.token)).ok()
    assert listed["workflow"]["files"][0]["status"] == "INFECTED"
    # the job run again (at least once delivery) changes nothing
    await scanned.scan(onboarding.file_id, user.user.tenant_id)
    assert len(scanned.clamd.streams) == 1


async def test_while_the_scanner_is_away_the_file_stays_pending_and_the_job_is_retried(
    scanned, factory
):
    gql = scanned.gql
    tenant = await factory.tenant()
    user = await factory.account("tenant_user", tenant)
    workflow_id = await drive(gql, tenant, user.token, until="IN_PROGRESS")
    file_id = await uploaded_file_id(
        gql, user.token, workflow_id, GUARANTEE_STEP, "guarantee.pdf", GUARANTEE
    )
    scanned.clamd.failing = "Can't allocate memory"
    with pytest.raises(ScannerUnavailable) as away:
        await scanned.scan(file_id, tenant.id)
    assert isinstance(away.value, TransientFailure)  # the worker runs the job again later
    assert (await download_file(gql, user.token, file_id)).status_code == 409
    scanned.clamd.failing = None
    await scanned.scan(file_id, tenant.id)
    assert (await download_file(gql, user.token, file_id)).status_code == 200
    # a job naming the file under another tenant finds nothing to do
    await scanned.scan(file_id, uuid.uuid4())


async def test_the_worker_takes_the_scan_job_the_upload_queued(
    isolated_world, make_services, clamav
):
    """The whole path on a database of its own, scanned by ClamAV's own daemon: the upload's
    transaction queues `scan_file`, a worker (its own process's code, in this one) drains
    the queue, the file is judged."""
    settings = isolated_world.settings.model_copy(
        update={"clamd_address": clamav.address, "worker_metrics_port": 0}
    )
    services = await make_services(settings, isolated_world.storage)
    tenant = await isolated_world.factory.tenant()
    admin = await isolated_world.factory.account("tenant_admin", tenant)
    state = await services.workflows.create_workflow(
        admin.principal, market_role="BRP", template_key="contract-onboarding"
    )

    async def streamed(content: bytes) -> AsyncIterator[bytes]:
        yield content

    clean, infected = [
        await services.files.upload(
            admin.principal, uuid.UUID(state.id), GUARANTEE_STEP, "g.pdf", streamed(content)
        )
        for content in (GUARANTEE, INFECTED)
    ]
    assert (clean.status, infected.status) == ("pending", "pending")
    worker = Worker(settings, storage=isolated_world.storage)
    await worker.start()
    try:
        await worker.run_until_idle()
    finally:
        await worker.close()
    judged = await services.files.for_workflows(admin.principal, [uuid.UUID(state.id)])
    assert {(f.id, f.status, f.scan_signature) for f in judged} == {
        (clean.id, "clean", None),
        (infected.id, "infected", "Eicar-Test-Signature.UNOFFICIAL"),
    }
