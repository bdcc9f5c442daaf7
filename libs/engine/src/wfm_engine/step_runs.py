"""Step runs: what each event does to a workflow's execution record, the projection its
statistics are computed from (`templateStats`).

A run is one activation of a step: it begins with the event that makes the step current
(the activation `evolve` records) and ends when the step completes, fails (its runner, with
or without an `onFailure`, or someone failing the workflow on it), or is left (a rollback, a
cancellation); a completed run that a rollback undoes later is compensated. Running a failed
step again (resuming the pause its failure made, retrying a failed workflow) is a new run. A workflow has at most one run under way,
its current step's. Besides the runs, the record keeps when the workflow started and when
it completed. Adding an event type: say here what it does to the runs (nothing, by default)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from wfm_engine.events import (
    Event,
    StepCompensatedData,
    StepCompletedData,
    StepFailedData,
    StepSlaBreachedData,
    WorkflowApprovedData,
    WorkflowCancelledData,
    WorkflowFailedData,
    WorkflowRejectedData,
    WorkflowResumedData,
    WorkflowRetriedData,
    WorkflowRolledBackData,
    WorkflowStartedData,
)


class RunOutcome(StrEnum):
    COMPLETED = "completed"
    FAILED = "failed"
    COMPENSATED = "compensated"  # completed, then undone by a rollback
    ABANDONED = "abandoned"  # left without completing: a rollback, a cancellation


@dataclass(frozen=True)
class RunBegan:
    """`step_id` became current at `seq`: a new run, and the end (abandoned) of any other
    run still under way."""

    step_id: str
    seq: int
    at: datetime


@dataclass(frozen=True)
class RunEnded:
    """The run under way ends with `outcome`, if it is of `step_id` (None: whichever)."""

    step_id: str | None
    seq: int
    at: datetime
    outcome: RunOutcome


@dataclass(frozen=True)
class FailedRunRepeated:
    """A resume at `seq`: when the workflow's latest run before it ended failed (a step's
    `onFailure: pause`), its step runs again, a new run; after an ordinary pause the run under
    way goes on, and nothing changes. (The resume names no step: the record knows which.)"""

    seq: int
    at: datetime


@dataclass(frozen=True)
class RunCompensated:
    """A rollback undid `step_id`: its latest completed run before `seq` is compensated."""

    step_id: str
    seq: int


@dataclass(frozen=True)
class RunBreachedSla:
    """The run of `step_id` begun at `activation_seq` went past its SLA."""

    step_id: str
    activation_seq: int
    at: datetime


@dataclass(frozen=True)
class WorkflowBegan:
    at: datetime


@dataclass(frozen=True)
class WorkflowCompleted:
    at: datetime


RunChange = (
    RunBegan
    | RunEnded
    | FailedRunRepeated
    | RunCompensated
    | RunBreachedSla
    | WorkflowBegan
    | WorkflowCompleted
)


def run_changes(event: Event) -> tuple[RunChange, ...]:
    """What `event` does to its workflow's runs, in the order to apply them."""
    seq, at = event.seq, event.occurred_at
    match event.payload:
        case WorkflowStartedData(first_step_id=first):
            began = (RunBegan(first, seq, at),) if first else ()
            return (WorkflowBegan(at), *began)
        case StepCompletedData(next_step_id=following):
            assert event.step_id is not None
            ended = RunEnded(event.step_id, seq, at, RunOutcome.COMPLETED)
            return (ended, RunBegan(following, seq, at)) if following else (ended,)
        case StepFailedData(next_step_id=following):
            # its onFailure went on elsewhere (a new run there) or paused the workflow
            assert event.step_id is not None
            ended = RunEnded(event.step_id, seq, at, RunOutcome.FAILED)
            return (ended, RunBegan(following, seq, at)) if following else (ended,)
        case WorkflowResumedData():
            return (FailedRunRepeated(seq, at),)
        case WorkflowRetriedData():
            # the step the workflow failed at runs again
            return (RunBegan(event.step_id, seq, at),) if event.step_id else ()
        case WorkflowRejectedData(to_step_id=target):
            return (RunBegan(target, seq, at),)
        case WorkflowRolledBackData(snapshot=snapshot):
            if snapshot.current_step_id is None:
                return (RunEnded(None, seq, at, RunOutcome.ABANDONED),)
            return (RunBegan(snapshot.current_step_id, seq, at),)
        case WorkflowFailedData(step_id=step_id, rollback=None) if step_id is not None:
            return (RunEnded(step_id, seq, at, RunOutcome.FAILED),)
        case WorkflowFailedData():
            # a compensation that failed, or the workflow failed as a whole: no step failed,
            # and the step under way stays so (only a cancellation can follow)
            return ()
        case WorkflowCancelledData():
            return (RunEnded(None, seq, at, RunOutcome.ABANDONED),)
        case StepCompensatedData():
            assert event.step_id is not None
            return (RunCompensated(event.step_id, seq),)
        case StepSlaBreachedData(activation_seq=activation):
            assert event.step_id is not None
            return (RunBreachedSla(event.step_id, activation, at),)
        case WorkflowApprovedData():
            return (WorkflowCompleted(at),)
        case _:
            return ()
