"""Commands: what a user (or the system) asks of a workflow instance."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from wfm_engine.events import Event
from wfm_engine.gates import GateResult
from wfm_shared.principal import Principal


class WorkflowAction(StrEnum):
    START = "START"
    PAUSE = "PAUSE"
    RESUME = "RESUME"
    EXECUTE_STEP = "EXECUTE_STEP"
    VALIDATE = "VALIDATE"
    SUBMIT = "SUBMIT"
    APPROVE = "APPROVE"
    REJECT = "REJECT"
    ROLLBACK = "ROLLBACK"
    FAIL = "FAIL"
    CANCEL = "CANCEL"
    RETRY = "RETRY"


@dataclass(frozen=True)
class CreateWorkflow:
    instance_id: str
    tenant_id: str
    market_role: str
    template_id: str
    # what started it (a user, a schedule, an event), kept for conditions and audit
    trigger: Mapping[str, Any] = field(default_factory=dict)
    # the flags and settings resolved for the tenant (WorkflowConfig.as_json()), pinned
    config: Mapping[str, Any] = field(default_factory=dict)
    # the variables it starts with (a trigger's input mapped into them)
    variables: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StartWorkflow:
    pass


@dataclass(frozen=True)
class PauseWorkflow:
    reason: str | None = None


@dataclass(frozen=True)
class ResumeWorkflow:
    pass


@dataclass(frozen=True)
class ExecuteStep:
    step_id: str
    data: Mapping[str, Any]


@dataclass(frozen=True)
class SubmitWorkflow:
    pass


@dataclass(frozen=True)
class ApproveWorkflow:
    comment: str | None = None


@dataclass(frozen=True)
class RejectWorkflow:
    reason: str
    to_step_id: str | None = None


@dataclass(frozen=True)
class FailWorkflow:
    reason: str
    step_id: str | None = None  # the current step, when it is what failed (its runner)


@dataclass(frozen=True)
class FailStep:
    """The platform could not carry out the current system step (its runner gave up, after
    its retries): the step's `onFailure` says what follows, else the workflow fails."""

    step_id: str
    reason: str
    attempts: int = 1


@dataclass(frozen=True)
class RecordIteration:
    """An item of the current forEach step was carried out, with this result (the last
    item completes the step instead: ExecuteStep with every result)."""

    step_id: str
    index: int
    result: Mapping[str, Any]


@dataclass(frozen=True)
class RetryWorkflow:
    """A FAILED workflow goes on at the step it failed at, which runs again."""


@dataclass(frozen=True)
class CancelWorkflow:
    reason: str | None = None


@dataclass(frozen=True)
class CompensateStep:
    """One step of a rollback saga: `step_id`'s effect was undone, with this result."""

    step_id: str
    to_step_id: str
    result: Mapping[str, Any]


@dataclass(frozen=True)
class CompensationFailure:
    """A compensation of the rollback saga failed: the workflow fails, the rollback stays
    pending so that a retry continues where it stopped."""

    step_id: str
    to_step_id: str
    reason: str


@dataclass(frozen=True)
class RecordSlaBreach:
    """The platform's clock found the current step past its SLA (issued by the worker)."""

    step_id: str
    activation_seq: int


@dataclass(frozen=True)
class AssignWork:
    """Assign the work waiting on the workflow to `assignee` (the user, as a principal: who
    they are decides whether they may act on it); to the asking user: a claim."""

    assignee: Principal


@dataclass(frozen=True)
class ReleaseWork:
    """The waiting work is no longer assigned to anyone: back to its roles."""


@dataclass(frozen=True)
class FinishRollback:
    to_step_id: str
    history: Sequence[Event]


InstanceCommand = (
    StartWorkflow
    | PauseWorkflow
    | ResumeWorkflow
    | ExecuteStep
    | SubmitWorkflow
    | ApproveWorkflow
    | RejectWorkflow
    | FailWorkflow
    | FailStep
    | RecordIteration
    | RetryWorkflow
    | CancelWorkflow
    | CompensateStep
    | CompensationFailure
    | FinishRollback
    | RecordSlaBreach
    | AssignWork
    | ReleaseWork
)
Command = CreateWorkflow | InstanceCommand


@dataclass(frozen=True)
class DecisionContext:
    """Everything a decision may depend on besides the state, passed in so `decide` stays pure."""

    principal: Principal
    now: datetime
    tenant: Mapping[str, Any] = field(default_factory=dict)
    correlation_id: str | None = None
    idempotency_key: str | None = None
    expected_version: int | None = None
    gate_results: Mapping[str, GateResult] = field(default_factory=dict)
