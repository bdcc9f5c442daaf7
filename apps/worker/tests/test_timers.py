"""Time, under a controlled clock: SLA breaches and their escalation (pause stops the clock),
approval deadlines, delays."""

import uuid
from datetime import timedelta

from wfm_engine import (
    EventType,
    ExecuteStep,
    PauseWorkflow,
    ResumeWorkflow,
    StartWorkflow,
    SubmitWorkflow,
    WorkflowStatus,
)
from wfm_testing.templates import form_step, step


async def started(isolated_world, service, key, role="tenant_admin"):
    tenant = await isolated_world.factory.tenant()
    user = await isolated_world.factory.account(role, tenant)
    state = await service.create_workflow(user.principal, market_role="GU", template_key=key)
    workflow_id = uuid.UUID(state.id)
    await service.execute(user.principal, workflow_id, StartWorkflow())
    return user, workflow_id


async def events_of(isolated_world, user, workflow_id):
    return [
        e.type
        for e in await isolated_world.storage.events.for_instance(user.principal, str(workflow_id))
    ]


async def test_sla_breach_escalates_and_pause_stops_the_clock(
    isolated_world, make_worker, service, publish, clock
):
    key = await publish(
        [
            form_step("review", sla={"duration": "PT1H", "escalateTo": "market_ops"}),
            form_step("sign"),
        ]
    )
    ops = await isolated_world.factory.account("market_ops")
    user, workflow_id = await started(isolated_world, service, key)
    worker = await make_worker()

    clock.advance(timedelta(minutes=40))
    await service.execute(user.principal, workflow_id, PauseWorkflow("waiting for the bank"))
    clock.advance(timedelta(hours=5))  # paused: the SLA does not run
    assert (await worker.tick()).timers == 0
    await service.execute(user.principal, workflow_id, ResumeWorkflow())
    clock.advance(timedelta(minutes=19))
    assert (await worker.tick()).timers == 0  # 59 minutes of work so far
    clock.advance(timedelta(minutes=2))
    assert (await worker.tick()).timers == 1
    await worker.run_until_idle()

    state = (await service.load(user.principal, workflow_id)).state
    assert (await events_of(isolated_world, user, workflow_id))[-1] is EventType.STEP_SLA_BREACHED
    assert state.assignments == {"review": "market_ops"}
    assert state.status is WorkflowStatus.IN_PROGRESS  # escalated, not stopped
    async with isolated_world.storage.db.transaction(ops.principal) as conn:
        inbox = await isolated_world.storage.notifications.for_user(
            conn, ops.user.id, unread_only=True, limit=5
        )
    assert [n.kind for n in inbox] == ["STEP_SLA_BREACHED"]
    # completing the step cancels its timer: no second breach later
    await service.execute(user.principal, workflow_id, ExecuteStep("review", {}))
    clock.advance(timedelta(days=3))
    assert (await worker.tick()).timers == 0


async def test_an_undecided_approval_expires_as_the_template_says(
    isolated_world, make_worker, service, publish, clock
):
    key = await publish(
        [form_step("apply")],
        submission={
            "approval": {
                "roles": ["market_ops"],
                "deadline": {"duration": "P2D", "onExpiry": "reject"},
            }
        },
    )
    user, workflow_id = await started(isolated_world, service, key)
    await service.execute(user.principal, workflow_id, ExecuteStep("apply", {}))
    await service.execute(user.principal, workflow_id, SubmitWorkflow())
    worker = await make_worker()
    clock.advance(timedelta(days=1))
    assert (await worker.tick()).timers == 0
    clock.advance(timedelta(days=1, seconds=1))
    assert (await worker.tick()).timers == 1
    await worker.run_until_idle()
    state = (await service.load(user.principal, workflow_id)).state
    assert state.status is WorkflowStatus.IN_PROGRESS
    assert state.last_rejection.reason == "the approval deadline passed without a decision"


async def test_an_expired_approval_step_is_decided_as_rejected(
    isolated_world, make_worker, service, publish, clock
):
    review = step(
        "review",
        "approval",
        roles=["market_ops"],
        config={"deadline": {"duration": "PT8H", "onExpiry": "reject"}},
        next=[
            {"when": "steps.review.decision == 'approve'"},
            {"to": "apply", "when": "steps.review.decision == 'reject'"},
        ],
    )
    key = await publish([form_step("apply"), review])
    user, workflow_id = await started(isolated_world, service, key)
    await service.execute(user.principal, workflow_id, ExecuteStep("apply", {}))
    worker = await make_worker()
    clock.advance(timedelta(hours=8, minutes=1))
    await worker.tick()
    await worker.run_until_idle()
    state = (await service.load(user.principal, workflow_id)).state
    assert state.current_step_id == "apply"  # sent back by the rejection
    assert state.step("review").data["decision"] == "reject"


async def test_a_delay_step_resumes_the_workflow_at_its_time(
    isolated_world, make_worker, service, publish, clock
):
    wait = step("cooling-off", "delay", config={"duration": "P14D"})
    key = await publish([form_step("apply"), wait, form_step("confirm")])
    user, workflow_id = await started(isolated_world, service, key)
    state = await service.execute(user.principal, workflow_id, ExecuteStep("apply", {}))
    assert state.current_step_id == "cooling-off"
    worker = await make_worker()
    clock.advance(timedelta(days=13))
    assert (await worker.tick()).timers == 0
    clock.advance(timedelta(days=1))
    assert (await worker.tick()).timers == 1
    await worker.run_until_idle()
    state = (await service.load(user.principal, workflow_id)).state
    assert state.current_step_id == "confirm"
    assert state.step("cooling-off").data["resumedAt"] == clock.now().isoformat()
