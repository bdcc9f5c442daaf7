"""Saga rollback through the service, with a step type whose compensation can fail: the
workflow fails with the reason, and rolling back again continues where it stopped."""

import dataclasses
import uuid

import pytest

from wfm_engine import (
    CompensationFailed,
    EventType,
    ExecuteStep,
    StartWorkflow,
    StepStatus,
    WorkflowStatus,
)
from wfm_engine.steps import BaseHandler
from wfm_storage.repositories.templates import TemplateRepository
from wfm_testing.templates import form_step, step
from wfm_testing.templates import template as definition
from wfm_workflows.extensions import load_catalog


class CrmRegistration(BaseHandler):
    """Registers the participant in a CRM (simulated): undoing it can fail."""

    type = "crm_registration_test"

    def __init__(self):
        self.fail_once: set[str] = set()  # steps whose next compensation fails
        self.attempts: list[str] = []
        self.compensated: list[str] = []

    async def compensate(self, step, recorded):
        self.attempts.append(step.id)
        if step.id in self.fail_once:
            self.fail_once.discard(step.id)
            raise CompensationFailed("CRM refused to delete the account")
        self.compensated.append(step.id)
        return {"deletedAccount": recorded.data.get("account")}


@pytest.fixture
def crm():
    return CrmRegistration()


@pytest.fixture
def registries(crm):
    """The installation's registries, and the CRM step type (as an extension would add it)."""
    installed = load_catalog().registries
    handlers = installed.handlers.copy()
    handlers.register(crm)
    return dataclasses.replace(installed, handlers=handlers)


@pytest.fixture
async def saga_services(wfm_settings, storage, registries, make_services):
    return await make_services(wfm_settings, storage, registries=registries)


@pytest.fixture
async def saga_template(crm, registries, owner_conn):
    key = f"saga-{uuid.uuid4().hex[:8]}"
    steps = [form_step("apply"), step("crm", crm.type), step("bank", crm.type), form_step("sign")]
    template = registries.parse_template(definition(steps, key=key, name="Saga"))
    await TemplateRepository().save(owner_conn, template)
    return key


async def started(services, factory, key):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    service = services.workflows
    state = await service.create_workflow(admin.principal, market_role="ESP", template_key=key)
    workflow_id = uuid.UUID(state.id)
    await service.execute(admin.principal, workflow_id, StartWorkflow())
    for step_id, data in (
        ("apply", {"name": "x"}),
        ("crm", {"account": "A-1"}),
        ("bank", {"account": "B-2"}),
    ):
        await service.execute(admin.principal, workflow_id, ExecuteStep(step_id, data))
    return service, admin, workflow_id


async def test_rollback_compensates_in_reverse_order(
    storage, saga_services, factory, saga_template, crm
):
    service, admin, workflow_id = await started(saga_services, factory, saga_template)
    state = await service.rollback(admin.principal, workflow_id, "apply")
    assert crm.compensated == ["bank", "crm"]
    assert (state.status, state.current_step_id) == (WorkflowStatus.IN_PROGRESS, "crm")
    events = await storage.events.for_instance(admin.principal, state.id)
    assert [(e.type, e.step_id) for e in events[-3:]] == [
        (EventType.STEP_COMPENSATED, "bank"),
        (EventType.STEP_COMPENSATED, "crm"),
        (EventType.WORKFLOW_ROLLED_BACK, None),
    ]
    assert events[-3].data["compensation"] == {"deletedAccount": "B-2"}


async def test_a_failed_compensation_fails_the_workflow_and_a_retry_continues(
    storage, saga_services, factory, saga_template, crm
):
    service, admin, workflow_id = await started(saga_services, factory, saga_template)
    crm.fail_once = {"crm"}
    failed = await service.rollback(admin.principal, workflow_id, "apply")
    assert failed.status is WorkflowStatus.FAILED
    assert failed.failure.reason == "CRM refused to delete the account"
    assert failed.step("bank").status is StepStatus.COMPENSATED
    assert failed.step("crm").status is StepStatus.COMPLETED

    done = await service.rollback(admin.principal, workflow_id, "apply")
    assert crm.attempts == ["bank", "crm", "crm"]  # bank was not compensated twice
    assert crm.compensated == ["bank", "crm"]
    assert (done.status, done.current_step_id) == (WorkflowStatus.IN_PROGRESS, "crm")


async def test_idempotent_rollback_does_not_compensate_twice(
    storage, saga_services, factory, saga_template, crm
):
    service, admin, workflow_id = await started(saga_services, factory, saga_template)
    first = await service.rollback(admin.principal, workflow_id, "crm", idempotency_key="undo-bank")
    again = await service.rollback(admin.principal, workflow_id, "crm", idempotency_key="undo-bank")
    assert first == again
    assert crm.compensated == ["bank"]
