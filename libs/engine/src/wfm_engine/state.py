"""The state of one workflow instance: what folding its events produces.

What the workflow went through besides its steps (the activation of the current step,
the pinned configuration, the submission, the pending rollback, the last failure...) is
held in typed fields. Stored, they are the document's `state.metadata` object, written
and read here only (`metadata_json`, `with_metadata`); a document written before a field
existed reads as that field's default. Each part of it is a record whose JSON form
`JsonRecord` (wfm_engine.records) derives from its fields: a key per field in camelCase,
in the order of the fields; the submission and the approval are stored flat in the
metadata under keys of their own (`json_keys`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Self

from wfm_engine.events import Event, FailedGate, PendingRollback, Snapshot
from wfm_engine.options import WorkflowConfig
from wfm_engine.records import JsonRecord
from wfm_engine.status import StepStatus, WorkflowStatus
from wfm_engine.step_state import StepState

__all__ = [
    "RECENT_EVENTS",
    "Activation",
    "Approved",
    "Assignment",
    "Cancelled",
    "Failed",
    "GateRefused",
    "InstanceState",
    "Paused",
    "Rejected",
    "RolledBack",
    "SlaBreached",
    "StepIteration",
    "StepState",
    "Submitted",
]

# How many of its latest events an instance keeps: a dashboard shows a page of workflows
# with their recent activity from the instance documents alone, without reading the log.
RECENT_EVENTS = 5


def _at(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


@dataclass(frozen=True)
class Activation(JsonRecord):
    """When the current step began (its SLA, deadline or delay counts from here): the
    step, and the seq of the event that entered it."""

    step_id: str
    seq: int
    at: datetime


@dataclass(frozen=True)
class Paused(JsonRecord):
    by: str
    at: datetime
    reason: str | None
    # paused because this step failed (`onFailure: pause`): resuming runs it again
    failed_step_id: str | None = None

    json_omit_none = frozenset({"failed_step_id"})


@dataclass(frozen=True)
class Cancelled(JsonRecord):
    by: str
    at: datetime
    reason: str | None


@dataclass(frozen=True)
class Submitted(JsonRecord):
    by: str
    at: datetime
    seq: int | None  # None: a document written before the seq was kept

    json_keys = {"by": "submittedBy", "at": "submittedAt", "seq": "submittedSeq"}
    json_omit_none = frozenset({"seq"})


@dataclass(frozen=True)
class Approved(JsonRecord):
    by: str
    at: datetime
    comment: str | None
    contract_reference: str | None

    json_keys = {"by": "approvedBy", "at": "approvedAt", "comment": "approvalComment"}


@dataclass(frozen=True)
class Rejected(JsonRecord):
    by: str
    at: datetime
    reason: str
    to_step_id: str


@dataclass(frozen=True)
class RolledBack(JsonRecord):
    by: str
    at: datetime
    to_step_id: str
    restored_seq: int


@dataclass(frozen=True)
class Failed(JsonRecord):
    by: str
    at: datetime
    reason: str
    step_id: str | None  # the step that failed (its runner, its compensation), if one did


@dataclass(frozen=True)
class SlaBreached(JsonRecord):
    by: str
    at: datetime
    step_id: str
    escalate_to: str | None


@dataclass(frozen=True)
class Assignment(JsonRecord):
    """The work waiting on the workflow, assigned to one user (`user_id`) by `by`: the
    current step, or the submission awaiting approval (`step_id` None), or the failure. It
    lapses when that work is done or left (see `evolve`)."""

    user_id: str
    by: str
    at: datetime
    step_id: str | None


@dataclass(frozen=True)
class GateRefused(JsonRecord):
    by: str
    at: datetime
    action: str
    failed_gates: tuple[FailedGate, ...]

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Self:
        # a refusal stored without its action has always read as the action "None"
        return super().from_json({"action": None, **value})


@dataclass(frozen=True)
class StepIteration:
    """Where the run of a forEach step stands: the results of its items done so far, in
    order (the next item is the one at `len(results)`)."""

    step_id: str
    results: tuple[Mapping[str, Any], ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"stepId": self.step_id, "results": [dict(r) for r in self.results]}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> StepIteration:
        return cls(str(value["stepId"]), tuple(dict(r) for r in value.get("results") or ()))


@dataclass(frozen=True)
class InstanceState:
    id: str
    tenant_id: str
    template_id: str
    template_key: str
    template_version: int
    market_role: str
    status: WorkflowStatus
    current_step_id: str | None
    step_states: Mapping[str, StepState]
    variables: Mapping[str, Any]
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    # the last RECENT_EVENTS events of the log, oldest first (a projection like the rest)
    recent_events: tuple[Event, ...] = ()
    # the steps completed so far, in the order the workflow went through them
    path: tuple[str, ...] = ()
    trigger: Mapping[str, Any] = field(default_factory=dict)
    config: WorkflowConfig = field(default_factory=WorkflowConfig)
    activation: Activation | None = None
    # steps an SLA breach escalated: the role that may now execute them as well
    assignments: Mapping[str, str] = field(default_factory=dict)
    # the user the waiting work is assigned to (claimed, or assigned by a supervisor)
    assignment: Assignment | None = None
    sla_breaches: tuple[SlaBreached, ...] = ()
    pause: Paused | None = None  # while PAUSED
    resumed_at: datetime | None = None
    submission: Submitted | None = None
    approval: Approved | None = None
    last_rejection: Rejected | None = None
    pending_rollback: PendingRollback | None = None  # steps are being compensated
    last_rollback: RolledBack | None = None
    failure: Failed | None = None
    cancellation: Cancelled | None = None
    last_gate_failure: GateRefused | None = None
    iteration: StepIteration | None = None  # a forEach step under way

    def latest_events(self, count: int) -> tuple[Event, ...] | None:
        """The `count` latest events of the log, when this state holds them all (None: read
        the log). A document written before instances kept their events holds none."""
        held = self.recent_events
        wanted = min(count, self.version)
        if len(held) < wanted or not held or held[-1].seq != self.version:
            return None
        tail = held[len(held) - wanted :] if wanted else ()
        if [e.seq for e in tail] != list(range(self.version - wanted + 1, self.version + 1)):
            return None
        return tuple(tail)

    def step(self, step_id: str) -> StepState:
        return self.step_states.get(step_id, StepState(StepStatus.PENDING))

    def last_index(self, step_id: str) -> int | None:
        """Where `step_id` was last completed in the path (a loop may pass a step twice)."""
        path = self.path
        return len(path) - 1 - path[::-1].index(step_id) if step_id in path else None

    @property
    def running_activation(self) -> Activation | None:
        """The activation of the current step while the workflow runs it (PAUSED: the same
        activation, stopped)."""
        activation = self.activation
        if (
            self.status in (WorkflowStatus.IN_PROGRESS, WorkflowStatus.PAUSED)
            and activation is not None
            and self.current_step_id is not None
            and activation.step_id == self.current_step_id
        ):
            return activation
        return None

    def is_current(self, step_id: str | None, activation_seq: int) -> bool:
        """Whether what began at `activation_seq` still runs, undisturbed: the step
        `step_id` (IN_PROGRESS, not left or entered again since), or, for None, the
        submission awaiting its approval (not decided and not submitted again)."""
        if step_id is None:
            return (
                self.status is WorkflowStatus.SUBMITTED
                and self.submission is not None
                and self.submission.seq == activation_seq
            )
        running = self.running_activation
        return (
            self.status is WorkflowStatus.IN_PROGRESS
            and running is not None
            and running.step_id == step_id
            and running.seq == activation_seq
        )

    def completed_data(self) -> dict[str, Mapping[str, Any]]:
        return {
            step_id: step.data
            for step_id, step in self.step_states.items()
            if step.status is StepStatus.COMPLETED
        }

    def snapshot(self) -> Snapshot:
        """The part of the state a rollback restores."""
        return Snapshot(
            self.current_step_id, dict(self.step_states), dict(self.variables), self.path
        )

    # -- the stored form of the typed fields: the document's `state.metadata` -------------

    def metadata_json(self) -> dict[str, Any]:
        value: dict[str, Any] = {
            "path": list(self.path),
            "trigger": dict(self.trigger),
            "config": self.config.as_json(),
        }
        if self.activation is not None:
            value["activation"] = self.activation.as_json()
        if self.pause is not None:
            value["pause"] = self.pause.as_json()
        if self.resumed_at is not None:
            value["resumedAt"] = self.resumed_at.isoformat()
        if self.sla_breaches:
            value["slaBreaches"] = [b.as_json() for b in self.sla_breaches]
        # kept once a breach escalated a step, empty when those steps are done
        if self.assignments or any(b.escalate_to for b in self.sla_breaches):
            value["assignments"] = dict(self.assignments)
        if self.assignment is not None:
            value["assignment"] = self.assignment.as_json()
        if self.last_gate_failure is not None:
            value["lastGateFailure"] = self.last_gate_failure.as_json()
        if self.submission is not None:
            value.update(self.submission.as_json())
        if self.last_rejection is not None:
            value["lastRejection"] = self.last_rejection.as_json()
        if self.approval is not None:
            value.update(self.approval.as_json())
        if self.pending_rollback is not None:
            value["rollback"] = self.pending_rollback.as_json()
        if self.last_rollback is not None:
            value["lastRollback"] = self.last_rollback.as_json()
        if self.failure is not None:
            value["failure"] = self.failure.as_json()
        if self.cancellation is not None:
            value["cancellation"] = self.cancellation.as_json()
        if self.iteration is not None:
            value["iteration"] = self.iteration.as_json()
        return value

    def with_metadata(self, value: Mapping[str, Any]) -> InstanceState:
        """This state with the typed fields read from their stored form (`metadata_json`)."""

        def part(key: str) -> Mapping[str, Any] | None:
            found = value.get(key)
            return found if isinstance(found, Mapping) and found else None

        activation, pause, rejection = part("activation"), part("pause"), part("lastRejection")
        rollback, last_rollback, failure = part("rollback"), part("lastRollback"), part("failure")
        cancellation, gate = part("cancellation"), part("lastGateFailure")
        assignment, iteration = part("assignment"), part("iteration")
        resumed = value.get("resumedAt")
        return replace(
            self,
            path=tuple(value.get("path") or ()),
            trigger=dict(value.get("trigger") or {}),
            config=WorkflowConfig.from_json(value.get("config")),
            activation=Activation.from_json(activation) if activation else None,
            assignments={str(k): str(v) for k, v in (value.get("assignments") or {}).items()},
            sla_breaches=tuple(SlaBreached.from_json(b) for b in value.get("slaBreaches") or ()),
            assignment=Assignment.from_json(assignment) if assignment else None,
            pause=Paused.from_json(pause) if pause else None,
            resumed_at=_at(resumed) if resumed else None,
            submission=Submitted.from_json(value) if "submittedBy" in value else None,
            approval=Approved.from_json(value) if "approvedBy" in value else None,
            last_rejection=Rejected.from_json(rejection) if rejection else None,
            pending_rollback=PendingRollback.from_json(rollback) if rollback else None,
            last_rollback=RolledBack.from_json(last_rollback) if last_rollback else None,
            failure=Failed.from_json(failure) if failure else None,
            cancellation=Cancelled.from_json(cancellation) if cancellation else None,
            last_gate_failure=GateRefused.from_json(gate) if gate else None,
            iteration=StepIteration.from_json(iteration) if iteration else None,
        )
