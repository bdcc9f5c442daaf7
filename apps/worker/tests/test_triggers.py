"""Triggers start workflows: a cron schedule in a time zone fires once per slot even with
two workers; a platform event starts a follow-up workflow with its correlation id."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from wfm_engine import ApproveWorkflow, ExecuteStep, StartWorkflow, SubmitWorkflow
from wfm_shared.principal import system_principal
from wfm_testing.factories import belgian_vat
from wfm_testing.templates import form_step
from wfm_workflows.triggers import latest_slot


async def triggered_instances(isolated_world, trigger_id):
    async with isolated_world.storage.db.transaction(system_principal()) as conn:
        rows = await conn.fetch(
            "SELECT fire_key FROM wfm.trigger_firings WHERE trigger_id = $1 ORDER BY fire_key",
            trigger_id,
        )
    return [r["fire_key"] for r in rows]


async def workflows_of(isolated_world, tenant_id):
    async with isolated_world.storage.db.transaction(system_principal()) as conn:
        rows = await conn.fetch(
            "SELECT id FROM wfm.workflow_instances_index WHERE tenant_id = $1 AND version > 0",
            tenant_id,
        )
    return [r["id"] for r in rows]


async def runs_of(isolated_world, trigger_id):
    async with isolated_world.storage.db.transaction(system_principal()) as conn:
        page = await isolated_world.storage.trigger_runs.page(
            conn, trigger_id, first=50, after=None
        )
    return page.runs


async def a_trigger(isolated_world, admin, **fields):
    """A trigger of `admin`'s tenant that starts a BRP workflow, created by `admin`."""
    async with isolated_world.storage.db.transaction(admin.principal) as conn:
        return await isolated_world.storage.triggers.create(
            conn,
            tenant_id=admin.user.tenant_id,
            market_role="BRP",
            created_by=admin.user.id,
            **fields,
        )


QUARTER_HOURLY = {
    "name": "Quarter-hourly imbalance report",
    "kind": "schedule",
    "cron": "*/15 * * * *",
    "timezone": "Europe/Brussels",
}


def test_cron_slots_follow_the_time_zone():
    # 06:00 in Brussels is 05:00 UTC in winter and 04:00 UTC in summer
    winter = latest_slot("0 6 * * *", "Europe/Brussels", datetime(2026, 1, 15, 5, 30, tzinfo=UTC))
    summer = latest_slot("0 6 * * *", "Europe/Brussels", datetime(2026, 7, 15, 4, 30, tzinfo=UTC))
    assert winter.astimezone(UTC) == datetime(2026, 1, 15, 5, 0, tzinfo=UTC)
    assert summer.astimezone(UTC) == datetime(2026, 7, 15, 4, 0, tzinfo=UTC)


async def test_a_cron_trigger_fires_once_per_slot_with_two_workers(
    isolated_world, make_worker, publish, clock
):
    key = await publish([form_step("report")])
    tenant = await isolated_world.factory.tenant()
    admin = await isolated_world.factory.account("tenant_admin", tenant)
    trigger = await a_trigger(isolated_world, admin, template_key=key, **QUARTER_HOURLY)
    first, second = await make_worker(), await make_worker()
    clock.advance(timedelta(minutes=20))  # 08:20 UTC: the 08:15 slot is due
    reports = await asyncio.gather(first.tick(), second.tick())
    assert sorted(len(r.schedules) for r in reports) == [0, 1]
    await first.run_until_idle()
    assert len(await workflows_of(isolated_world, tenant.id)) == 1
    assert (await first.tick()).schedules == []  # same slot: nothing more
    clock.advance(timedelta(minutes=15))
    await asyncio.gather(first.tick(), second.tick())
    await second.run_until_idle()
    assert len(await workflows_of(isolated_world, tenant.id)) == 2
    assert len(await triggered_instances(isolated_world, trigger.id)) == 2
    state = (
        await first.services.workflows.load(
            system_principal(), (await workflows_of(isolated_world, tenant.id))[0]
        )
    ).state
    assert state.trigger["type"] == "schedule"
    assert state.trigger["triggerId"] == str(trigger.id)


async def test_an_approved_workflow_starts_its_follow_up(
    isolated_world, make_worker, service, publish
):
    onboarding = await publish([form_step("apply")])
    follow_up = await publish([form_step("first-nomination")])
    tenant = await isolated_world.factory.tenant()
    admin = await isolated_world.factory.account("tenant_admin", tenant)
    ops = await isolated_world.factory.account("market_ops")
    await a_trigger(
        isolated_world,
        admin,
        name="After onboarding",
        kind="event",
        event_type="workflow.approved",
        filter={"templateKey": onboarding},
        template_key=follow_up,
    )
    state = await service.create_workflow(
        admin.principal, market_role="BRP", template_key=onboarding
    )
    workflow_id = uuid.UUID(state.id)
    await service.execute(admin.principal, workflow_id, StartWorkflow())
    await service.execute(admin.principal, workflow_id, ExecuteStep("apply", {}))
    await service.execute(admin.principal, workflow_id, SubmitWorkflow())
    await service.execute(
        ops.principal, workflow_id, ApproveWorkflow(), correlation_id="req-approve-1"
    )
    worker = await make_worker()
    await worker.run_until_idle()
    await worker.run_until_idle()  # the start job is left by the dispatch job
    started = [w for w in await workflows_of(isolated_world, tenant.id) if w != workflow_id]
    assert len(started) == 1
    events = await isolated_world.storage.events.for_instance(system_principal(), str(started[0]))
    created = events[0]
    assert created.data["templateKey"] == follow_up
    assert created.data["trigger"]["eventType"] == "workflow.approved"
    assert created.data["trigger"]["workflowId"] == str(workflow_id)
    assert created.correlation_id == "req-approve-1"


async def test_a_platform_trigger_onboards_every_new_tenant(
    isolated_world, make_worker, publish, make_services
):
    welcome = await publish([form_step("welcome-call")])
    async with isolated_world.storage.db.transaction(system_principal()) as conn:
        await isolated_world.storage.triggers.create(
            conn,
            tenant_id=None,
            name="Onboard new participants",
            kind="event",
            event_type="tenant.created",
            template_key=welcome,
            market_role="GU",
            created_by=system_principal().user_id,
        )
    services = await make_services(isolated_world.settings, isolated_world.storage)
    profile = await services.tenants.create(
        system_principal(),
        slug=f"new-{uuid.uuid4().hex[:8]}",
        company_name="Nieuwe Netgebruiker BV",
        vat_number=belgian_vat(777),
        market_roles=["GU"],
    )
    worker = await make_worker()
    await worker.run_until_idle()
    await worker.run_until_idle()
    (instance,) = await workflows_of(isolated_world, profile.tenant.id)
    events = await isolated_world.storage.events.for_instance(system_principal(), str(instance))
    assert events[0].data["templateKey"] == welcome
    assert events[0].data["trigger"]["eventType"] == "tenant.created"


async def test_a_trigger_that_would_start_a_second_onboarding_is_skipped_and_audited(
    isolated_world, make_worker, service, publish
):
    onboarding = await publish([form_step("apply")], grantsMarketRole=True)
    kickoff = await publish([form_step("kickoff")])
    tenant = await isolated_world.factory.tenant()
    admin = await isolated_world.factory.account("tenant_admin", tenant)
    open_one = await service.create_workflow(
        admin.principal, market_role="BRP", template_key=onboarding
    )
    trigger = await a_trigger(
        isolated_world,
        admin,
        name="Onboard at kick-off",
        kind="event",
        event_type="workflow.started",
        filter={"templateKey": kickoff},
        template_key=onboarding,
    )
    started = await service.create_workflow(
        admin.principal, market_role="BRP", template_key=kickoff
    )
    await service.execute(admin.principal, uuid.UUID(started.id), StartWorkflow())

    worker = await make_worker()
    await worker.run_until_idle()
    await worker.run_until_idle()

    assert sorted(map(str, await workflows_of(isolated_world, tenant.id))) == sorted(
        [open_one.id, started.id]
    )
    failed = await isolated_world.owner.fetchval(
        "SELECT count(*) FROM wfm_queue.pgqueuer WHERE status::text = 'failed' "
        "AND convert_from(payload, 'UTF8')::jsonb ->> 'triggerId' = $1",
        str(trigger.id),
    )
    assert failed == 0  # nothing left in the dead letter for an operator to retry in vain
    details = await isolated_world.owner.fetchval(
        "SELECT details FROM wfm.audit_log WHERE action = 'TRIGGER_SKIPPED' AND target_id = $1",
        str(trigger.id),
    )
    assert details["existingWorkflowId"] == open_one.id
    assert details["marketRole"] == "BRP"
    (run,) = await runs_of(isolated_world, trigger.id)
    assert (run.outcome, run.workflow_id) == ("skipped", None)
    assert open_one.id in run.reason


async def test_a_schedule_switched_off_fires_nothing_and_switched_on_catches_up_no_slot(
    isolated_world, make_worker, publish, clock
):
    key = await publish([form_step("report")])
    tenant = await isolated_world.factory.tenant()
    admin = await isolated_world.factory.account("tenant_admin", tenant)
    trigger = await a_trigger(isolated_world, admin, template_key=key, **QUARTER_HOURLY)
    worker = await make_worker()
    triggers = worker.services.triggers
    await triggers.disable(admin.principal, trigger.id)
    clock.advance(timedelta(minutes=20))  # 08:20 UTC: the 08:15 slot is due, and it is off
    assert (await worker.tick()).schedules == []
    await triggers.enable(admin.principal, trigger.id)
    # the 08:15 slot was missed while off: switched on again, it is not caught up
    assert (await worker.tick()).schedules == []
    clock.advance(timedelta(minutes=15))  # 08:35: the 08:30 slot comes after it was on
    assert len((await worker.tick()).schedules) == 1
    await worker.run_until_idle()
    (started,) = await workflows_of(isolated_world, tenant.id)
    (run,) = await runs_of(isolated_world, trigger.id)
    assert (run.kind, run.outcome, run.workflow_id) == ("schedule", "started", started)
    assert run.fire_key.startswith("schedule:")
    assert run.correlation_id == f"trigger:{trigger.id}:{run.fire_key}"


async def test_a_firing_queued_before_its_trigger_was_switched_off_is_logged_as_skipped(
    isolated_world, make_worker, publish
):
    follow_up = await publish([form_step("first-nomination")])
    tenant = await isolated_world.factory.tenant()
    admin = await isolated_world.factory.account("tenant_admin", tenant)
    trigger = await a_trigger(
        isolated_world,
        admin,
        name="After approval",
        kind="event",
        event_type="workflow.approved",
        template_key=follow_up,
    )
    worker = await make_worker()
    await worker.services.triggers.disable(admin.principal, trigger.id)
    # the job a firing claimed before the trigger was switched off
    fired_by = {"type": "event", "eventType": "workflow.approved"}
    for _ in range(2):  # run twice (at least once delivery): logged once
        await worker.services.triggers.start_triggered_workflow(trigger.id, "w:7", fired_by)
    assert await workflows_of(isolated_world, tenant.id) == []
    (run,) = await runs_of(isolated_world, trigger.id)
    assert (run.kind, run.outcome, run.reason) == ("event", "skipped", "the trigger is disabled")
    assert run.fire_key == "w:7"


async def test_a_firing_whose_template_is_withdrawn_is_logged_as_failed_not_retried(
    isolated_world, make_worker, publish
):
    report = await publish([form_step("report")])
    tenant = await isolated_world.factory.tenant()
    admin = await isolated_world.factory.account("tenant_admin", tenant)
    trigger = await a_trigger(
        isolated_world,
        admin,
        name="Nightly report",
        kind="schedule",
        cron="0 2 * * *",
        timezone="Europe/Brussels",
        template_key=report,
    )
    await isolated_world.owner.execute(
        "UPDATE wfm.workflow_templates SET status = 'deprecated' WHERE key = $1", report
    )
    worker = await make_worker()
    fired_by = {"type": "schedule", "slot": "2030-01-01T02:00:00+01:00"}
    await worker.services.triggers.start_triggered_workflow(trigger.id, "schedule:x", fired_by)
    (run,) = await runs_of(isolated_world, trigger.id)
    assert (run.outcome, run.workflow_id) == ("failed", None)
    assert run.reason == f"template {report} not found"
