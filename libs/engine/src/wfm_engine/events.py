"""Events: small immutable records of what happened to a workflow instance.

Each event type has a typed payload, built by `decide` and read by `evolve`. A payload
knows its JSON form (`as_json`, `from_json`): the `eventData` of the stored log, the
`eventData` GraphQL shows and the `data` of webhook messages. The form is derived from
the payload's fields by `JsonRecord` (wfm_engine.records: a key per field in camelCase, in
the order of the fields), with the exceptions written here. The JSON form is the log's
format: `from_json` reads every event ever written, so a change to a payload keeps
reading the old shape. Adding an event type: an EventType member, its payload class
here (a frozen dataclass deriving from JsonRecord, listed in EventPayload and _PAYLOADS),
a case in `evolve`, and a `decide` that builds it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Self

from wfm_engine.options import WorkflowConfig
from wfm_engine.records import JsonRecord
from wfm_engine.status import WorkflowStatus
from wfm_engine.step_state import StepState


class EventType(StrEnum):
    WORKFLOW_CREATED = "WORKFLOW_CREATED"
    WORKFLOW_STARTED = "WORKFLOW_STARTED"
    STEP_COMPLETED = "STEP_COMPLETED"
    WORKFLOW_PAUSED = "WORKFLOW_PAUSED"
    WORKFLOW_RESUMED = "WORKFLOW_RESUMED"
    WORKFLOW_SUBMITTED = "WORKFLOW_SUBMITTED"
    WORKFLOW_APPROVED = "WORKFLOW_APPROVED"
    WORKFLOW_REJECTED = "WORKFLOW_REJECTED"
    STEP_COMPENSATED = "STEP_COMPENSATED"
    WORKFLOW_ROLLED_BACK = "WORKFLOW_ROLLED_BACK"
    WORKFLOW_FAILED = "WORKFLOW_FAILED"
    WORKFLOW_CANCELLED = "WORKFLOW_CANCELLED"
    GATE_FAILED = "GATE_FAILED"
    STEP_SLA_BREACHED = "STEP_SLA_BREACHED"
    STEP_ASSIGNED = "STEP_ASSIGNED"
    STEP_UNASSIGNED = "STEP_UNASSIGNED"
    STEP_FAILED = "STEP_FAILED"
    STEP_ITERATION_COMPLETED = "STEP_ITERATION_COMPLETED"
    WORKFLOW_RETRIED = "WORKFLOW_RETRIED"


# -- parts of payloads ----------------------------------------------------------------------


@dataclass(frozen=True)
class PendingRollback(JsonRecord):
    """A rollback under way: the step it returns to, and the status the workflow resumes in."""

    to_step_id: str
    resume_status: WorkflowStatus


@dataclass(frozen=True)
class Snapshot(JsonRecord):
    """The part of an instance's state a rollback restores."""

    current_step_id: str | None
    step_states: Mapping[str, StepState]
    variables: Mapping[str, Any]
    path: tuple[str, ...]


@dataclass(frozen=True)
class FailedGate(JsonRecord):
    gate: str
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        # stored as a gate's result, "passed" between the fields
        return {"gate": self.gate, "passed": False, "reason": self.reason}


# The variable a failure handled by `onFailure` leaves its error in (StepError's JSON form).
LAST_ERROR_VARIABLE = "lastError"


@dataclass(frozen=True)
class StepError(JsonRecord):
    """Why a step failed, as `variables.lastError` holds it: the step, the reason, when, and
    after how many attempts (of its current item, for a forEach)."""

    step_id: str
    message: str
    at: datetime
    attempts: int


class FailureHandling(StrEnum):
    """What a step's `onFailure` made of its failure."""

    CONTINUE = "continue"  # the workflow went on at `onFailure.to`
    PAUSE = "pause"  # the workflow waits for a person, who resumes it: the step runs again


# -- one payload per event type ---------------------------------------------------------------


@dataclass(frozen=True)
class WorkflowCreatedData(JsonRecord):
    type: ClassVar[EventType] = EventType.WORKFLOW_CREATED
    template_id: str
    template_key: str
    template_version: int
    market_role: str
    # what started the workflow: {type: user, userId} | {type: schedule | event, ...}
    trigger: Mapping[str, Any] = field(default_factory=dict)
    config: WorkflowConfig = field(default_factory=WorkflowConfig)  # pinned for its lifetime
    # the variables it starts with (a trigger's input mapped into them); none: no key
    variables: Mapping[str, Any] | None = None

    json_omit_none = frozenset({"variables"})


@dataclass(frozen=True)
class WorkflowStartedData(JsonRecord):
    type: ClassVar[EventType] = EventType.WORKFLOW_STARTED
    first_step_id: str | None


@dataclass(frozen=True)
class StepCompletedData(JsonRecord):
    type: ClassVar[EventType] = EventType.STEP_COMPLETED
    data: Mapping[str, Any]
    variables: Mapping[str, Any] = field(default_factory=dict)
    next_step_id: str | None = None  # None: the last step, the workflow awaits validation

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Self:
        read = super().from_json(value)
        # a blank next step reads as none: the last step
        return replace(read, next_step_id=read.next_step_id or None)


@dataclass(frozen=True)
class WorkflowPausedData(JsonRecord):
    type: ClassVar[EventType] = EventType.WORKFLOW_PAUSED
    reason: str | None = None


@dataclass(frozen=True)
class WorkflowResumedData(JsonRecord):
    type: ClassVar[EventType] = EventType.WORKFLOW_RESUMED


@dataclass(frozen=True)
class WorkflowSubmittedData(JsonRecord):
    type: ClassVar[EventType] = EventType.WORKFLOW_SUBMITTED


@dataclass(frozen=True)
class WorkflowApprovedData(JsonRecord):
    type: ClassVar[EventType] = EventType.WORKFLOW_APPROVED
    contract_reference: str | None
    comment: str | None = None

    def as_json(self) -> dict[str, Any]:
        # stored comment first, unlike the fields (the required one comes first there)
        return {"comment": self.comment, "contractReference": self.contract_reference}


@dataclass(frozen=True)
class WorkflowRejectedData(JsonRecord):
    type: ClassVar[EventType] = EventType.WORKFLOW_REJECTED
    reason: str
    to_step_id: str


@dataclass(frozen=True)
class StepCompensatedData(JsonRecord):
    type: ClassVar[EventType] = EventType.STEP_COMPENSATED
    # what the step handler's compensation returned (an api_call's request to send, ...)
    compensation: Mapping[str, Any]
    rollback: PendingRollback


@dataclass(frozen=True)
class WorkflowRolledBackData(JsonRecord):
    type: ClassVar[EventType] = EventType.WORKFLOW_ROLLED_BACK
    to_step_id: str
    restored_seq: int  # the STEP_COMPLETED of `to_step_id` whose state is restored
    status: WorkflowStatus
    snapshot: Snapshot


@dataclass(frozen=True)
class WorkflowFailedData(JsonRecord):
    type: ClassVar[EventType] = EventType.WORKFLOW_FAILED
    reason: str
    # the step that failed (a system step's runner, a compensation), and the rollback
    # that stays pending when a compensation failed
    step_id: str | None = None
    rollback: PendingRollback | None = None

    json_omit_none = frozenset({"step_id", "rollback"})


@dataclass(frozen=True)
class WorkflowCancelledData(JsonRecord):
    type: ClassVar[EventType] = EventType.WORKFLOW_CANCELLED
    reason: str | None = None


@dataclass(frozen=True)
class GateFailedData(JsonRecord):
    type: ClassVar[EventType] = EventType.GATE_FAILED
    action: str  # the WorkflowAction refused
    target: str | None  # the step or status it would have moved to
    failed_gates: tuple[FailedGate, ...]

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Self:
        # an event stored without its action has always read as the action "None"
        return super().from_json({"action": None, **value})


@dataclass(frozen=True)
class StepSlaBreachedData(JsonRecord):
    type: ClassVar[EventType] = EventType.STEP_SLA_BREACHED
    activation_seq: int
    duration: str
    escalate_to: str | None = None  # the role the step is assigned to as well


@dataclass(frozen=True)
class StepAssignedData(JsonRecord):
    """The work waiting on the workflow (its current step, its submission awaiting approval,
    its failure) is assigned to one user; the event's step_id names the step (none: the
    submission)."""

    type: ClassVar[EventType] = EventType.STEP_ASSIGNED
    assignee_id: str
    previous_assignee_id: str | None = None  # the user it was assigned to until now

    json_omit_none = frozenset({"previous_assignee_id"})


@dataclass(frozen=True)
class StepUnassignedData(JsonRecord):
    """The work waiting on the workflow is no longer assigned to anyone: back to its roles."""

    type: ClassVar[EventType] = EventType.STEP_UNASSIGNED
    previous_assignee_id: str


@dataclass(frozen=True)
class StepFailedData(JsonRecord):
    """A system step failed and its `onFailure` handled it (without one the workflow fails:
    WORKFLOW_FAILED): the workflow went on at `next_step_id` (None: past the last step, it
    awaits validation), or paused. One event, not a failure then a move: the log is appended
    without transactions, and a failure recorded alone would have the step run again."""

    type: ClassVar[EventType] = EventType.STEP_FAILED
    error: StepError
    on_failure: FailureHandling
    next_step_id: str | None = None

    json_omit_none = frozenset({"next_step_id"})


@dataclass(frozen=True)
class StepIterationCompletedData(JsonRecord):
    """One item of a forEach step was carried out (`index` counts from 0): its result, kept
    until the step completes with every result in order. The last item completes the step
    (STEP_COMPLETED) instead."""

    type: ClassVar[EventType] = EventType.STEP_ITERATION_COMPLETED
    index: int
    result: Mapping[str, Any]


@dataclass(frozen=True)
class WorkflowRetriedData(JsonRecord):
    """A FAILED workflow goes on (IN_PROGRESS) at the step it failed at, the event's step_id:
    the step runs again, its data kept (a forEach goes on with the items not yet done)."""

    type: ClassVar[EventType] = EventType.WORKFLOW_RETRIED


EventPayload = (
    WorkflowCreatedData
    | WorkflowStartedData
    | StepCompletedData
    | WorkflowPausedData
    | WorkflowResumedData
    | WorkflowSubmittedData
    | WorkflowApprovedData
    | WorkflowRejectedData
    | StepCompensatedData
    | WorkflowRolledBackData
    | WorkflowFailedData
    | WorkflowCancelledData
    | GateFailedData
    | StepSlaBreachedData
    | StepAssignedData
    | StepUnassignedData
    | StepFailedData
    | StepIterationCompletedData
    | WorkflowRetriedData
)

_PAYLOADS: dict[EventType, Callable[[Mapping[str, Any]], EventPayload]] = {
    payload.type: payload.from_json
    for payload in (
        WorkflowCreatedData,
        WorkflowStartedData,
        StepCompletedData,
        WorkflowPausedData,
        WorkflowResumedData,
        WorkflowSubmittedData,
        WorkflowApprovedData,
        WorkflowRejectedData,
        StepCompensatedData,
        WorkflowRolledBackData,
        WorkflowFailedData,
        WorkflowCancelledData,
        GateFailedData,
        StepSlaBreachedData,
        StepAssignedData,
        StepUnassignedData,
        StepFailedData,
        StepIterationCompletedData,
        WorkflowRetriedData,
    )
}


def payload_from_json(event_type: EventType, value: Mapping[str, Any]) -> EventPayload:
    """The typed payload of a stored event of `event_type` (its `eventData`)."""
    return _PAYLOADS[event_type](value)


@dataclass(frozen=True)
class Event:
    """One entry of an instance's append-only log; `seq` counts from 1 without gaps."""

    instance_id: str
    tenant_id: str
    seq: int
    performed_by: str
    occurred_at: datetime
    payload: EventPayload
    step_id: str | None = None
    correlation_id: str | None = None
    idempotency_key: str | None = None

    @property
    def type(self) -> EventType:
        return self.payload.type

    @property
    def data(self) -> dict[str, Any]:
        """The payload's JSON form (as stored, shown and sent to subscribers)."""
        return self.payload.as_json()


TENANT_CREATED = "tenant.created"


def public_event_name(event_type: EventType) -> str:
    """The name subscribers and triggers use: WORKFLOW_APPROVED -> workflow.approved,
    STEP_COMPLETED -> workflow.step_completed."""
    return "workflow." + event_type.value.removeprefix("WORKFLOW_").lower()


# Every event the platform itself publishes (webhook steps of templates may send others).
PUBLIC_EVENT_NAMES: tuple[str, ...] = (*(public_event_name(t) for t in EventType), TENANT_CREATED)
