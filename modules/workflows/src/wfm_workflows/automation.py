"""What the platform does to workflows on its own, at least once and idempotently: react to
each event (webhooks, notifications, event triggers, API access), run system steps through
their runners, send the compensating requests a rollback recorded, and act on due timers
(SLA breaches, delays, approval deadlines). The worker's jobs call one method each; every
command goes through the same command path as a person's, as the platform."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from wfm_engine import (
    CancelWorkflow,
    EventType,
    ExecuteStep,
    FailStep,
    FailWorkflow,
    InstanceCommand,
    InstanceState,
    Iteration,
    RecordIteration,
    RecordSlaBreach,
    RejectWorkflow,
    SystemStepRun,
    SystemStepRunnerRegistry,
    next_iteration,
)
from wfm_engine.conditions import ExpressionFailed
from wfm_engine.iteration import done_results
from wfm_engine.steps import ApiCallConfig, HttpRequest
from wfm_integrations.api_access import ApiAccessService
from wfm_integrations.notifier import Notifier
from wfm_integrations.subscriptions import WebhookService, workflow_event_message
from wfm_integrations.system_steps import CallAbandoned, StepCaller
from wfm_shared.clock import Clock
from wfm_shared.documents import storable_text
from wfm_shared.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from wfm_shared.logging import get_logger
from wfm_shared.principal import system_principal
from wfm_shared.retries import RetryLater
from wfm_storage import jobs
from wfm_storage.postgres import Database
from wfm_storage.protocols import EventLog
from wfm_storage.queue import JobQueue
from wfm_storage.repositories.audit import AuditLog
from wfm_storage.repositories.timers import TimerRepository
from wfm_workflows.service import Loaded, WorkflowService
from wfm_workflows.triggers import TriggerService

log = get_logger("wfm.automation")

TIMER_BATCH = 200
# what a failure reason may hold besides "step '<id>': " (the engine keeps up to 2000)
MAX_FAILURE_REASON = 1900


class WorkflowAutomation:
    def __init__(
        self,
        db: Database,
        *,
        workflows: WorkflowService,
        events: EventLog,
        jobs: JobQueue,
        timers: TimerRepository,
        audit: AuditLog,
        runners: SystemStepRunnerRegistry,
        caller: StepCaller,
        webhooks: WebhookService,
        notifier: Notifier,
        triggers: TriggerService,
        api_access: ApiAccessService,
        clock: Clock,
        conflict_delay: timedelta,
        on_command: Callable[[InstanceCommand], None] | None = None,
    ) -> None:
        self._db = db
        self._workflows = workflows
        self._events = events
        self._jobs = jobs
        self._timers = timers
        self._audit_log = audit
        self._runners = runners
        self._caller = caller
        self._webhooks = webhooks
        self._notifier = notifier
        self._triggers = triggers
        self._api_access = api_access
        self._clock = clock
        self._conflict_delay = conflict_delay  # before trying a command that met a concurrent one
        self._on_command = on_command or (lambda command: None)
        self._platform = system_principal()

    async def _load(self, instance_id: uuid.UUID) -> Loaded | None:
        try:
            return await self._workflows.load(self._platform, instance_id)
        except NotFound:
            return None

    async def _command(
        self, loaded: Loaded, command: InstanceCommand, key: str
    ) -> InstanceState | None:
        """Issue a command as the platform; a command the workflow has moved past is dropped."""
        self._on_command(command)
        try:
            return await self._workflows.execute(
                self._platform,
                uuid.UUID(loaded.state.id),
                command,
                idempotency_key=key,
                correlation_id=key,
            )
        except (InvalidTransition, NotFound) as stale:
            log.info(
                "command_dropped",
                instance=loaded.state.id,
                command=type(command).__name__,
                reason=stale.message,
            )
            return None
        except Conflict as conflict:
            raise RetryLater(conflict.message, self._conflict_delay) from conflict

    # -- events -------------------------------------------------------------------------

    async def dispatch_event(self, instance_id: uuid.UUID, seq: int) -> None:
        """What event `seq` of a workflow sets off outside it: a webhook message to the
        subscriptions that want it, the platform's notification, the event triggers it
        matches, and API access for an approved onboarding."""
        loaded = await self._load(instance_id)
        if loaded is None:
            return
        events = await self._events.for_instance(self._platform, loaded.state.id)
        event = next((e for e in events if e.seq == seq), None)
        if event is None:
            return
        state, template = loaded.state, loaded.template
        await self._webhooks.fan_out(
            uuid.UUID(state.tenant_id), workflow_event_message(state, event)
        )
        await self._notifier.notify_about(state, template, loaded.tenant.as_context(), event)
        await self._triggers.fire_on_workflow_event(state, event)
        await self._api_access.on_workflow_event(state, template, event)

    # -- system steps ---------------------------------------------------------------------

    async def run_system_step(
        self, instance_id: uuid.UUID, step_id: str, activation_seq: int, attempt: int
    ) -> None:
        """Run the step's runner, if the step is still current in this activation, and
        complete the step with its result (or fail it with its reason: its onFailure, else
        the workflow fails). A forEach step runs one item per job: the item's result is
        recorded (which leaves a job for the next item), the last one completes the step.
        `attempt` counts the attempts at this job: at this item, for a forEach."""
        loaded = await self._load(instance_id)
        if loaded is None or not loaded.state.is_current(step_id, activation_seq):
            return
        state, step = loaded.state, loaded.template.step(step_id)
        if step.type not in self._runners:
            log.warning("no_step_runner", instance=state.id, step_type=step.type)
            return
        key = f"system:{state.id}:{activation_seq}"
        tenant = loaded.tenant.as_context()
        iteration: Iteration | None = None
        if step.for_each is not None:
            try:
                iteration = next_iteration(state, loaded.template, step, tenant)
            except ExpressionFailed as failed:
                await self._fail_step(loaded, step_id, failed.reason, attempt, f"fail:{key}")
                return
            if iteration is None:  # no items: the step is done with none
                results = [dict(r) for r in done_results(state, step_id)]
                await self._complete(loaded, ExecuteStep(step_id, {"results": results}), key)
                return
        run = SystemStepRun(
            state=state,
            template=loaded.template,
            step=step,
            tenant=tenant,
            activation_seq=activation_seq,
            attempt=attempt,
            # each item is its own request to the peer, the same on every attempt at it
            idempotency_key=key if iteration is None else f"{key}:{iteration.index}",
            iteration=iteration,
        )
        outcome = await self._runners.get(step.type).run(run)
        if outcome.result is None:
            reason = outcome.failure or "the step's runner gave no result"
            if iteration is not None:
                reason = f"item {iteration.index} of {iteration.count}: {reason}"
            await self._fail_step(loaded, step_id, reason, attempt, f"fail:{run.idempotency_key}")
            return
        command: ExecuteStep | RecordIteration = ExecuteStep(step_id, outcome.result)
        if iteration is not None and not iteration.last:
            command = RecordIteration(step_id, iteration.index, outcome.result)
        elif iteration is not None:
            results = [*map(dict, done_results(state, step_id)), dict(outcome.result)]
            command = ExecuteStep(step_id, {"results": results})
        await self._complete(loaded, command, run.idempotency_key, attempt)

    async def _complete(
        self, loaded: Loaded, command: ExecuteStep | RecordIteration, key: str, attempt: int = 1
    ) -> None:
        """Record what a system step (or an item of it) came to; a result the workflow
        cannot take is the step's failure."""
        try:
            await self._command(loaded, command, key)
        except ValidationFailed as invalid:
            # the result's own keys (an api_call's response) may be what the databases
            # cannot keep
            problems = storable_text(
                "; ".join(f"{'.'.join(map(str, e.path))} {e.message}" for e in invalid.errors)
            )
            reason = f"unexpected response: {problems}"
            await self._fail_step(loaded, command.step_id, reason, attempt, f"fail:{key}")

    async def _fail_step(
        self, loaded: Loaded, step_id: str, reason: str, attempts: int, key: str
    ) -> None:
        # a reason is kept whole up to a length; a peer's long answer is cut short
        if len(reason) > MAX_FAILURE_REASON:
            reason = reason[: MAX_FAILURE_REASON - 1] + "…"
        await self._command(loaded, FailStep(step_id, reason, attempts), key)

    # -- compensations --------------------------------------------------------------------

    async def send_compensation(self, instance_id: uuid.UUID, seq: int, attempt: int) -> None:
        """Carry out the compensating request that a rollback recorded on STEP_COMPENSATED,
        under the step's retry rules and with an idempotency key of its own. One that cannot
        be carried out fails the workflow with the reason, as a compensation that fails
        during the rollback does; either way the audit log says what happened."""
        loaded = await self._load(instance_id)
        if loaded is None:
            return
        events = await self._events.for_instance(self._platform, loaded.state.id)
        event = next((e for e in events if e.seq == seq), None)
        if event is None or event.type is not EventType.STEP_COMPENSATED or not event.step_id:
            return
        step = loaded.template.step(event.step_id)
        request = HttpRequest.model_validate(event.data["compensation"]["request"])
        key = jobs.compensation_key(loaded.state.id, event.seq)
        details: dict[str, Any] = {"seq": event.seq, "stepId": step.id, "attempts": attempt}
        try:
            result = await self._caller.call(
                step, ApiCallConfig.model_validate(step.config), request, attempt, key
            )
        except CallAbandoned as abandoned:
            await self._audit(loaded, "STEP_COMPENSATION_FAILED", key, details, abandoned.reason)
            reason = f"the compensation of step {step.id!r} was not carried out: {abandoned.reason}"
            await self._command(loaded, FailWorkflow(reason), f"fail:{key}")
            return
        details["status"] = result.status
        await self._audit(loaded, "STEP_COMPENSATION_SENT", key, details)

    async def _audit(
        self,
        loaded: Loaded,
        action: str,
        key: str,
        details: dict[str, Any],
        reason: str | None = None,
    ) -> None:
        async with self._db.transaction(self._platform) as conn:
            await self._audit_log.append(
                conn,
                principal=self._platform,
                tenant_id=uuid.UUID(loaded.state.tenant_id),
                action=action,
                target_type="workflow",
                target_id=loaded.state.id,
                details=details if reason is None else {**details, "reason": reason},
                request_id=key,
            )

    # -- timers ---------------------------------------------------------------------------

    async def fire_due_timers(self, now: datetime) -> int:
        """Mark due timers fired and leave a job for each, in one transaction per batch."""
        fired = 0
        while True:
            async with self._db.transaction(self._platform) as conn:
                due = await self._timers.take_due(conn, now, TIMER_BATCH)
                for timer in due:
                    payload = {
                        "timerId": timer.id,
                        "instanceId": str(timer.instance_id),
                        "kind": timer.kind,
                        "stepId": timer.step_id,
                        "activationSeq": timer.activation_seq,
                    }
                    await self._jobs.enqueue(
                        conn, jobs.TIMER_FIRED, payload, dedupe_key=jobs.timer_key(timer.id)
                    )
            fired += len(due)
            if len(due) < TIMER_BATCH:
                return fired

    async def timer_fired(
        self, instance_id: uuid.UUID, kind: str, step_id: str | None, activation: int
    ) -> None:
        """An SLA breached (recorded, the step escalated), a delay over (the step completes),
        an approval deadline passed (the approval expires as the template says)."""
        loaded = await self._load(instance_id)
        if loaded is None:
            return
        key = f"timer:{loaded.state.id}:{kind}:{activation}"
        if kind == "sla" and step_id is not None:
            await self._command(loaded, RecordSlaBreach(step_id, activation), key)
        elif kind == "delay":
            if step_id is not None and loaded.state.is_current(step_id, activation):
                await self._command(
                    loaded, ExecuteStep(step_id, {"resumedAt": self._clock.now().isoformat()}), key
                )
        elif kind == "approval_deadline":
            await self._expire_approval(loaded, step_id, activation, key)

    async def _expire_approval(
        self, loaded: Loaded, step_id: str | None, activation: int, key: str
    ) -> None:
        state, template = loaded.state, loaded.template
        reason = "the approval deadline passed without a decision"
        if step_id is None:
            deadline = template.submission.approval.deadline
            if deadline is None or not state.is_current(None, activation):
                return
            on_submission: dict[str, InstanceCommand] = {
                "reject": RejectWorkflow(reason),
                "fail": FailWorkflow(reason),
                "cancel": CancelWorkflow(reason),
            }
            command = on_submission[deadline.on_expiry]
        else:
            if not state.is_current(step_id, activation):
                return
            on_expiry = template.step(step_id).config.get("deadline", {}).get("onExpiry", "reject")
            on_step: dict[str, InstanceCommand] = {
                "reject": ExecuteStep(step_id, {"decision": "reject", "comment": reason}),
                "fail": FailWorkflow(reason),
                "cancel": CancelWorkflow(reason),
            }
            command = on_step[on_expiry]
        await self._command(loaded, command, key)
