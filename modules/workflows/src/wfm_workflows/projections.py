"""Postgres projections of the event log: the instance index (with the work queue: what
waits for a person), the market roles a tenant holds, the audit trail, the step runs (the
execution statistics' record); and the step drafts that a completed step (or the workflow's
end) leaves without use. Applied in one
transaction, exactly once per event: the index row is advanced (and locked) first, and only
events past its old version are projected. The same transaction announces the change to
live subscribers (`wfm_storage.live`): committed with the row, or not at all."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from wfm_engine import (
    Event,
    EventType,
    InstanceState,
    StepHandlerRegistry,
    SystemStepRunnerRegistry,
    WorkflowTemplate,
    waiting_work,
)
from wfm_engine.events import (
    StepCompensatedData,
    StepIterationCompletedData,
    WorkflowApprovedData,
)
from wfm_engine.status import TERMINAL_STATUSES
from wfm_engine.step_runs import run_changes
from wfm_engine.timers import timers_paused, wanted_timers
from wfm_shared.logging import get_logger
from wfm_shared.principal import Principal
from wfm_storage import jobs, live
from wfm_storage.live import WorkAnnouncement, WorkflowChanged
from wfm_storage.postgres import Executor
from wfm_storage.protocols import EventLog
from wfm_storage.queue import JobQueue
from wfm_storage.repositories.audit import AuditLog
from wfm_storage.repositories.instance_index import InstanceIndex, WorkColumns
from wfm_storage.repositories.step_drafts import StepDraftRepository
from wfm_storage.repositories.step_runs import StepRunRepository
from wfm_storage.repositories.tenants import TenantRepository
from wfm_storage.repositories.timers import TimerRepository, WantedTimer

log = get_logger("wfm.projections")


class Projector:
    def __init__(
        self,
        *,
        index: InstanceIndex,
        events: EventLog,
        timers: TimerRepository,
        jobs: JobQueue,
        tenants: TenantRepository,
        audit: AuditLog,
        drafts: StepDraftRepository,
        step_runs: StepRunRepository,
        system_steps: SystemStepRunnerRegistry,
        handlers: StepHandlerRegistry,
    ) -> None:
        self._index = index
        self._events = events
        self._timers = timers
        self._jobs = jobs
        self._tenants = tenants
        self._audit = audit
        self._drafts = drafts
        self._step_runs = step_runs
        # the step types the worker runs when they become current (a `run_system_step` job)
        self._system_steps = system_steps
        # which steps are system steps (those without a runner wait for a person)
        self._handlers = handlers

    async def project(
        self,
        conn: Executor,
        principal: Principal,
        state: InstanceState,
        events: Sequence[Event],
        template: WorkflowTemplate,
    ) -> list[Event]:
        """Bring the index up to `state`; returns the events projected now."""
        previous = await self._index.advance(conn, state)
        if previous is None:
            return []  # already projected (a retry, or the reconciler got there first)
        due = [e for e in events if previous < e.seq <= state.version]
        if not due or due[0].seq != previous + 1:
            # the index was behind what this command saw: project the gap as well
            due = [
                e
                for e in await self._events.for_instance(principal, state.id, after_seq=previous)
                if e.seq <= state.version
            ]
        tenant_id = uuid.UUID(state.tenant_id)
        template = template.configured(state.config)
        for event in due:
            await self._apply(conn, principal, state, event, template, tenant_id)
            await self._step_runs.record(conn, state, run_changes(event))
        # the row moved forward: every API process tells its subscribers, once this commits
        # (the announcement rides on the statement that writes the work columns)
        if due:
            await self._sync_timers(conn, state, template, tenant_id, at=due[-1].occurred_at)
            await self._enqueue_jobs(conn, state, due, template)
            await self._discard_drafts(conn, state, due)
            await self._write_work(conn, state, template, WorkAnnouncement(state))
        else:
            await live.announce(conn, WorkflowChanged.of(state, work=False))
        return due

    async def write_work(
        self, conn: Executor, state: InstanceState, template: WorkflowTemplate
    ) -> None:
        """Keep what waits for a person on the workflow in its index row (the work queue),
        after its timers: the due date is theirs. The reconciler calls it for rows written
        before the work queue existed. (An instance's settings change no step's roles: any
        version of its template will do.)"""
        await self._write_work(
            conn, state, template, WorkAnnouncement(state, only_if_work_changed=True)
        )

    async def _write_work(
        self,
        conn: Executor,
        state: InstanceState,
        template: WorkflowTemplate,
        announcing: WorkAnnouncement,
    ) -> None:
        item = waiting_work(state, template, self._handlers, self._system_steps)
        work = (
            WorkColumns(state.template_key)
            if item is None
            else WorkColumns(
                template_key=state.template_key,
                kind=item.kind.value,
                step_id=item.step_id,
                since=item.since,
                activation_seq=item.activation_seq,
                roles=item.roles,
                escalated_to=item.escalated_to,
                assignee_id=uuid.UUID(item.assignee_id) if item.assignee_id else None,
            )
        )
        await self._index.write_work(conn, uuid.UUID(state.id), work, announcing=announcing)

    async def _sync_timers(
        self,
        conn: Executor,
        state: InstanceState,
        template: WorkflowTemplate,
        tenant_id: uuid.UUID,
        at: datetime,
    ) -> None:
        """Arm the timers `state` needs, cancel those it no longer needs, stop them while paused."""
        instance_id = uuid.UUID(state.id)
        wanted = {(t.kind, t.activation_seq): t for t in wanted_timers(state, template)}
        stored = {t.key: t for t in await self._timers.open_for(conn, instance_id)}
        for key, timer in stored.items():
            if key not in wanted:
                await self._timers.cancel(conn, timer.id)
            elif timers_paused(state) and timer.status == "armed":
                await self._timers.pause(conn, timer.id, at)
            elif not timers_paused(state) and timer.status == "paused":
                await self._timers.resume(conn, timer.id, at)
        for key, spec in wanted.items():
            if key not in stored:
                await self._timers.arm(
                    conn,
                    tenant_id,
                    instance_id,
                    WantedTimer(spec.kind, spec.step_id, spec.activation_seq, spec.due_at),
                )

    async def _discard_drafts(
        self, conn: Executor, state: InstanceState, due: Sequence[Event]
    ) -> None:
        """A draft is of no use once its step is completed, nor any once the workflow ended."""
        instance_id = uuid.UUID(state.id)
        if state.status in TERMINAL_STATUSES:
            await self._drafts.discard_all(conn, instance_id)
            return
        completed = {e.step_id for e in due if e.type is EventType.STEP_COMPLETED and e.step_id}
        if completed:
            await self._drafts.discard(conn, instance_id, sorted(completed))

    async def _enqueue_jobs(
        self, conn: Executor, state: InstanceState, due: Sequence[Event], template: WorkflowTemplate
    ) -> None:
        for event in due:
            payload = {
                "instanceId": state.id,
                "tenantId": state.tenant_id,
                "seq": event.seq,
                "type": event.type.value,
            }
            await self._jobs.enqueue(
                conn, jobs.DISPATCH_EVENT, payload, dedupe_key=jobs.event_key(state.id, event.seq)
            )
            if (
                isinstance(event.payload, StepCompensatedData)
                and "request" in event.payload.compensation
            ):
                await self._jobs.enqueue(
                    conn,
                    jobs.SEND_COMPENSATION,
                    {**payload, "stepId": event.step_id},
                    dedupe_key=jobs.compensation_key(state.id, event.seq),
                )
        # a system step entered by these events: the worker runs it; an item of a forEach
        # done: the worker runs the next; resumed: the worker runs it again (a run that met
        # the pause left it undone)
        activation = state.activation
        if (
            activation is None
            or not state.is_current(activation.step_id, activation.seq)
            or template.step(activation.step_id).type not in self._system_steps
        ):
            return
        payload = {
            "instanceId": state.id,
            "tenantId": state.tenant_id,
            "stepId": activation.step_id,
            "activationSeq": activation.seq,
        }
        if any(e.seq == activation.seq for e in due):
            key = jobs.step_key(state.id, activation.seq)
            await self._jobs.enqueue(conn, jobs.RUN_SYSTEM_STEP, payload, dedupe_key=key)
            return
        for event in due:
            if isinstance(event.payload, StepIterationCompletedData):
                key = jobs.item_key(state.id, activation.seq, event.payload.index + 1)
                await self._jobs.enqueue(conn, jobs.RUN_SYSTEM_STEP, payload, dedupe_key=key)
            elif event.type is EventType.WORKFLOW_RESUMED:
                key = jobs.resumed_key(state.id, activation.seq, event.seq)
                await self._jobs.enqueue(conn, jobs.RUN_SYSTEM_STEP, payload, dedupe_key=key)

    async def _apply(
        self,
        conn: Executor,
        principal: Principal,
        state: InstanceState,
        event: Event,
        template: WorkflowTemplate,
        tenant_id: uuid.UUID,
    ) -> None:
        if template.grants_market_role and event.type is EventType.WORKFLOW_CREATED:
            await self._tenants.apply_for_market_role(conn, tenant_id, state.market_role)
        if template.grants_market_role and isinstance(event.payload, WorkflowApprovedData):
            granted = event.payload.contract_reference
            held = await self._tenants.activate_market_role(
                conn, tenant_id, state.market_role, granted
            )
            if held != granted:
                # approving checks the role first; only a race with another approval gets here
                log.warning(
                    "contract_reference_kept",
                    tenant_id=str(tenant_id),
                    market_role=state.market_role,
                    kept=held,
                    refused=granted,
                    workflow_id=state.id,
                )
        await self._audit.append(
            conn,
            principal=principal,
            tenant_id=tenant_id,
            action=event.type.value,
            target_type="workflow",
            target_id=state.id,
            details={"seq": event.seq, "stepId": event.step_id, "performedBy": event.performed_by},
            request_id=event.correlation_id,
        )
