"""Events: small immutable records of what happened to a workflow instance.

Each event type has a typed payload, built by `decide` and read by `evolve`. A payload
knows its JSON form (`as_json`, `from_json`): the `eventData` of the stored log, the
`eventData` GraphQL shows and the `data` of webhook messages. The JSON form is the log's
format: `from_json` reads every event ever written, so a change to a payload keeps
reading the old shape. Adding an event type: an EventType member, its payload class
here (listed in EventPayload and _PAYLOADS), a case in `evolve`, and a `decide` that
builds it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from wfm_engine.options import WorkflowConfig
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


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


# -- parts of payloads ----------------------------------------------------------------------


@dataclass(frozen=True)
class PendingRollback:
    """A rollback under way: the step it returns to, and the status the workflow resumes in."""

    to_step_id: str
    resume_status: WorkflowStatus

    def as_json(self) -> dict[str, Any]:
        return {"toStepId": self.to_step_id, "resumeStatus": self.resume_status.value}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> PendingRollback:
        return cls(str(value["toStepId"]), WorkflowStatus(value["resumeStatus"]))


@dataclass(frozen=True)
class Snapshot:
    """The part of an instance's state a rollback restores."""

    current_step_id: str | None
    step_states: Mapping[str, StepState]
    variables: Mapping[str, Any]
    path: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "currentStepId": self.current_step_id,
            "stepStates": {k: v.as_json() for k, v in self.step_states.items()},
            "variables": dict(self.variables),
            "path": list(self.path),
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Snapshot:
        return cls(
            current_step_id=_text(value.get("currentStepId")),
            step_states={k: StepState.from_json(v) for k, v in value["stepStates"].items()},
            variables=dict(value.get("variables") or {}),
            path=tuple(value.get("path") or ()),
        )


@dataclass(frozen=True)
class FailedGate:
    gate: str
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"gate": self.gate, "passed": False, "reason": self.reason}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> FailedGate:
        return cls(str(value["gate"]), _text(value.get("reason")))


# -- one payload per event type ---------------------------------------------------------------


@dataclass(frozen=True)
class WorkflowCreatedData:
    type: ClassVar[EventType] = EventType.WORKFLOW_CREATED
    template_id: str
    template_key: str
    template_version: int
    market_role: str
    # what started the workflow: {type: user, userId} | {type: schedule | event, ...}
    trigger: Mapping[str, Any] = field(default_factory=dict)
    config: WorkflowConfig = field(default_factory=WorkflowConfig)  # pinned for its lifetime

    def as_json(self) -> dict[str, Any]:
        return {
            "templateId": self.template_id,
            "templateKey": self.template_key,
            "templateVersion": self.template_version,
            "marketRole": self.market_role,
            "trigger": dict(self.trigger),
            "config": self.config.as_json(),
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> WorkflowCreatedData:
        return cls(
            template_id=str(value["templateId"]),
            template_key=str(value["templateKey"]),
            template_version=int(value["templateVersion"]),
            market_role=str(value["marketRole"]),
            trigger=dict(value.get("trigger") or {}),
            config=WorkflowConfig.from_json(value.get("config")),
        )


@dataclass(frozen=True)
class WorkflowStartedData:
    type: ClassVar[EventType] = EventType.WORKFLOW_STARTED
    first_step_id: str | None

    def as_json(self) -> dict[str, Any]:
        return {"firstStepId": self.first_step_id}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> WorkflowStartedData:
        return cls(_text(value.get("firstStepId")))


@dataclass(frozen=True)
class StepCompletedData:
    type: ClassVar[EventType] = EventType.STEP_COMPLETED
    data: Mapping[str, Any]
    variables: Mapping[str, Any] = field(default_factory=dict)
    next_step_id: str | None = None  # None: the last step, the workflow awaits validation

    def as_json(self) -> dict[str, Any]:
        return {
            "data": dict(self.data),
            "variables": dict(self.variables),
            "nextStepId": self.next_step_id,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> StepCompletedData:
        return cls(
            data=dict(value.get("data") or {}),
            variables=dict(value.get("variables") or {}),
            next_step_id=_text(value.get("nextStepId")) or None,
        )


@dataclass(frozen=True)
class WorkflowPausedData:
    type: ClassVar[EventType] = EventType.WORKFLOW_PAUSED
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"reason": self.reason}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> WorkflowPausedData:
        return cls(_text(value.get("reason")))


@dataclass(frozen=True)
class WorkflowResumedData:
    type: ClassVar[EventType] = EventType.WORKFLOW_RESUMED

    def as_json(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> WorkflowResumedData:
        return cls()


@dataclass(frozen=True)
class WorkflowSubmittedData:
    type: ClassVar[EventType] = EventType.WORKFLOW_SUBMITTED

    def as_json(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> WorkflowSubmittedData:
        return cls()


@dataclass(frozen=True)
class WorkflowApprovedData:
    type: ClassVar[EventType] = EventType.WORKFLOW_APPROVED
    contract_reference: str | None
    comment: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"comment": self.comment, "contractReference": self.contract_reference}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> WorkflowApprovedData:
        return cls(_text(value.get("contractReference")), _text(value.get("comment")))


@dataclass(frozen=True)
class WorkflowRejectedData:
    type: ClassVar[EventType] = EventType.WORKFLOW_REJECTED
    reason: str
    to_step_id: str

    def as_json(self) -> dict[str, Any]:
        return {"reason": self.reason, "toStepId": self.to_step_id}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> WorkflowRejectedData:
        return cls(str(value["reason"]), str(value["toStepId"]))


@dataclass(frozen=True)
class StepCompensatedData:
    type: ClassVar[EventType] = EventType.STEP_COMPENSATED
    # what the step handler's compensation returned (an api_call's request to send, ...)
    compensation: Mapping[str, Any]
    rollback: PendingRollback

    def as_json(self) -> dict[str, Any]:
        return {"compensation": dict(self.compensation), "rollback": self.rollback.as_json()}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> StepCompensatedData:
        return cls(
            dict(value.get("compensation") or {}), PendingRollback.from_json(value["rollback"])
        )


@dataclass(frozen=True)
class WorkflowRolledBackData:
    type: ClassVar[EventType] = EventType.WORKFLOW_ROLLED_BACK
    to_step_id: str
    restored_seq: int  # the STEP_COMPLETED of `to_step_id` whose state is restored
    status: WorkflowStatus
    snapshot: Snapshot

    def as_json(self) -> dict[str, Any]:
        return {
            "toStepId": self.to_step_id,
            "restoredSeq": self.restored_seq,
            "status": self.status.value,
            "snapshot": self.snapshot.as_json(),
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> WorkflowRolledBackData:
        return cls(
            to_step_id=str(value["toStepId"]),
            restored_seq=int(value["restoredSeq"]),
            status=WorkflowStatus(value["status"]),
            snapshot=Snapshot.from_json(value["snapshot"]),
        )


@dataclass(frozen=True)
class WorkflowFailedData:
    type: ClassVar[EventType] = EventType.WORKFLOW_FAILED
    reason: str
    # a compensation that failed: its step, and the rollback that stays pending
    step_id: str | None = None
    rollback: PendingRollback | None = None

    def as_json(self) -> dict[str, Any]:
        value: dict[str, Any] = {"reason": self.reason}
        if self.step_id is not None:
            value["stepId"] = self.step_id
        if self.rollback is not None:
            value["rollback"] = self.rollback.as_json()
        return value

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> WorkflowFailedData:
        rollback = value.get("rollback")
        return cls(
            reason=str(value["reason"]),
            step_id=_text(value.get("stepId")),
            rollback=PendingRollback.from_json(rollback) if rollback else None,
        )


@dataclass(frozen=True)
class WorkflowCancelledData:
    type: ClassVar[EventType] = EventType.WORKFLOW_CANCELLED
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"reason": self.reason}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> WorkflowCancelledData:
        return cls(_text(value.get("reason")))


@dataclass(frozen=True)
class GateFailedData:
    type: ClassVar[EventType] = EventType.GATE_FAILED
    action: str  # the WorkflowAction refused
    target: str | None  # the step or status it would have moved to
    failed_gates: tuple[FailedGate, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "target": self.target,
            "failedGates": [g.as_json() for g in self.failed_gates],
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> GateFailedData:
        return cls(
            action=str(value.get("action")),
            target=_text(value.get("target")),
            failed_gates=tuple(FailedGate.from_json(g) for g in value.get("failedGates") or ()),
        )


@dataclass(frozen=True)
class StepSlaBreachedData:
    type: ClassVar[EventType] = EventType.STEP_SLA_BREACHED
    activation_seq: int
    duration: str
    escalate_to: str | None = None  # the role the step is assigned to as well

    def as_json(self) -> dict[str, Any]:
        return {
            "activationSeq": self.activation_seq,
            "duration": self.duration,
            "escalateTo": self.escalate_to,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> StepSlaBreachedData:
        return cls(
            int(value["activationSeq"]), str(value["duration"]), _text(value.get("escalateTo"))
        )


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
