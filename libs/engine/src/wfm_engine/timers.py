"""Which timers an instance needs: the current step's SLA, an approval's deadline, a delay.
Pure: the projection arms, pauses and cancels the stored timers to match."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from wfm_engine.durations import parse_duration
from wfm_engine.state import InstanceState
from wfm_engine.status import WorkflowStatus
from wfm_engine.template import WorkflowTemplate


@dataclass(frozen=True)
class TimerSpec:
    kind: str  # sla | approval_deadline | delay
    step_id: str | None  # None: the submission's approval
    activation_seq: int
    starts_at: datetime
    duration: timedelta

    @property
    def due_at(self) -> datetime:
        return self.starts_at + self.duration


def wanted_timers(state: InstanceState, template: WorkflowTemplate) -> list[TimerSpec]:
    """The timers running for `state` (while PAUSED they are the same, but stopped)."""
    timers: list[TimerSpec] = []
    activation = state.metadata.get("activation") or {}
    step_id = state.current_step_id
    if (
        state.status in (WorkflowStatus.IN_PROGRESS, WorkflowStatus.PAUSED)
        and step_id
        and activation.get("stepId") == step_id
    ):
        step = template.step(step_id)
        seq, at = int(activation["seq"]), datetime.fromisoformat(activation["at"])
        if step.sla is not None:
            timers.append(TimerSpec("sla", step_id, seq, at, parse_duration(step.sla.duration)))
        deadline = step.config.get("deadline") if step.type == "approval" else None
        if deadline:
            timers.append(
                TimerSpec(
                    "approval_deadline", step_id, seq, at, parse_duration(deadline["duration"])
                )
            )
        if step.type == "delay":
            timers.append(
                TimerSpec("delay", step_id, seq, at, parse_duration(step.config["duration"]))
            )
    deadline_spec = template.submission.approval.deadline
    if state.status is WorkflowStatus.SUBMITTED and deadline_spec is not None:
        submitted_at = datetime.fromisoformat(state.metadata["submittedAt"])
        seq = int(state.metadata.get("submittedSeq", state.version))
        timers.append(
            TimerSpec(
                "approval_deadline", None, seq, submitted_at, parse_duration(deadline_spec.duration)
            )
        )
    return timers


def timers_paused(state: InstanceState) -> bool:
    return state.status is WorkflowStatus.PAUSED
