"""The state of one workflow instance: what folding its events produces."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from wfm_engine.events import Event
from wfm_engine.status import StepStatus, WorkflowStatus

# How many of its latest events an instance keeps: a dashboard shows a page of workflows
# with their recent activity from the instance documents alone, without reading the log.
RECENT_EVENTS = 5


@dataclass(frozen=True)
class StepState:
    status: StepStatus
    data: Mapping[str, Any] = field(default_factory=dict)
    completed_at: datetime | None = None
    completed_by: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "data": dict(self.data),
            "completedAt": self.completed_at.isoformat() if self.completed_at else None,
            "completedBy": self.completed_by,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> StepState:
        completed = value.get("completedAt")
        return cls(
            status=StepStatus(value["status"]),
            data=dict(value.get("data") or {}),
            completed_at=datetime.fromisoformat(completed) if completed else None,
            completed_by=value.get("completedBy"),
        )


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
    metadata: Mapping[str, Any]
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    # the last RECENT_EVENTS events of the log, oldest first (a projection like the rest)
    recent_events: tuple[Event, ...] = ()

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

    @property
    def path(self) -> list[str]:
        """The steps completed so far, in the order the workflow went through them."""
        return list(self.metadata.get("path", []))

    def last_index(self, step_id: str) -> int | None:
        """Where `step_id` was last completed in the path (a loop may pass a step twice)."""
        path = self.path
        return len(path) - 1 - path[::-1].index(step_id) if step_id in path else None

    @property
    def pending_rollback(self) -> Mapping[str, Any] | None:
        """The rollback under way (steps are being compensated), if any."""
        rollback = self.metadata.get("rollback")
        return rollback if isinstance(rollback, Mapping) else None

    def completed_data(self) -> dict[str, Mapping[str, Any]]:
        return {
            step_id: step.data
            for step_id, step in self.step_states.items()
            if step.status is StepStatus.COMPLETED
        }

    def snapshot(self) -> dict[str, Any]:
        """The part of the state a rollback restores, as JSON."""
        return {
            "currentStepId": self.current_step_id,
            "stepStates": {k: v.as_json() for k, v in self.step_states.items()},
            "variables": dict(self.variables),
            "path": self.path,
        }
