"""System-step runners: one protocol (run) behind every step type the platform carries out
when it becomes the current step (the worker's `run_system_step` job), looked up by step
type in a `SystemStepRunnerRegistry`. Above `template` and `steps`: a run sees the template."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from wfm_engine.conditions import condition_activation
from wfm_engine.definitions import StepDefinition
from wfm_engine.iteration import Iteration
from wfm_engine.state import InstanceState
from wfm_engine.template import WorkflowTemplate


@dataclass(frozen=True)
class SystemStepRun:
    """One attempt at a system step that is the workflow's current step."""

    state: InstanceState
    template: WorkflowTemplate
    step: StepDefinition
    tenant: Mapping[str, Any]  # as conditions see it: id, slug, company_name...
    activation_seq: int
    attempt: int  # 1 on the first attempt (of this item, for a forEach)
    idempotency_key: str  # the same on every attempt at this activation (and item)
    iteration: Iteration | None = None  # the item of a forEach step this run is for

    def expression_context(self) -> dict[str, Any]:
        """What an expression of the step sees: {steps, variables, tenant, trigger, config},
        and the item of a forEach under its name (`forEach.as`, "item" by default)."""
        context = condition_activation(self.state, self.tenant)
        if self.iteration is not None:
            context[self.iteration.name] = self.iteration.item
        return context


@dataclass(frozen=True)
class StepRunOutcome:
    """What running a system step came to: the result the step completes with, or the
    reason the workflow fails."""

    result: Mapping[str, Any] | None = None
    failure: str | None = None

    @classmethod
    def completed(cls, result: Mapping[str, Any]) -> StepRunOutcome:
        return cls(result=result)

    @classmethod
    def failed(cls, reason: str) -> StepRunOutcome:
        return cls(failure=reason)


class SystemStepRunner(Protocol):
    """Carries out a system step when it becomes current (the worker's `run_system_step`
    job), and again on each retry: its effects are idempotent under the run's key. It may
    raise `wfm_shared.retries.RetryLater` to be run again later. The step's handler (same
    `type`, `system = True`) validates its configuration and its result."""

    type: str

    async def run(self, run: SystemStepRun) -> StepRunOutcome: ...


class SystemStepRunnerRegistry:
    """The system step types the worker runs, by name; extensions register their own."""

    def __init__(self, runners: Iterable[SystemStepRunner] = ()) -> None:
        self._runners: dict[str, SystemStepRunner] = {}
        for runner in runners:
            self.register(runner)

    def register(self, runner: SystemStepRunner) -> SystemStepRunner:
        if runner.type in self._runners:
            raise ValueError(f"a runner for step type {runner.type!r} is already registered")
        self._runners[runner.type] = runner
        return runner

    def copy(self) -> SystemStepRunnerRegistry:
        return SystemStepRunnerRegistry(self._runners.values())

    def get(self, step_type: str) -> SystemStepRunner:
        return self._runners[step_type]

    def __contains__(self, step_type: object) -> bool:
        return step_type in self._runners

    def types(self) -> list[str]:
        return sorted(self._runners)
