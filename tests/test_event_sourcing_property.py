"""Property: whatever valid or invalid commands arrive, in any order, the stored document
and the Postgres index always equal the fold of the event log, and a refused command
appends nothing (but the audit record of a failed gate): for the onboarding's human steps,
with its contacts erased on request at any point (the fold holds over their `[erased]`
values, MongoDB never holds a contact in plaintext), and for system steps that fail
(onFailure), run items (forEach) and are retried."""

import json
import uuid

from bson import json_util
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfm_engine import (
    ApproveWorkflow,
    CancelWorkflow,
    ExecuteStep,
    FailStep,
    FailWorkflow,
    PauseWorkflow,
    RecordIteration,
    RejectWorkflow,
    ResumeWorkflow,
    RetryWorkflow,
    StartWorkflow,
    SubmitWorkflow,
    fold,
    rebuild,
)
from wfm_shared.errors import WfmError
from wfm_shared.personal_data import subject_id_for
from wfm_shared.principal import system_principal
from wfm_testing.onboarding import step_data

ACTIONS = (
    "start", "execute", "execute_bad", "pause", "resume", "submit", "approve",
    "reject", "rollback", "cancel", "fail", "validate", "retry", "erase",
)  # fmt: skip
CONTACTS = ("lea@example.test", "marc@example.test")


async def check_consistency(storage, owner_conn, instance_id, erased=None):
    """The fold of the log is the document and the index row; MongoDB holds no contact in
    plaintext; an erased one's e-mail address reads nowhere in the log up to its erasure
    (`erased`: address -> the last seq then; entered again later, it is held anew)."""
    system = system_principal()
    events = await storage.events.for_instance(system, instance_id)
    truth = fold(events)
    stored = json_util.dumps(
        [
            await storage.mongo.events.find({"workflowInstanceId": instance_id}).to_list(),
            await storage.mongo.instances.find_one({"_id": instance_id}),
        ]
    )
    assert not any(email in stored for email in CONTACTS)
    for email, last_seq in (erased or {}).items():
        assert email not in json.dumps([e.data for e in events[:last_seq]], default=str)
    assert await storage.documents.get(system, instance_id) == truth
    row = await owner_conn.fetchrow(
        "SELECT status, current_step, version FROM wfm.workflow_instances_index WHERE id = $1",
        uuid.UUID(instance_id),
    )
    assert tuple(row.values()) == (truth.status.value, truth.current_step_id, truth.version)
    for seq in range(1, len(events) + 1):
        assert rebuild(events, seq).version == seq
    return events


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(actions=st.lists(st.sampled_from(ACTIONS), min_size=3, max_size=16), data=st.data())
async def test_fold_of_the_log_equals_document_and_index(
    storage, services, factory, owner_conn, actions, data
):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    reviewers = [await factory.account("market_ops"), await factory.account("market_ops")]
    service = services.workflows
    valid = step_data(tenant)
    if data.draw(st.booleans(), label="large connection"):
        valid["portfolio"]["accessPoints"][0]["capacityKw"] = 30_000
    state = await service.create_workflow(
        admin.principal, market_role="BRP", template_key="contract-onboarding"
    )
    workflow_id = uuid.UUID(state.id)
    # a head start (started, its company and contacts done) so that the later stages, and
    # the erasure of contacts, are reached as often as the first ones
    head_start = data.draw(st.integers(0, 3), label="head start")
    if head_start:
        await service.execute(admin.principal, workflow_id, StartWorkflow())
    for step in ("company-info", "contacts")[: max(0, head_start - 1)]:
        await service.execute(admin.principal, workflow_id, ExecuteStep(step, valid[step]))
    events = await check_consistency(storage, owner_conn, state.id)
    erased: dict[str, int] = {}

    for action in actions:
        current = (await service.load(admin.principal, workflow_id)).state
        ops = data.draw(st.sampled_from(reviewers), label="operator")
        step = current.current_step_id or "company-info"
        step_input = (
            {"decision": data.draw(st.sampled_from(["approve", "reject"]), label="decision")}
            if step == "technical-review"
            else valid.get(step, {})
        )
        actor = ops.principal if step == "technical-review" else admin.principal
        to = (
            data.draw(st.sampled_from(current.path), label="to") if current.path else "company-info"
        )
        commands = {
            "start": StartWorkflow(),
            "execute": ExecuteStep(step, step_input),
            "execute_bad": ExecuteStep(step, {"bogus": 1}),
            "pause": PauseWorkflow(),
            "resume": ResumeWorkflow(),
            "submit": SubmitWorkflow(),
            "approve": ApproveWorkflow(),
            "reject": RejectWorkflow("please fix"),
            "cancel": CancelWorkflow(),
            "fail": FailWorkflow("broken"),
            "retry": RetryWorkflow(),
        }
        by_operator = {"approve", "reject", "fail"}
        before = len(events)
        try:
            if action == "rollback":
                await service.rollback(admin.principal, workflow_id, to)
            elif action == "erase":
                email = data.draw(st.sampled_from(CONTACTS), label="erased")
                subject = subject_id_for(tenant.id, email)
                await services.erasure.erase_subject(ops.principal, subject, "on request")
                erased[email] = len(events)
            elif action == "validate":
                await service.validate(admin.principal, workflow_id)
            else:
                who = (
                    ops.principal
                    if action in by_operator
                    else actor
                    if action == "execute"
                    else admin.principal
                )
                await service.execute(who, workflow_id, commands[action])
            refused = None
        except WfmError as error:
            refused = error
        events = await check_consistency(storage, owner_conn, state.id, erased)
        if refused is not None:
            gate_record = refused.code == "GATE_FAILED"
            assert len(events) == before + (1 if gate_record else 0), (action, refused)


# over `failing_template` (tests/conftest.py): what an api_call answers, and what may happen
ANSWER = {"status": 201, "body": {"id": "AP-1"}, "attempts": 1}
SYSTEM_ACTIONS = (
    "start", "execute", "record_item", "fail_step", "pause", "resume", "fail", "retry",
    "cancel", "submit",
)  # fmt: skip


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(actions=st.lists(st.sampled_from(SYSTEM_ACTIONS), min_size=3, max_size=16), data=st.data())
async def test_the_fold_holds_through_failed_steps_items_and_retries(
    storage, services, factory, owner_conn, failing_template, actions, data
):
    tenant = await factory.tenant()
    admin = await factory.account("tenant_admin", tenant)
    platform = system_principal()
    service = services.workflows
    state = await service.create_workflow(
        admin.principal, market_role="GU", template_key=failing_template
    )
    workflow_id = uuid.UUID(state.id)
    events = await check_consistency(storage, owner_conn, state.id)
    for action in actions:
        current = (await service.load(admin.principal, workflow_id)).state
        step_id = current.current_step_id or "apply"
        done = len(current.iteration.results) if current.iteration else 0
        step_input = {
            "apply": {"points": ["A", "B", "C"]},
            "register": {"results": [ANSWER] * 3},
            "lookup": ANSWER,
        }.get(step_id, {})
        commands = {
            "start": StartWorkflow(),
            "execute": ExecuteStep(step_id, step_input),
            "record_item": RecordIteration(step_id, done, ANSWER),
            "fail_step": FailStep(step_id, "HTTP 503 Service Unavailable", 2),
            "pause": PauseWorkflow(),
            "resume": ResumeWorkflow(),
            "fail": FailWorkflow("broken"),
            "retry": RetryWorkflow(),
            "cancel": CancelWorkflow(),
            "submit": SubmitWorkflow(),
        }
        by_platform = {"record_item", "fail_step", "fail"} | (
            {"execute"} if step_id in ("register", "lookup") else set()
        )
        before = len(events)
        try:
            who = platform if action in by_platform else admin.principal
            await service.execute(who, workflow_id, commands[action])
            refused = None
        except WfmError as error:
            refused = error
        events = await check_consistency(storage, owner_conn, state.id)
        if refused is not None:
            assert len(events) == before, (action, refused)
