"""Fault injection: the command path stops after each of its writes. The reconciler (or the
retried request) brings the document and the index up to the log; nothing is lost or
applied twice."""

import uuid

import pytest

from wfm_engine import (
    ExecuteStep,
    FailStep,
    FailWorkflow,
    RecordIteration,
    ResumeWorkflow,
    RetryWorkflow,
    StartWorkflow,
    WorkflowStatus,
    fold,
)
from wfm_shared.principal import system_principal
from wfm_storage import jobs
from wfm_testing.onboarding import step_data
from wfm_workflows.service import Faults

STAGES = ("events_appended", "document_saved", "index_updated")


class SimulatedCrash(Exception):
    pass


class CrashAt(Faults):
    def __init__(self, stage):
        self.stage = stage
        self.crashed = False

    async def reached(self, stage):
        if stage == self.stage and not self.crashed:
            self.crashed = True
            raise SimulatedCrash(stage)


async def assert_projections_match_log(storage, owner_conn, instance_id):
    system = system_principal()
    events = await storage.events.for_instance(system, instance_id)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    truth = fold(events)
    assert await storage.documents.get(system, instance_id) == truth
    row = await owner_conn.fetchrow(
        "SELECT status, current_step, version, projected_version FROM wfm.workflow_instances_index WHERE id = $1",
        uuid.UUID(instance_id),
    )
    assert tuple(row.values()) == (
        truth.status.value,
        truth.current_step_id,
        truth.version,
        truth.version,
    )
    audited = await owner_conn.fetch(
        "SELECT (details->>'seq')::int AS seq FROM wfm.audit_log WHERE target_id = $1 ORDER BY id",
        instance_id,
    )
    assert [a["seq"] for a in audited] == [e.seq for e in events]  # each event projected once
    return truth


@pytest.mark.parametrize("repair", ["reconcile", "retry"])
@pytest.mark.parametrize("stage", STAGES)
async def test_crash_while_creating(
    storage, services, make_services, wfm_settings, factory, owner_conn, stage, repair
):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    crashing = (await make_services(wfm_settings, storage, faults=CrashAt(stage))).workflows
    create = {
        "market_role": "BRP",
        "template_key": "contract-onboarding",
        "idempotency_key": "create-1",
    }
    with pytest.raises(SimulatedCrash):
        await crashing.create_workflow(admin.principal, **create)
    row = await owner_conn.fetchrow(
        "SELECT id FROM wfm.workflow_instances_index WHERE tenant_id = $1", tenant.id
    )
    instance_id = str(row["id"])
    if repair == "reconcile":
        report = await services.reconciler.run()
        assert report.checked >= 1
    retried = await services.workflows.create_workflow(admin.principal, **create)
    assert retried.id == instance_id
    assert retried.version == 1
    count = await owner_conn.fetchval(
        "SELECT count(*) FROM wfm.workflow_instances_index WHERE tenant_id = $1", tenant.id
    )
    assert count == 1
    if repair == "retry":  # the retry itself finishes what the first attempt began
        assert (await assert_projections_match_log(storage, owner_conn, instance_id)).version == 1
    await services.reconciler.run()
    truth = await assert_projections_match_log(storage, owner_conn, instance_id)
    assert truth.version == 1


@pytest.mark.parametrize("repair", ["reconcile", "retry"])
@pytest.mark.parametrize("stage", STAGES)
async def test_crash_while_executing_a_step(
    storage, services, make_services, wfm_settings, factory, owner_conn, stage, repair
):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    service = services.workflows
    crashing = (await make_services(wfm_settings, storage, faults=CrashAt(stage))).workflows
    created = await service.create_workflow(
        admin.principal, market_role="BRP", template_key="contract-onboarding"
    )
    workflow_id = uuid.UUID(created.id)
    await service.execute(admin.principal, workflow_id, StartWorkflow())
    command = ExecuteStep("company-info", step_data(tenant)["company-info"])
    with pytest.raises(SimulatedCrash):
        await crashing.execute(admin.principal, workflow_id, command, idempotency_key="step-1")
    if repair == "reconcile":
        report = await services.reconciler.run()
        if stage != "index_updated":
            assert created.id in report.repaired_ids
        await assert_projections_match_log(storage, owner_conn, created.id)
    retried = await service.execute(admin.principal, workflow_id, command, idempotency_key="step-1")
    assert (retried.version, retried.current_step_id) == (3, "contacts")
    truth = await assert_projections_match_log(storage, owner_conn, created.id)
    assert truth == retried


async def test_reconcile_is_idempotent_and_reports_nothing_to_do(services):
    await services.reconciler.run()
    report = await services.reconciler.run()
    assert report.documents_repaired == report.index_repaired == report.events_projected == 0


@pytest.mark.parametrize("stage", STAGES)
async def test_crash_while_an_item_is_recorded_a_step_fails_or_a_retry_is_made(
    storage, services, make_services, wfm_settings, factory, owner_conn, failing_template, stage
):
    """The events of failure branches, forEach items and retries are projected by the
    reconciler like any other: the next item's job is left for the worker, once."""
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    platform = system_principal()
    service = services.workflows
    faults = CrashAt(stage)
    crashing = (await make_services(wfm_settings, storage, faults=faults)).workflows
    created = await service.create_workflow(
        admin.principal, market_role="GU", template_key=failing_template
    )
    workflow_id = uuid.UUID(created.id)
    await service.execute(admin.principal, workflow_id, StartWorkflow())
    state = await service.execute(
        admin.principal, workflow_id, ExecuteStep("apply", {"points": ["A", "B", "C"]})
    )
    answer = {"status": 201, "body": {"id": "AP-1"}, "attempts": 1}
    commands = [
        (RecordIteration("register", 0, answer), platform),
        (FailStep("register", "HTTP 503 Service Unavailable", 2), platform),  # paused
        (ResumeWorkflow(), admin.principal),
        (FailWorkflow("the registry is down", "register"), platform),
        (RetryWorkflow(), admin.principal),
    ]
    for index, (command, principal) in enumerate(commands):
        faults.crashed = False
        with pytest.raises(SimulatedCrash):
            await crashing.execute(principal, workflow_id, command, idempotency_key=f"c-{index}")
        await services.reconciler.run()
        state = await assert_projections_match_log(storage, owner_conn, created.id)
    assert state.status is WorkflowStatus.IN_PROGRESS
    assert state.iteration.results == (answer,)  # item 0 stays done through it all
    next_item = await owner_conn.fetchval(
        "SELECT count(*) FROM wfm_queue.pgqueuer WHERE dedupe_key = $1",
        jobs.item_key(created.id, 3, 1),
    )
    assert next_item == 1  # item 0 of the activation at event 3 recorded: item 1's job waits
