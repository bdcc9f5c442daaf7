"""A system step type an extension adds is run by the worker like the built-in ones: the
example extension's `vendor_registration` step records the vendor's number."""

import re
import uuid

import pytest

from wfm_engine import EventType, ExecuteStep, StartWorkflow, StepStatus, WorkflowStatus
from wfm_shared.errors import Forbidden
from wfm_shared.principal import SYSTEM_USER_ID
from wfm_testing.templates import form_step, step


async def test_the_worker_runs_an_extension_system_step_and_the_workflow_moves_on(
    isolated_world, make_worker, service, publish
):
    key = await publish(
        [
            form_step("company"),
            step("registration", "vendor_registration", config={"prefix": "KRT"}),
            form_step("contract"),
        ]
    )
    tenant = await isolated_world.factory.tenant()
    admin = await isolated_world.factory.account("tenant_admin", tenant)
    created = await service.create_workflow(admin.principal, market_role="ESP", template_key=key)
    workflow_id = uuid.UUID(created.id)
    await service.execute(admin.principal, workflow_id, StartWorkflow())
    await service.execute(admin.principal, workflow_id, ExecuteStep("company", {}))

    worker = await make_worker()
    await worker.run_until_idle()

    state = (await service.load(admin.principal, workflow_id)).state
    assert (state.status, state.current_step_id) == (WorkflowStatus.IN_PROGRESS, "contract")
    registered = state.step("registration")
    assert registered.status is StepStatus.COMPLETED
    number = registered.data["vendorNumber"]
    assert re.fullmatch(r"KRT-[0-9A-F]{8}", number)
    assert state.variables["vendorNumber"] == number
    events = await isolated_world.storage.events.for_instance(admin.principal, state.id)
    completed = [e for e in events if e.type is EventType.STEP_COMPLETED]
    assert [e.step_id for e in completed] == ["company", "registration"]
    assert completed[-1].performed_by == str(SYSTEM_USER_ID)  # the platform ran it


async def test_a_participant_cannot_complete_an_extension_system_step_by_hand(
    isolated_world, service, publish
):
    key = await publish([step("registration", "vendor_registration"), form_step("contract")])
    tenant = await isolated_world.factory.tenant()
    admin = await isolated_world.factory.account("tenant_admin", tenant)
    created = await service.create_workflow(admin.principal, market_role="ESP", template_key=key)
    workflow_id = uuid.UUID(created.id)
    await service.execute(admin.principal, workflow_id, StartWorkflow())

    with pytest.raises(Forbidden):
        await service.execute(
            admin.principal,
            workflow_id,
            ExecuteStep("registration", {"vendorNumber": "VND-00000000"}),
        )
