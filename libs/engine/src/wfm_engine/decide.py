"""`decide(state, command, template, context) -> Decision`: pure; raises a typed error instead.

A decision is the events to append and the gates they must pass first. Gates may be
asynchronous, so the service evaluates them and decides again with their results: a
failed gate refuses the command with GATE_FAILED, recorded by `gate_failure`."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from wfm_engine.commands import (
    ApproveWorkflow,
    AssignWork,
    CancelWorkflow,
    Command,
    CompensateStep,
    CompensationFailure,
    CreateWorkflow,
    DecisionContext,
    ExecuteStep,
    FailStep,
    FailWorkflow,
    FinishRollback,
    PauseWorkflow,
    RecordIteration,
    RecordSlaBreach,
    RejectWorkflow,
    ReleaseWork,
    ResumeWorkflow,
    RetryWorkflow,
    StartWorkflow,
    SubmitWorkflow,
    WorkflowAction,
)
from wfm_engine.conditions import condition_activation
from wfm_engine.definitions import ContinueAt
from wfm_engine.events import (
    Event,
    EventPayload,
    EventType,
    FailedGate,
    FailureHandling,
    GateFailedData,
    PendingRollback,
    StepAssignedData,
    StepCompensatedData,
    StepCompletedData,
    StepError,
    StepFailedData,
    StepIterationCompletedData,
    StepSlaBreachedData,
    StepUnassignedData,
    WorkflowApprovedData,
    WorkflowCancelledData,
    WorkflowCreatedData,
    WorkflowFailedData,
    WorkflowPausedData,
    WorkflowRejectedData,
    WorkflowResumedData,
    WorkflowRetriedData,
    WorkflowRolledBackData,
    WorkflowStartedData,
    WorkflowSubmittedData,
)
from wfm_engine.gates import GateCheck, GateResult
from wfm_engine.iteration import complete_each, done_results
from wfm_engine.options import WorkflowConfig, step_enabled
from wfm_engine.policy import assigned_to_another, can_see, refusal, supervises
from wfm_engine.replay import rebuild
from wfm_engine.state import InstanceState
from wfm_engine.status import MARKET_ROLES, StepStatus, WorkflowStatus
from wfm_engine.steps import STEP_HANDLERS, StepCompletion, StepHandlerRegistry
from wfm_engine.template import Transition, WorkflowTemplate
from wfm_engine.validators import VALIDATORS, ValidationContext, ValidatorRegistry
from wfm_engine.work import WorkItem, may_act, waiting_work
from wfm_shared.authorization import Permission, authorize
from wfm_shared.documents import storage_problems, text_problem
from wfm_shared.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidTransition,
    NotFound,
    ValidationFailed,
    WfmError,
)

MAX_REASON_LENGTH = 2000
A = WorkflowAction


class GateFailed(WfmError):
    """A transition was refused because quality gates failed; the refusal is on record."""

    code = "GATE_FAILED"

    def __init__(self, failed: Sequence[GateResult]) -> None:
        names = ", ".join(r.gate for r in failed)
        super().__init__(f"quality gates failed: {names}")
        self.failed = list(failed)

    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, "failedGates": [r.as_json() for r in self.failed]}


@dataclass(frozen=True)
class Decision:
    events: list[Event]
    gates: list[GateCheck] = field(default_factory=list)

    def failed_gates(self, results: Mapping[str, GateResult]) -> list[GateResult]:
        return [
            results[g.gate] for g in self.gates if g.gate in results and not results[g.gate].passed
        ]


@dataclass(frozen=True)
class Engine:
    """The registries a decision consults; the defaults hold the engine's built-ins only
    (an installation passes `Registries.engine`, with its extensions')."""

    validators: ValidatorRegistry = VALIDATORS
    handlers: StepHandlerRegistry = STEP_HANDLERS
    # the system step types a runner completes (the others wait for a person)
    automated: frozenset[str] = frozenset()


DEFAULT_ENGINE = Engine()


def decide(
    state: InstanceState | None,
    command: Command,
    template: WorkflowTemplate,
    ctx: DecisionContext,
    engine: Engine = DEFAULT_ENGINE,
) -> Decision:
    if isinstance(command, CreateWorkflow):
        if state is not None:
            raise InvalidTransition("the workflow exists already", action="CREATE")
        return Decision([_create(command, template, ctx)])
    if state is None:
        raise InvalidTransition("the workflow has not been created", action="CREATE")
    if ctx.expected_version is not None and ctx.expected_version != state.version:
        raise Conflict(
            f"workflow {state.id} is at version {state.version}, not {ctx.expected_version}"
        )
    match command:
        case StartWorkflow():
            _check(A.START, state, template, ctx)
            started = WorkflowStartedData(enter(template, template.first_step.id, state))
            return Decision([_event(state, ctx, started)])
        case PauseWorkflow():
            _check(A.PAUSE, state, template, ctx)
            paused = WorkflowPausedData(_optional_reason(command.reason))
            return Decision([_event(state, ctx, paused)])
        case ResumeWorkflow():
            _check(A.RESUME, state, template, ctx)
            return Decision([_event(state, ctx, WorkflowResumedData())])
        case ExecuteStep():
            return _execute_step(state, command, template, ctx, engine)
        case SubmitWorkflow():
            _check(A.SUBMIT, state, template, ctx)
            problems = engine.validators.run(
                template.submission.validators,
                ValidationContext(steps=state.completed_data(), tenant=ctx.tenant),
            )
            if problems:
                raise ValidationFailed("the workflow cannot be submitted", problems)
            gates = [
                GateCheck(g, A.SUBMIT.value, target=WorkflowStatus.SUBMITTED.value)
                for g in template.submission.gates
            ]
            return _gated(Decision([_event(state, ctx, WorkflowSubmittedData())], gates), ctx)
        case ApproveWorkflow():
            _check(A.APPROVE, state, template, ctx)
            reference = f"{state.market_role}-{ctx.now:%Y}-{state.id[:8].upper()}"
            approved = WorkflowApprovedData(reference, _optional_reason(command.comment))
            gates = [
                GateCheck(g, A.APPROVE.value, target=WorkflowStatus.COMPLETED.value)
                for g in template.submission.approval.gates
            ]
            return _gated(Decision([_event(state, ctx, approved)], gates), ctx)
        case RejectWorkflow():
            return Decision([_reject(state, command, template, ctx)])
        case FailWorkflow():
            _check(A.FAIL, state, template, ctx)
            if command.step_id is not None and command.step_id != state.current_step_id:
                raise InvalidTransition(
                    f"step {command.step_id!r} is not the current step", action=A.FAIL.value
                )
            failed = WorkflowFailedData(_required_reason(command.reason), step_id=command.step_id)
            return Decision([_event(state, ctx, failed, step_id=command.step_id)])
        case FailStep():
            return Decision([_fail_step(state, command, template, ctx)])
        case RecordIteration():
            return Decision([_record_iteration(state, command, template, ctx, engine)])
        case RetryWorkflow():
            _check(A.RETRY, state, template, ctx)
            retried = WorkflowRetriedData()
            return Decision([_event(state, ctx, retried, step_id=state.current_step_id)])
        case CancelWorkflow():
            _check(A.CANCEL, state, template, ctx)
            cancelled = WorkflowCancelledData(_optional_reason(command.reason))
            return Decision([_event(state, ctx, cancelled)])
        case CompensateStep():
            plan = rollback_plan(state, template, ctx, command.to_step_id)
            if not plan or plan[0] != command.step_id:
                raise InvalidTransition(
                    f"step {command.step_id!r} is not the next to compensate", action="ROLLBACK"
                )
            compensated = StepCompensatedData(
                dict(command.result), _pending(state, command.to_step_id)
            )
            return Decision([_event(state, ctx, compensated, step_id=command.step_id)])
        case CompensationFailure():
            rollback_plan(state, template, ctx, command.to_step_id)
            failed = WorkflowFailedData(
                _required_reason(command.reason),
                step_id=command.step_id,
                rollback=_pending(state, command.to_step_id),
            )
            return Decision([_event(state, ctx, failed, step_id=command.step_id)])
        case FinishRollback():
            return Decision([_finish_rollback(state, command, template, ctx)])
        case RecordSlaBreach():
            return Decision([_sla_breach(state, command, template, ctx)])
        case AssignWork():
            return Decision(_assign(state, command, template, ctx, engine))
        case ReleaseWork():
            return Decision(_release(state, template, ctx, engine))
    raise TypeError(f"unknown command {command!r}")  # pragma: no cover


def gate_failure(
    state: InstanceState, ctx: DecisionContext, decision: Decision, failed: Sequence[GateResult]
) -> Event:
    """The audit record of a refusal by quality gates (it carries no idempotency key: a
    retry of the refused command is decided afresh)."""
    check = decision.gates[0]
    refused = GateFailedData(
        check.action, check.target, tuple(FailedGate(r.gate, r.reason) for r in failed)
    )
    return replace(_event(state, ctx, refused, step_id=check.step_id), idempotency_key=None)


def rollback_plan(
    state: InstanceState, template: WorkflowTemplate, ctx: DecisionContext, to_step_id: str
) -> list[str]:
    """The completed steps after `to_step_id` still to compensate, latest first."""
    _check(A.ROLLBACK, state, template, ctx)
    pending = state.pending_rollback
    if pending is not None and pending.to_step_id != to_step_id:
        raise InvalidTransition(
            f"a rollback to {pending.to_step_id!r} is under way; finish it first",
            action="ROLLBACK",
        )
    index = state.last_index(to_step_id)
    if index is None:
        raise ValidationFailed(
            "the workflow can only be rolled back to a completed step",
            [FieldError(("toStepId",), f"{to_step_id!r} is not a completed step")],
        )
    after = state.path[index + 1 :]
    if not after and pending is None:
        raise ValidationFailed(
            "nothing to roll back after this step",
            [FieldError(("toStepId",), f"no step was completed after {to_step_id!r}")],
        )
    # latest first, each step once (a loop may have passed it twice)
    return [
        s for s in dict.fromkeys(reversed(after)) if state.step(s).status is StepStatus.COMPLETED
    ]


def _pending(state: InstanceState, to_step_id: str) -> PendingRollback:
    if state.pending_rollback is not None:
        return state.pending_rollback
    resume = (
        WorkflowStatus.ROLLED_BACK
        if state.status is WorkflowStatus.PAUSED
        else WorkflowStatus.IN_PROGRESS
    )
    return PendingRollback(to_step_id, resume)


def _finish_rollback(
    state: InstanceState, command: FinishRollback, template: WorkflowTemplate, ctx: DecisionContext
) -> Event:
    remaining = rollback_plan(state, template, ctx, command.to_step_id)
    if remaining:
        raise InvalidTransition(
            f"steps still to compensate: {', '.join(remaining)}", action="ROLLBACK"
        )
    completions = [
        e
        for e in command.history
        if e.type is EventType.STEP_COMPLETED and e.step_id == command.to_step_id
    ]
    if not completions:
        raise InvalidTransition(f"{command.to_step_id!r} was never completed", action="ROLLBACK")
    restored = rebuild(command.history, completions[-1].seq)
    rolled_back = WorkflowRolledBackData(
        to_step_id=command.to_step_id,
        restored_seq=completions[-1].seq,
        status=_pending(state, command.to_step_id).resume_status,
        snapshot=restored.snapshot(),
    )
    return _event(state, ctx, rolled_back)


def _sla_breach(
    state: InstanceState, command: RecordSlaBreach, template: WorkflowTemplate, ctx: DecisionContext
) -> Event:
    authorize(ctx.principal, Permission.OPERATIONS_MANAGE)
    if not state.is_current(command.step_id, command.activation_seq):
        raise InvalidTransition(
            f"step {command.step_id!r} is no longer running as it was when its SLA started",
            status=state.status.value,
            action="SLA_BREACH",
        )
    sla = template.step(command.step_id).sla
    if sla is None:
        raise InvalidTransition(f"step {command.step_id!r} has no SLA", action="SLA_BREACH")
    breached = StepSlaBreachedData(command.activation_seq, sla.duration, sla.escalate_to)
    return _event(state, ctx, breached, step_id=command.step_id)


def _fail_step(
    state: InstanceState, command: FailStep, template: WorkflowTemplate, ctx: DecisionContext
) -> Event:
    """A system step failed: its `onFailure` goes on at another step (the error in
    `variables.lastError`) or pauses for a person; without one, the workflow fails."""
    _check(A.FAIL, state, template, ctx)
    step_id = command.step_id
    if state.status is not WorkflowStatus.IN_PROGRESS or step_id != state.current_step_id:
        raise InvalidTransition(
            f"step {step_id!r} is not running now", status=state.status.value, action="FAIL_STEP"
        )
    reason = _required_reason(command.reason)
    on_failure = template.step(step_id).on_failure
    # while a rollback is under way the workflow goes nowhere else: it fails, as it did before
    if on_failure is None or state.pending_rollback is not None:
        failed = WorkflowFailedData(f"step {step_id!r}: {reason}", step_id=step_id)
        return _event(state, ctx, failed, step_id=step_id)
    error = StepError(step_id, reason, ctx.now, max(1, command.attempts))
    if isinstance(on_failure, ContinueAt):
        target = enter(template, on_failure.to, state)
        handled = StepFailedData(error, FailureHandling.CONTINUE, next_step_id=target)
    else:
        handled = StepFailedData(error, FailureHandling.PAUSE)
    return _event(state, ctx, handled, step_id=step_id)


def _record_iteration(
    state: InstanceState,
    command: RecordIteration,
    template: WorkflowTemplate,
    ctx: DecisionContext,
    engine: Engine,
) -> Event:
    """One item of the current forEach step done: its result, checked as the step's result
    would be, is kept for the step's completion. Items are done in order, each once."""
    _check(A.EXECUTE_STEP, state, template, ctx, command.step_id, engine.handlers)
    step = template.step(command.step_id)
    if step.for_each is None:
        raise InvalidTransition(f"step {step.id!r} has no forEach", action="EXECUTE_STEP")
    done = len(done_results(state, step.id))
    if command.index != done:
        raise InvalidTransition(
            f"item {command.index} of step {step.id!r} is not the next one (item {done} is)",
            action="EXECUTE_STEP",
        )
    at = ("results", command.index)
    result = dict(command.result)
    problems = storage_problems(result, at=at) or [
        FieldError((*at, *p.path), p.message)
        for p in engine.handlers.get(step.type).input_problems(step, result)
    ]
    if problems:
        raise ValidationFailed(f"the result of item {command.index} is invalid", problems)
    recorded = StepIterationCompletedData(command.index, result)
    return _event(state, ctx, recorded, step_id=step.id)


def _waiting(
    state: InstanceState, template: WorkflowTemplate, ctx: DecisionContext, engine: Engine
) -> WorkItem:
    if not can_see(ctx.principal, state.tenant_id):
        raise NotFound("workflow", state.id)
    item = waiting_work(state, template, engine.handlers, engine.automated)
    if item is None:
        raise InvalidTransition(
            f"no work waits on this workflow for a person ({state.status})",
            status=state.status.value,
            action="ASSIGN",
        )
    return item


def _assign(
    state: InstanceState,
    command: AssignWork,
    template: WorkflowTemplate,
    ctx: DecisionContext,
    engine: Engine,
) -> list[Event]:
    """Claim the waiting work (the assignee is the asking user: who may act on it, unless
    someone else holds it), or assign it (`work.assign`) to a user who may act on it."""
    item = _waiting(state, template, ctx, engine)
    principal, assignee, held = ctx.principal, command.assignee, state.assignment
    if assignee.user_id == principal.user_id:
        if not may_act(principal, state, template, item, engine.handlers):
            raise Forbidden(
                f"the {principal.role} role may not act on this work: it waits for "
                f"{', '.join(item.roles)}"
            )
        claimed_by_another = held is not None and held.user_id != str(principal.user_id)
        if claimed_by_another and not supervises(principal, state):
            raise assigned_to_another(state, "claim")
    else:
        authorize(principal, Permission.WORK_ASSIGN, tenant_id=uuid.UUID(state.tenant_id))
        if not may_act(assignee, state, template, item, engine.handlers):
            raise ValidationFailed(
                "this user may not act on the work",
                [
                    FieldError(
                        ("userId",),
                        f"is a {assignee.role} who may not act on this work "
                        f"(it waits for {', '.join(item.roles)})",
                    )
                ],
            )
    if held is not None and held.user_id == str(assignee.user_id):
        return []  # theirs already
    assigned = StepAssignedData(str(assignee.user_id), held.user_id if held else None)
    return [_event(state, ctx, assigned, step_id=item.step_id)]


def _release(
    state: InstanceState, template: WorkflowTemplate, ctx: DecisionContext, engine: Engine
) -> list[Event]:
    """Let the work go back to its roles: its assignee, or a supervisor (`work.assign`)."""
    item = _waiting(state, template, ctx, engine)
    held = state.assignment
    if held is None:
        return []  # nobody holds it
    if held.user_id != str(ctx.principal.user_id) and not supervises(ctx.principal, state):
        raise assigned_to_another(state, "release")
    return [_event(state, ctx, StepUnassignedData(held.user_id), step_id=item.step_id)]


def _check(
    action: WorkflowAction,
    state: InstanceState,
    template: WorkflowTemplate,
    ctx: DecisionContext,
    step_id: str | None = None,
    handlers: StepHandlerRegistry = STEP_HANDLERS,
) -> None:
    error = refusal(action, state, template, ctx.principal, step_id, handlers)
    if error is not None:
        raise error


def _gated(decision: Decision, ctx: DecisionContext) -> Decision:
    failed = decision.failed_gates(ctx.gate_results)
    if failed:
        raise GateFailed(failed)
    return decision


def _create(command: CreateWorkflow, template: WorkflowTemplate, ctx: DecisionContext) -> Event:
    authorize(ctx.principal, Permission.WORKFLOWS_CREATE)
    if not can_see(ctx.principal, command.tenant_id):
        raise Forbidden("you may only create workflows for your own organisation")
    if command.market_role not in MARKET_ROLES:
        raise ValidationFailed(
            "unknown market role",
            [FieldError(("marketRole",), f"must be one of {', '.join(MARKET_ROLES)}")],
        )
    if template.market_role is not None and template.market_role != command.market_role:
        raise ValidationFailed(
            "template does not apply to this market role",
            [FieldError(("templateKey",), f"{template.key} is for {template.market_role}")],
        )
    unstorable = storage_problems(command.trigger, at=("trigger",))
    if unstorable:
        raise ValidationFailed("the trigger cannot be stored as given", unstorable)
    unstorable = storage_problems(command.variables, at=("variables",))
    if unstorable:
        raise ValidationFailed("the variables cannot be stored as given", unstorable)
    created = WorkflowCreatedData(
        template_id=command.template_id,
        template_key=template.key,
        template_version=template.version,
        market_role=command.market_role,
        trigger=dict(command.trigger) or {"type": "user", "userId": str(ctx.principal.user_id)},
        config=WorkflowConfig.from_json(command.config),
        variables=dict(command.variables) or None,
    )
    return Event(
        instance_id=command.instance_id,
        tenant_id=command.tenant_id,
        seq=1,
        performed_by=str(ctx.principal.user_id),
        occurred_at=ctx.now,
        payload=created,
        correlation_id=ctx.correlation_id,
        idempotency_key=ctx.idempotency_key,
    )


def enter(template: WorkflowTemplate, step_id: str | None, state: InstanceState) -> str | None:
    """The step the workflow actually enters when it goes to `step_id`: a step switched off
    by the instance's flags is passed over, through its transition without a condition."""
    flags = state.config.flags
    for _ in template.steps:
        if step_id is None or step_enabled(template.step(step_id), flags):
            return step_id
        step_id = next(t.to for t in template.transitions(step_id) if t.when is None)
    raise InvalidTransition(
        "the optional steps of this template form a loop", action="EXECUTE_STEP"
    )


def choose_transition(
    template: WorkflowTemplate, step_id: str, activation: Mapping[str, Any]
) -> Transition | None:
    """The first transition whose condition holds; None when the step ends the workflow."""
    options = template.transitions(step_id)
    for index, transition in enumerate(options):
        condition = template.usable_condition(step_id, index)
        if condition is None or condition.evaluate(step_id, activation):
            return transition
    if options:
        raise InvalidTransition(
            f"no transition out of step {step_id!r} applies to this data", action="EXECUTE_STEP"
        )
    return None


def _execute_step(
    state: InstanceState,
    command: ExecuteStep,
    template: WorkflowTemplate,
    ctx: DecisionContext,
    engine: Engine,
) -> Decision:
    _check(A.EXECUTE_STEP, state, template, ctx, command.step_id, engine.handlers)
    step = template.step(command.step_id)
    # keys MongoDB would refuse (or read as operators) fail here, before anything is written
    unstorable = storage_problems(command.data)
    if unstorable:
        raise ValidationFailed(
            f"the data of step {step.id!r} cannot be stored as given", unstorable
        )
    handler = engine.handlers.get(step.type)
    data = step.form().normalized(command.data)
    each: StepCompletion | None = None
    if step.for_each is not None:
        each, problems = complete_each(step, handler, data)
    else:
        problems = handler.input_problems(step, data)
    steps = {**state.completed_data(), step.id: data}
    if not problems:
        problems = engine.validators.run(
            step.validators, ValidationContext(data=data, steps=steps, tenant=ctx.tenant)
        )
    if problems:
        raise ValidationFailed(f"the data of step {step.id!r} is invalid", problems)
    completion = each or handler.complete(step, data)
    variables = {**state.variables, **completion.variables}
    steps[step.id] = completion.data
    transition = choose_transition(
        template, step.id, condition_activation(state, ctx.tenant, steps=steps, variables=variables)
    )
    if transition is not None and transition.roles and ctx.principal.role not in transition.roles:
        raise Forbidden(
            f"only {', '.join(transition.roles)} may move this workflow to {transition.to!r}"
        )
    completed = StepCompletedData(
        data=dict(completion.data),
        variables=dict(completion.variables),
        next_step_id=enter(template, transition.to, state) if transition else None,
    )
    event = _event(state, ctx, completed, step_id=step.id)
    gates = (
        [
            GateCheck(g, A.EXECUTE_STEP.value, step_id=step.id, target=transition.to)
            for g in transition.gates
        ]
        if transition is not None
        else []
    )
    return _gated(Decision([event], gates), ctx)


def _required_reason(reason: str | None, field_name: str = "reason") -> str:
    text = (reason or "").strip()
    if not text or len(text) > MAX_REASON_LENGTH:
        raise ValidationFailed(
            f"a {field_name} is required",
            [FieldError((field_name,), f"must be 1 to {MAX_REASON_LENGTH} characters")],
        )
    problem = text_problem(text)
    if problem:
        raise ValidationFailed(
            f"the {field_name} cannot be stored as given", [FieldError((field_name,), problem)]
        )
    return text


def _optional_reason(reason: str | None) -> str | None:
    return _required_reason(reason) if reason and reason.strip() else None


def _reject(
    state: InstanceState, command: RejectWorkflow, template: WorkflowTemplate, ctx: DecisionContext
) -> Event:
    _check(A.REJECT, state, template, ctx)
    reason = _required_reason(command.reason)
    path = state.path
    target = command.to_step_id or (path[-1] if path else template.steps[-1].id)
    if target not in path or state.step(target).status is not StepStatus.COMPLETED:
        raise ValidationFailed(
            "the workflow can only be sent back to a completed step",
            [FieldError(("toStepId",), f"{target!r} is not a completed step")],
        )
    return _event(state, ctx, WorkflowRejectedData(reason, target))


def _event(
    state: InstanceState,
    ctx: DecisionContext,
    payload: EventPayload,
    *,
    step_id: str | None = None,
) -> Event:
    return Event(
        instance_id=state.id,
        tenant_id=state.tenant_id,
        seq=state.version + 1,
        performed_by=str(ctx.principal.user_id),
        occurred_at=ctx.now,
        payload=payload,
        step_id=step_id,
        correlation_id=ctx.correlation_id,
        idempotency_key=ctx.idempotency_key,
    )
