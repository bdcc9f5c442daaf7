"""`evolve(state, event) -> state`: the pure fold that rebuilds an instance from its log."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from wfm_engine.events import (
    LAST_ERROR_VARIABLE,
    Event,
    EventType,
    FailureHandling,
    GateFailedData,
    StepAssignedData,
    StepCompensatedData,
    StepCompletedData,
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
from wfm_engine.state import (
    RECENT_EVENTS,
    Activation,
    Approved,
    Assignment,
    Cancelled,
    Failed,
    GateRefused,
    InstanceState,
    Paused,
    Rejected,
    RolledBack,
    SlaBreached,
    StepIteration,
    StepState,
    Submitted,
)
from wfm_engine.status import StepStatus, WorkflowStatus


class CorruptEventLog(ValueError):
    """The log cannot be folded: a gap in seq, or an event before WORKFLOW_CREATED."""


def evolve(state: InstanceState | None, event: Event) -> InstanceState:
    if state is None:
        if not isinstance(event.payload, WorkflowCreatedData) or event.seq != 1:
            raise CorruptEventLog(
                f"log of {event.instance_id} does not start with WORKFLOW_CREATED"
            )
        return replace(_created(event, event.payload), recent_events=(event,))
    if event.seq != state.version + 1:
        raise CorruptEventLog(f"{state.id}: expected seq {state.version + 1}, got {event.seq}")
    changed = _apply(state, event)
    if changed.assignment is not None and event.type not in _KEEPS_ASSIGNMENT:
        # the assigned work is done or left (a step completed, a submission decided...)
        changed = replace(changed, assignment=None)
    if changed.iteration is not None and (
        changed.iteration.step_id != changed.current_step_id or event.type in _ENTERING
    ):
        # a forEach left, or entered anew: its items start over
        changed = replace(changed, iteration=None)
    if changed.current_step_id is not None and (
        changed.current_step_id != state.current_step_id
        or event.type in _ACTIVATING
        or _reruns_failed_step(state, event)
    ):
        # When the current step began: its SLA, deadline or delay counts from here.
        activation = Activation(changed.current_step_id, event.seq, event.occurred_at)
        changed = replace(changed, activation=activation)
    return replace(
        changed,
        version=event.seq,
        updated_at=event.occurred_at,
        # the log's tail, whatever the event did to the rest (a rollback rebuilds an older state)
        recent_events=(*state.recent_events, event)[-RECENT_EVENTS:],
    )


def fold(events: Iterable[Event], state: InstanceState | None = None) -> InstanceState | None:
    for event in events:
        state = evolve(state, event)
    return state


def catch_up(state: InstanceState | None, events: Iterable[Event]) -> InstanceState | None:
    """A stored state (an instance document, None when there is none) brought up to the
    log: the events past its version folded in, those it holds already passed over. Every
    reader that catches a projection up with the log does it here; reading the document
    and the events after its version is the caller's I/O."""
    return fold((e for e in events if state is None or e.seq > state.version), state)


def _apply(state: InstanceState, event: Event) -> InstanceState:
    match event.payload:
        case WorkflowStartedData() as started:
            return _started(state, started)
        case StepCompletedData() as completed:
            return _step_completed(state, event, completed)
        case WorkflowPausedData() as paused:
            pause = Paused(event.performed_by, event.occurred_at, paused.reason)
            return replace(state, status=WorkflowStatus.PAUSED, pause=pause)
        case WorkflowResumedData():
            resumed = replace(
                state, status=WorkflowStatus.IN_PROGRESS, pause=None, resumed_at=event.occurred_at
            )
            if _reruns_failed_step(state, event) and state.current_step_id is not None:
                step_id = state.current_step_id
                return replace(
                    resumed, step_states=_with_steps(state, {step_id: _activate(state, step_id)})
                )
            return resumed
        case WorkflowSubmittedData():
            submission = Submitted(event.performed_by, event.occurred_at, event.seq)
            return replace(state, status=WorkflowStatus.SUBMITTED, submission=submission)
        case WorkflowApprovedData() as approved:
            approval = Approved(
                event.performed_by,
                event.occurred_at,
                approved.comment,
                approved.contract_reference,
            )
            return replace(state, status=WorkflowStatus.COMPLETED, approval=approval)
        case WorkflowRejectedData() as rejected:
            return _rejected(state, event, rejected)
        case StepCompensatedData() as compensated:
            assert event.step_id is not None
            step = replace(state.step(event.step_id), status=StepStatus.COMPENSATED)
            return replace(
                state,
                step_states=_with_steps(state, {event.step_id: step}),
                pending_rollback=compensated.rollback,
            )
        case WorkflowRolledBackData() as rolled_back:
            return _rolled_back(state, event, rolled_back)
        case WorkflowFailedData() as failed:
            failure = Failed(event.performed_by, event.occurred_at, failed.reason, failed.step_id)
            return replace(
                state,
                status=WorkflowStatus.FAILED,
                failure=failure,
                pending_rollback=failed.rollback or state.pending_rollback,
            )
        case WorkflowCancelledData() as cancelled:
            cancellation = Cancelled(event.performed_by, event.occurred_at, cancelled.reason)
            return replace(state, status=WorkflowStatus.CANCELLED, cancellation=cancellation)
        case GateFailedData() as gate_failed:
            refusal = GateRefused(
                event.performed_by, event.occurred_at, gate_failed.action, gate_failed.failed_gates
            )
            return replace(state, last_gate_failure=refusal)
        case StepSlaBreachedData() as breached:
            return _sla_breached(state, event, breached)
        case StepAssignedData() as assigned:
            assignment = Assignment(
                assigned.assignee_id, event.performed_by, event.occurred_at, event.step_id
            )
            return replace(state, assignment=assignment)
        case StepUnassignedData():
            return replace(state, assignment=None)
        case StepFailedData() as step_failed:
            return _step_failed(state, event, step_failed)
        case StepIterationCompletedData() as done:
            assert event.step_id is not None
            progress = state.iteration
            results = progress.results if progress and progress.step_id == event.step_id else ()
            iteration = StepIteration(event.step_id, (*results, dict(done.result)))
            return replace(state, iteration=iteration)
        case WorkflowRetriedData():
            retried = event.step_id or state.current_step_id
            assert retried is not None
            return replace(
                state,
                status=WorkflowStatus.IN_PROGRESS,
                current_step_id=retried,
                step_states=_with_steps(state, {retried: _activate(state, retried)}),
                failure=None,
                pause=None,
            )
        case WorkflowCreatedData():
            raise CorruptEventLog(f"{state.id}: {event.type} cannot follow seq {state.version}")


def _created(event: Event, created: WorkflowCreatedData) -> InstanceState:
    return InstanceState(
        id=event.instance_id,
        tenant_id=event.tenant_id,
        template_id=created.template_id,
        template_key=created.template_key,
        template_version=created.template_version,
        market_role=created.market_role,
        status=WorkflowStatus.DRAFT,
        current_step_id=None,
        step_states={},
        variables=dict(created.variables or {}),
        version=1,
        created_by=event.performed_by,
        created_at=event.occurred_at,
        updated_at=event.occurred_at,
        trigger=dict(created.trigger),
        config=created.config,
    )


def _with_steps(state: InstanceState, changes: Mapping[str, StepState]) -> dict[str, StepState]:
    steps = dict(state.step_states)
    steps.update(changes)
    return steps


def _activate(state: InstanceState, step_id: str) -> StepState:
    # A step reopened keeps its earlier data so that the form can show it again.
    return StepState(StepStatus.ACTIVE, data=state.step(step_id).data)


def _started(state: InstanceState, started: WorkflowStartedData) -> InstanceState:
    first = str(started.first_step_id)
    return replace(
        state,
        status=WorkflowStatus.IN_PROGRESS,
        current_step_id=first,
        step_states=_with_steps(state, {first: _activate(state, first)}),
    )


def _step_completed(
    state: InstanceState, event: Event, completed: StepCompletedData
) -> InstanceState:
    assert event.step_id is not None
    next_step = completed.next_step_id
    changes = {
        event.step_id: StepState(
            StepStatus.COMPLETED,
            data=dict(completed.data),
            completed_at=event.occurred_at,
            completed_by=event.performed_by,
        )
    }
    if next_step:
        changes[next_step] = _activate(state, next_step)
    # an escalation assigned this activation of the step to a role: done, it lapses
    assignments = {k: v for k, v in state.assignments.items() if k != event.step_id}
    return replace(
        state,
        status=WorkflowStatus.IN_PROGRESS if next_step else WorkflowStatus.AWAITING_VALIDATION,
        current_step_id=next_step or None,
        step_states=_with_steps(state, changes),
        variables={**state.variables, **dict(completed.variables)},
        path=(*state.path, event.step_id),
        assignments=assignments,
    )


def _step_failed(state: InstanceState, event: Event, failed: StepFailedData) -> InstanceState:
    assert event.step_id is not None
    step_id, error = event.step_id, failed.error
    variables = {**state.variables, LAST_ERROR_VARIABLE: error.as_json()}
    progress = state.iteration
    if failed.on_failure is FailureHandling.PAUSE:
        pause = Paused(event.performed_by, event.occurred_at, error.message, failed_step_id=step_id)
        failed_step = StepState(StepStatus.FAILED, data=state.step(step_id).data)
        return replace(
            state,
            status=WorkflowStatus.PAUSED,
            pause=pause,
            variables=variables,
            step_states=_with_steps(state, {step_id: failed_step}),
        )
    # the items a forEach did before it failed stay with the step
    data = (
        {"results": [dict(r) for r in progress.results]}
        if progress is not None and progress.step_id == step_id and progress.results
        else state.step(step_id).data
    )
    changes = {step_id: StepState(StepStatus.FAILED, data=data)}
    next_step = failed.next_step_id
    if next_step:
        changes[next_step] = _activate(state, next_step)
    return replace(
        state,
        status=WorkflowStatus.IN_PROGRESS if next_step else WorkflowStatus.AWAITING_VALIDATION,
        current_step_id=next_step or None,
        step_states=_with_steps(state, changes),
        variables=variables,
    )


def _reruns_failed_step(state: InstanceState, event: Event) -> bool:
    """Resuming a workflow that a step's failure paused runs that step again: a new
    activation of it (the worker runs the activation, its timers count from it)."""
    return (
        event.type is EventType.WORKFLOW_RESUMED
        and state.pause is not None
        and state.pause.failed_step_id is not None
        and state.pause.failed_step_id == state.current_step_id
    )


def _sla_breached(
    state: InstanceState, event: Event, breached: StepSlaBreachedData
) -> InstanceState:
    assert event.step_id is not None
    breach = SlaBreached(event.performed_by, event.occurred_at, event.step_id, breached.escalate_to)
    assignments = dict(state.assignments)
    assignment = state.assignment
    if breached.escalate_to:
        # reassigned: the escalation role may now execute the step as well, and the person
        # it was assigned to lets it go (it waits for the escalation role's people)
        assignments[event.step_id] = breached.escalate_to
        assignment = None
    return replace(
        state,
        sla_breaches=(*state.sla_breaches, breach),
        assignments=assignments,
        assignment=assignment,
    )


def _rejected(state: InstanceState, event: Event, rejected: WorkflowRejectedData) -> InstanceState:
    target = rejected.to_step_id
    path = state.path
    index = state.last_index(target)
    kept = path[:index] if index is not None else path
    reopened = path[len(kept) :] or (target,)
    changes = {
        step_id: StepState(StepStatus.PENDING, data=state.step(step_id).data)
        for step_id in reopened
    }
    changes[target] = _activate(state, target)
    return replace(
        state,
        status=WorkflowStatus.IN_PROGRESS,
        current_step_id=target,
        step_states=_with_steps(state, changes),
        path=kept,
        last_rejection=Rejected(event.performed_by, event.occurred_at, rejected.reason, target),
    )


def _rolled_back(
    state: InstanceState, event: Event, rolled_back: WorkflowRolledBackData
) -> InstanceState:
    snapshot = rolled_back.snapshot
    return replace(
        state,
        status=rolled_back.status,
        current_step_id=snapshot.current_step_id,
        step_states=dict(snapshot.step_states),
        variables=dict(snapshot.variables),
        path=snapshot.path,
        pending_rollback=None,
        failure=None,
        pause=None,
        last_rollback=RolledBack(
            event.performed_by, event.occurred_at, rolled_back.to_step_id, rolled_back.restored_seq
        ),
    )


_ACTIVATING = frozenset(
    {
        EventType.WORKFLOW_STARTED,
        EventType.STEP_COMPLETED,
        EventType.WORKFLOW_REJECTED,
        EventType.WORKFLOW_ROLLED_BACK,
        EventType.WORKFLOW_RETRIED,
    }
)

# The events that enter a step anew (a forEach's items start over); a retry, or resuming a
# step that failed, goes on with the items not yet done.
_ENTERING = _ACTIVATING - {EventType.WORKFLOW_RETRIED}

# The events after which the assigned work is still the same work: the rest end it (a step
# completed, a submission decided, a failure, a rollback...) and the assignment lapses.
_KEEPS_ASSIGNMENT = frozenset(
    {
        EventType.WORKFLOW_PAUSED,
        EventType.WORKFLOW_RESUMED,
        EventType.GATE_FAILED,
        EventType.STEP_SLA_BREACHED,  # an escalation lets it go: see `_sla_breached`
        EventType.STEP_ASSIGNED,
        EventType.STEP_UNASSIGNED,
        EventType.STEP_ITERATION_COMPLETED,
    }
)
