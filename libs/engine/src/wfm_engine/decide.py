"""`decide(state, command, template, context) -> [events]`: pure; raises a typed error instead."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wfm_engine.commands import (
    ApproveWorkflow,
    Command,
    CreateWorkflow,
    DecisionContext,
    ExecuteStep,
    RejectWorkflow,
    StartWorkflow,
    SubmitWorkflow,
    WorkflowAction,
)
from wfm_engine.events import Event, EventType
from wfm_engine.policy import can_see, refusal
from wfm_engine.state import InstanceState
from wfm_engine.status import MARKET_ROLES, StepStatus
from wfm_engine.template import WorkflowTemplate
from wfm_engine.validators import VALIDATORS, ValidationContext, ValidatorRegistry
from wfm_shared.errors import Conflict, FieldError, Forbidden, InvalidTransition, ValidationFailed

MAX_REASON_LENGTH = 2000


def decide(
    state: InstanceState | None,
    command: Command,
    template: WorkflowTemplate,
    ctx: DecisionContext,
    validators: ValidatorRegistry = VALIDATORS,
) -> list[Event]:
    if isinstance(command, CreateWorkflow):
        if state is not None:
            raise InvalidTransition("the workflow exists already", action="CREATE")
        return [_create(command, template, ctx)]
    if state is None:
        raise InvalidTransition("the workflow has not been created", action="CREATE")
    if command.expected_version is not None and command.expected_version != state.version:
        raise Conflict(
            f"workflow {state.id} is at version {state.version}, not {command.expected_version}"
        )
    match command:
        case StartWorkflow():
            _check(WorkflowAction.START, state, template, ctx)
            return [
                _event(
                    state,
                    ctx,
                    EventType.WORKFLOW_STARTED,
                    data={"firstStepId": template.first_step.id},
                )
            ]
        case ExecuteStep():
            return [_execute_step(state, command, template, ctx, validators)]
        case SubmitWorkflow():
            _check(WorkflowAction.SUBMIT, state, template, ctx)
            problems = validators.run(
                template.submission.validators,
                ValidationContext(steps=_steps_data(state), tenant=ctx.tenant),
            )
            if problems:
                raise ValidationFailed("the workflow cannot be submitted", problems)
            return [_event(state, ctx, EventType.WORKFLOW_SUBMITTED)]
        case ApproveWorkflow():
            _check(WorkflowAction.APPROVE, state, template, ctx)
            reference = f"{state.market_role}-{ctx.now:%Y}-{state.id[:8].upper()}"
            data = {"comment": command.comment, "contractReference": reference}
            return [_event(state, ctx, EventType.WORKFLOW_APPROVED, data=data)]
        case RejectWorkflow():
            return [_reject(state, command, template, ctx)]
    raise TypeError(f"unknown command {command!r}")  # pragma: no cover


def _check(
    action: WorkflowAction,
    state: InstanceState,
    template: WorkflowTemplate,
    ctx: DecisionContext,
    step_id: str | None = None,
) -> None:
    error = refusal(action, state, template, ctx.principal, step_id)
    if error is not None:
        raise error


def _create(command: CreateWorkflow, template: WorkflowTemplate, ctx: DecisionContext) -> Event:
    if not can_see(ctx.principal, command.tenant_id):
        raise Forbidden("you may only create workflows for your own organisation")
    if command.market_role not in MARKET_ROLES:
        raise ValidationFailed(
            "unknown market role",
            [FieldError(("marketRole",), f"must be one of {', '.join(MARKET_ROLES)}")],
        )
    if template.market_role is not None and template.market_role != command.market_role:
        raise ValidationFailed(
            "template does not apply to this market role",
            [FieldError(("templateKey",), f"{template.key} is for {template.market_role}")],
        )
    return Event(
        instance_id=command.instance_id,
        tenant_id=command.tenant_id,
        seq=1,
        type=EventType.WORKFLOW_CREATED,
        performed_by=str(ctx.principal.user_id),
        occurred_at=ctx.now,
        data={
            "templateId": command.template_id,
            "templateKey": template.key,
            "templateVersion": template.version,
            "marketRole": command.market_role,
        },
        correlation_id=ctx.correlation_id,
        idempotency_key=ctx.idempotency_key,
    )


def _execute_step(
    state: InstanceState,
    command: ExecuteStep,
    template: WorkflowTemplate,
    ctx: DecisionContext,
    validators: ValidatorRegistry,
) -> Event:
    _check(WorkflowAction.EXECUTE_STEP, state, template, ctx, command.step_id)
    step = template.step(command.step_id)
    data = dict(command.data)
    problems = step.form().errors(data)
    if not problems:
        steps = {**_steps_data(state), step.id: data}
        problems = validators.run(
            step.validators, ValidationContext(data=data, steps=steps, tenant=ctx.tenant)
        )
    if problems:
        raise ValidationFailed(f"the data of step {step.id!r} is invalid", problems)
    return _event(
        state,
        ctx,
        EventType.STEP_COMPLETED,
        step_id=step.id,
        data={"data": data, "nextStepId": template.successor(step.id)},
    )


def _reject(
    state: InstanceState, command: RejectWorkflow, template: WorkflowTemplate, ctx: DecisionContext
) -> Event:
    _check(WorkflowAction.REJECT, state, template, ctx)
    reason = command.reason.strip()
    if not reason or len(reason) > MAX_REASON_LENGTH:
        raise ValidationFailed(
            "a rejection needs a reason",
            [FieldError(("reason",), f"must be 1 to {MAX_REASON_LENGTH} characters")],
        )
    path: list[str] = list(state.metadata.get("path", []))
    target = command.to_step_id or (path[-1] if path else template.steps[-1].id)
    if target not in path or state.step(target).status is not StepStatus.COMPLETED:
        raise ValidationFailed(
            "the workflow can only be sent back to a completed step",
            [FieldError(("toStepId",), f"{target!r} is not a completed step")],
        )
    return _event(
        state, ctx, EventType.WORKFLOW_REJECTED, data={"reason": reason, "toStepId": target}
    )


def _steps_data(state: InstanceState) -> dict[str, Mapping[str, Any]]:
    return {
        step_id: step.data
        for step_id, step in state.step_states.items()
        if step.status is StepStatus.COMPLETED
    }


def _event(
    state: InstanceState,
    ctx: DecisionContext,
    type_: EventType,
    *,
    step_id: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> Event:
    return Event(
        instance_id=state.id,
        tenant_id=state.tenant_id,
        seq=state.version + 1,
        type=type_,
        performed_by=str(ctx.principal.user_id),
        occurred_at=ctx.now,
        step_id=step_id,
        data=data or {},
        correlation_id=ctx.correlation_id,
        idempotency_key=ctx.idempotency_key,
    )
