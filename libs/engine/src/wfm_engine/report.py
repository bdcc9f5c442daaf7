"""The dry run behind `validateWorkflow`: every step's data checked again, and the
submission rules, without deciding or changing anything."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wfm_engine.commands import DecisionContext, WorkflowAction
from wfm_engine.decide import DEFAULT_ENGINE, Engine
from wfm_engine.iteration import result_problems
from wfm_engine.policy import refusal
from wfm_engine.state import InstanceState
from wfm_engine.status import StepStatus
from wfm_engine.template import WorkflowTemplate
from wfm_engine.validators import ValidationContext
from wfm_shared.errors import FieldError


@dataclass(frozen=True)
class StepReport:
    step_id: str
    status: StepStatus
    errors: list[FieldError] = field(default_factory=list)


@dataclass(frozen=True)
class ValidationReport:
    steps: list[StepReport]
    submission_errors: list[FieldError]
    # steps the workflow still has to go through before it can be submitted
    outstanding: list[str]

    @property
    def valid(self) -> bool:
        return (
            not self.outstanding
            and not self.submission_errors
            and not any(s.errors for s in self.steps)
        )


def validation_report(
    state: InstanceState,
    template: WorkflowTemplate,
    ctx: DecisionContext,
    engine: Engine = DEFAULT_ENGINE,
) -> ValidationReport:
    error = refusal(WorkflowAction.VALIDATE, state, template, ctx.principal)
    if error is not None:
        raise error
    steps_data: Mapping[str, Mapping[str, Any]] = state.completed_data()
    reports: list[StepReport] = []
    for step in template.steps:
        recorded = state.step(step.id)
        problems: list[FieldError] = []
        if recorded.status is StepStatus.COMPLETED:
            handler = engine.handlers.get(step.type)
            problems = result_problems(step, handler, recorded.data) or engine.validators.run(
                step.validators,
                ValidationContext(data=recorded.data, steps=steps_data, tenant=ctx.tenant),
            )
        reports.append(
            StepReport(
                step.id,
                recorded.status,
                [FieldError((step.id, *p.path), p.message) for p in problems],
            )
        )
    submission = engine.validators.run(
        template.submission.validators, ValidationContext(steps=steps_data, tenant=ctx.tenant)
    )
    outstanding = [state.current_step_id] if state.current_step_id else []
    return ValidationReport(reports, submission, outstanding)
