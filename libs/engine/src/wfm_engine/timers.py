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
    activation = state.running_activation
    if activation is not None:
        step_id, seq, at = activation.step_id, activation.seq, activation.at
        step = template.step(step_id)
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
    submission = state.submission
    if (
        state.status is WorkflowStatus.SUBMITTED
        and deadline_spec is not None
        and submission is not None
    ):
        # a document written before the seq was kept: the submission was its last event
        seq = submission.seq if submission.seq is not None else state.version
        timers.append(
            TimerSpec(
                "approval_deadline",
                None,
                seq,
                submission.at,
                parse_duration(deadline_spec.duration),
            )
        )
    return timers


def timers_paused(state: InstanceState) -> bool:
    return state.status is WorkflowStatus.PAUSED
