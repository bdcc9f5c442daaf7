"""`evolve(state, event) -> state`: the pure fold that rebuilds an instance from its log."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from wfm_engine.events import Event, EventType
from wfm_engine.state import RECENT_EVENTS, InstanceState, StepState
from wfm_engine.status import StepStatus, WorkflowStatus


class CorruptEventLog(ValueError):
    """The log cannot be folded: a gap in seq, or an event before WORKFLOW_CREATED."""


def evolve(state: InstanceState | None, event: Event) -> InstanceState:
    if state is None:
        if event.type is not EventType.WORKFLOW_CREATED or event.seq != 1:
            raise CorruptEventLog(
                f"log of {event.instance_id} does not start with WORKFLOW_CREATED"
            )
        return replace(_created(event), recent_events=(event,))
    if event.seq != state.version + 1:
        raise CorruptEventLog(f"{state.id}: expected seq {state.version + 1}, got {event.seq}")
    apply = _APPLY.get(event.type)
    if apply is None:
        raise CorruptEventLog(f"{state.id}: {event.type} cannot follow seq {state.version}")
    changed = apply(state, event)
    if changed.current_step_id is not None and (
        changed.current_step_id != state.current_step_id or event.type in _ACTIVATING
    ):
        # When the current step began: its SLA, deadline or delay counts from here.
        activation = {
            "stepId": changed.current_step_id,
            "seq": event.seq,
            "at": event.occurred_at.isoformat(),
        }
        changed = replace(changed, metadata={**changed.metadata, "activation": activation})
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


def _created(event: Event) -> InstanceState:
    data = event.data
    return InstanceState(
        id=event.instance_id,
        tenant_id=event.tenant_id,
        template_id=str(data["templateId"]),
        template_key=str(data["templateKey"]),
        template_version=int(data["templateVersion"]),
        market_role=str(data["marketRole"]),
        status=WorkflowStatus.DRAFT,
        current_step_id=None,
        step_states={},
        variables={},
        metadata={
            "path": [],
            "trigger": dict(data.get("trigger") or {}),
            "config": dict(data.get("config") or {"flags": {}, "settings": {}}),
        },
        version=1,
        created_by=event.performed_by,
        created_at=event.occurred_at,
        updated_at=event.occurred_at,
    )


def _with_steps(state: InstanceState, changes: Mapping[str, StepState]) -> dict[str, StepState]:
    steps = dict(state.step_states)
    steps.update(changes)
    return steps


def _with_metadata(
    state: InstanceState, drop: Iterable[str] = (), **changes: Any
) -> dict[str, Any]:
    metadata = {k: v for k, v in state.metadata.items() if k not in set(drop)}
    metadata.update(changes)
    return metadata


def _record(event: Event, **extra: Any) -> dict[str, Any]:
    return {"by": event.performed_by, "at": event.occurred_at.isoformat(), **extra}


def _activate(state: InstanceState, step_id: str) -> StepState:
    # A step reopened keeps its earlier data so that the form can show it again.
    return StepState(StepStatus.ACTIVE, data=state.step(step_id).data)


def _started(state: InstanceState, event: Event) -> InstanceState:
    first = str(event.data["firstStepId"])
    return replace(
        state,
        status=WorkflowStatus.IN_PROGRESS,
        current_step_id=first,
        step_states=_with_steps(state, {first: _activate(state, first)}),
    )


def _step_completed(state: InstanceState, event: Event) -> InstanceState:
    assert event.step_id is not None
    next_step = event.data.get("nextStepId")
    changes = {
        event.step_id: StepState(
            StepStatus.COMPLETED,
            data=dict(event.data.get("data", {})),
            completed_at=event.occurred_at,
            completed_by=event.performed_by,
        )
    }
    if next_step:
        changes[str(next_step)] = _activate(state, str(next_step))
    # an escalation assigned this activation of the step to a role: done, it lapses
    assignments = state.metadata.get("assignments", {})
    lapsed = (
        {"assignments": {k: v for k, v in assignments.items() if k != event.step_id}}
        if event.step_id in assignments
        else {}
    )
    return replace(
        state,
        status=WorkflowStatus.IN_PROGRESS if next_step else WorkflowStatus.AWAITING_VALIDATION,
        current_step_id=str(next_step) if next_step else None,
        step_states=_with_steps(state, changes),
        variables={**state.variables, **dict(event.data.get("variables") or {})},
        metadata=_with_metadata(state, path=[*state.path, event.step_id], **lapsed),
    )


def _paused(state: InstanceState, event: Event) -> InstanceState:
    pause = _record(event, reason=event.data.get("reason"))
    return replace(state, status=WorkflowStatus.PAUSED, metadata=_with_metadata(state, pause=pause))


def _resumed(state: InstanceState, event: Event) -> InstanceState:
    metadata = _with_metadata(state, drop=["pause"], resumedAt=event.occurred_at.isoformat())
    return replace(state, status=WorkflowStatus.IN_PROGRESS, metadata=metadata)


def _sla_breached(state: InstanceState, event: Event) -> InstanceState:
    assert event.step_id is not None
    breach = _record(event, stepId=event.step_id, escalateTo=event.data.get("escalateTo"))
    changes: dict[str, Any] = {"slaBreaches": [*state.metadata.get("slaBreaches", []), breach]}
    if event.data.get("escalateTo"):
        # reassigned: the escalation role may now execute the step as well
        assignments = {
            **state.metadata.get("assignments", {}),
            event.step_id: event.data["escalateTo"],
        }
        changes["assignments"] = assignments
    return replace(state, metadata=_with_metadata(state, **changes))


def _submitted(state: InstanceState, event: Event) -> InstanceState:
    return replace(
        state,
        status=WorkflowStatus.SUBMITTED,
        metadata=_with_metadata(
            state,
            submittedBy=event.performed_by,
            submittedAt=event.occurred_at.isoformat(),
            submittedSeq=event.seq,
        ),
    )


def _approved(state: InstanceState, event: Event) -> InstanceState:
    return replace(
        state,
        status=WorkflowStatus.COMPLETED,
        metadata=_with_metadata(
            state,
            approvedBy=event.performed_by,
            approvedAt=event.occurred_at.isoformat(),
            approvalComment=event.data.get("comment"),
            contractReference=event.data.get("contractReference"),
        ),
    )


def _rejected(state: InstanceState, event: Event) -> InstanceState:
    target = str(event.data["toStepId"])
    path = state.path
    index = state.last_index(target)
    kept = path[:index] if index is not None else path
    reopened = path[len(kept) :] or [target]
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
        metadata=_with_metadata(
            state,
            path=kept,
            lastRejection=_record(event, reason=event.data["reason"], toStepId=target),
        ),
    )


def _compensated(state: InstanceState, event: Event) -> InstanceState:
    assert event.step_id is not None
    step = state.step(event.step_id)
    return replace(
        state,
        step_states=_with_steps(
            state, {event.step_id: replace(step, status=StepStatus.COMPENSATED)}
        ),
        metadata=_with_metadata(state, rollback=dict(event.data["rollback"])),
    )


def _rolled_back(state: InstanceState, event: Event) -> InstanceState:
    snapshot = event.data["snapshot"]
    return replace(
        state,
        status=WorkflowStatus(event.data["status"]),
        current_step_id=snapshot.get("currentStepId"),
        step_states={k: StepState.from_json(v) for k, v in snapshot["stepStates"].items()},
        variables=dict(snapshot.get("variables") or {}),
        metadata=_with_metadata(
            state,
            drop=["rollback", "failure", "pause"],
            path=list(snapshot.get("path") or []),
            lastRollback=_record(
                event, toStepId=event.data["toStepId"], restoredSeq=event.data["restoredSeq"]
            ),
        ),
    )


def _failed(state: InstanceState, event: Event) -> InstanceState:
    failure = _record(event, reason=event.data["reason"], stepId=event.data.get("stepId"))
    changes: dict[str, Any] = {"failure": failure}
    if event.data.get("rollback"):
        changes["rollback"] = dict(event.data["rollback"])
    return replace(state, status=WorkflowStatus.FAILED, metadata=_with_metadata(state, **changes))


def _cancelled(state: InstanceState, event: Event) -> InstanceState:
    cancellation = _record(event, reason=event.data.get("reason"))
    return replace(
        state,
        status=WorkflowStatus.CANCELLED,
        metadata=_with_metadata(state, cancellation=cancellation),
    )


def _gate_failed(state: InstanceState, event: Event) -> InstanceState:
    failure = _record(
        event,
        action=event.data.get("action"),
        failedGates=list(event.data.get("failedGates") or []),
    )
    return replace(state, metadata=_with_metadata(state, lastGateFailure=failure))


_APPLY: dict[EventType, Callable[[InstanceState, Event], InstanceState]] = {
    EventType.WORKFLOW_STARTED: _started,
    EventType.STEP_COMPLETED: _step_completed,
    EventType.WORKFLOW_PAUSED: _paused,
    EventType.WORKFLOW_RESUMED: _resumed,
    EventType.WORKFLOW_SUBMITTED: _submitted,
    EventType.WORKFLOW_APPROVED: _approved,
    EventType.WORKFLOW_REJECTED: _rejected,
    EventType.STEP_COMPENSATED: _compensated,
    EventType.WORKFLOW_ROLLED_BACK: _rolled_back,
    EventType.WORKFLOW_FAILED: _failed,
    EventType.WORKFLOW_CANCELLED: _cancelled,
    EventType.GATE_FAILED: _gate_failed,
    EventType.STEP_SLA_BREACHED: _sla_breached,
}
_ACTIVATING = frozenset(
    {
        EventType.WORKFLOW_STARTED,
        EventType.STEP_COMPLETED,
        EventType.WORKFLOW_REJECTED,
        EventType.WORKFLOW_ROLLED_BACK,
    }
)
