"""Who may do what, in which status: the rules behind `decide` and `allowed_actions`."""

from __future__ import annotations

import uuid
from typing import Any

from wfm_engine.commands import WorkflowAction
from wfm_engine.options import step_enabled
from wfm_engine.state import InstanceState
from wfm_engine.status import StepStatus, WorkflowStatus
from wfm_engine.steps import STEP_HANDLERS, StepHandlerRegistry
from wfm_engine.template import StepDefinition, WorkflowTemplate
from wfm_shared.authorization import Permission, permitted, roles_with
from wfm_shared.errors import Forbidden, InvalidTransition, NotFound, WfmError
from wfm_shared.principal import Principal

S = WorkflowStatus
A = WorkflowAction

ALLOWED_FROM: dict[WorkflowAction, frozenset[WorkflowStatus]] = {
    A.START: frozenset({S.DRAFT}),
    A.PAUSE: frozenset({S.IN_PROGRESS}),
    A.RESUME: frozenset({S.PAUSED, S.ROLLED_BACK}),
    A.EXECUTE_STEP: frozenset({S.IN_PROGRESS}),
    A.VALIDATE: frozenset(
        {S.IN_PROGRESS, S.PAUSED, S.AWAITING_VALIDATION, S.SUBMITTED, S.ROLLED_BACK}
    ),
    A.SUBMIT: frozenset({S.AWAITING_VALIDATION}),
    A.APPROVE: frozenset({S.SUBMITTED}),
    A.REJECT: frozenset({S.SUBMITTED}),
    # AWAITING_VALIDATION too: a submission refused (a gate, a validator) is corrected so
    A.ROLLBACK: frozenset({S.IN_PROGRESS, S.PAUSED, S.AWAITING_VALIDATION}),
    A.FAIL: frozenset(
        {S.DRAFT, S.IN_PROGRESS, S.PAUSED, S.AWAITING_VALIDATION, S.SUBMITTED, S.ROLLED_BACK}
    ),
    A.CANCEL: frozenset(
        {
            S.DRAFT,
            S.IN_PROGRESS,
            S.PAUSED,
            S.AWAITING_VALIDATION,
            S.SUBMITTED,
            S.ROLLED_BACK,
            S.FAILED,
        }
    ),
    A.RETRY: frozenset({S.FAILED}),
}

# The permission each action asks for (the roles holding it: wfm_shared.authorization);
# approving and rejecting ask for the template's approval roles instead.
ACTION_PERMISSIONS: dict[WorkflowAction, Permission] = {
    A.START: Permission.WORKFLOWS_EXECUTE,
    A.PAUSE: Permission.WORKFLOWS_EXECUTE,
    A.RESUME: Permission.WORKFLOWS_EXECUTE,
    A.EXECUTE_STEP: Permission.WORKFLOWS_EXECUTE,
    A.VALIDATE: Permission.WORKFLOWS_EXECUTE,
    A.SUBMIT: Permission.WORKFLOWS_EXECUTE,
    A.APPROVE: Permission.WORKFLOWS_APPROVE,
    A.REJECT: Permission.WORKFLOWS_APPROVE,
    A.ROLLBACK: Permission.WORKFLOWS_ROLLBACK,
    A.FAIL: Permission.WORKFLOWS_FAIL,
    A.CANCEL: Permission.WORKFLOWS_EXECUTE,
    A.RETRY: Permission.WORKFLOWS_RETRY,
}

# While a rollback is under way, only these may happen.
DURING_ROLLBACK = frozenset({A.ROLLBACK, A.FAIL, A.CANCEL, A.VALIDATE})

# The actions that do the work waiting on a workflow: while it is assigned to someone, only
# that user and who may assign work (their supervisors) take them.
DOING_THE_WORK = frozenset({A.EXECUTE_STEP, A.APPROVE, A.REJECT})


class AssignedToAnother(Forbidden):
    """The work is assigned to another user: only they, or a supervisor, may do it."""

    def __init__(self, message: str, assignee_id: str) -> None:
        super().__init__(message)
        self.assignee_id = assignee_id

    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, "assigneeId": self.assignee_id}


def supervises(principal: Principal, state: InstanceState) -> bool:
    """Whether `principal` may assign the workflow's work, and so act on it whoever holds it:
    market operations, and the tenant's administrators (`work.assign`)."""
    return permitted(principal, Permission.WORK_ASSIGN, tenant_id=uuid.UUID(state.tenant_id))


def assignment_refusal(
    action: WorkflowAction, state: InstanceState, principal: Principal
) -> Forbidden | None:
    """Why `principal` may not take `action` on work assigned to someone else, or None."""
    assignment = state.assignment
    if (
        action not in DOING_THE_WORK
        or assignment is None
        or assignment.user_id == str(principal.user_id)
        or supervises(principal, state)
    ):
        return None
    return assigned_to_another(state, action.value.lower().replace("_", " "))


def assigned_to_another(state: InstanceState, verb: str) -> AssignedToAnother:
    """The refusal of one who may not `verb` the work, assigned to someone else."""
    assignment = state.assignment
    assert assignment is not None
    work = f"step {assignment.step_id!r}" if assignment.step_id else "the submission"
    supervisors = ", ".join(roles_with(Permission.WORK_ASSIGN))
    return AssignedToAnother(
        f"{work} is assigned to user {assignment.user_id}: only they, or {supervisors} "
        f"({Permission.WORK_ASSIGN.value}), may {verb} it",
        assignment.user_id,
    )


def can_see(principal: Principal, tenant_id: str) -> bool:
    return principal.is_market_ops or (
        principal.tenant_id is not None and str(principal.tenant_id) == tenant_id
    )


def step_roles(step: StepDefinition, handlers: StepHandlerRegistry = STEP_HANDLERS) -> list[str]:
    """Who may execute `step`: its roles, else market operations for system steps (the
    worker, or an operator completing it by hand), else anyone of the workflow."""
    if step.roles:
        return list(step.roles)
    if step.type in handlers and handlers.get(step.type).system:
        return ["market_ops"]
    return []


def refusal(
    action: WorkflowAction,
    state: InstanceState,
    template: WorkflowTemplate,
    principal: Principal,
    step_id: str | None = None,
    handlers: StepHandlerRegistry = STEP_HANDLERS,
) -> WfmError | None:
    """Why `principal` may not take `action` now, or None when it may."""
    if not can_see(principal, state.tenant_id):
        return NotFound("workflow", state.id)
    if action in (A.APPROVE, A.REJECT):
        roles = template.submission.approval.roles
        if principal.role not in roles:
            return Forbidden(
                f"only {', '.join(sorted(roles))} may {action.value.lower()} a workflow"
            )
    elif not permitted(principal, ACTION_PERMISSIONS[action]):
        permission = ACTION_PERMISSIONS[action]
        return Forbidden(
            f"only {', '.join(roles_with(permission))} may {action.value.lower()} a workflow: "
            f"the {principal.role} role lacks {permission.value}"
        )
    allowed = ALLOWED_FROM[action]
    if action is A.ROLLBACK and state.pending_rollback is not None:
        allowed = allowed | {S.FAILED}
    if state.status not in allowed:
        return InvalidTransition(
            f"cannot {action.value.lower().replace('_', ' ')} a workflow that is {state.status}",
            status=state.status.value,
            action=action.value,
        )
    if action is A.ROLLBACK and state.pending_rollback is None and len(state.path) < 2:
        return InvalidTransition(
            "nothing to roll back: fewer than two steps are completed",
            status=state.status.value,
            action=action.value,
        )
    if state.pending_rollback is not None and action not in DURING_ROLLBACK:
        return InvalidTransition(
            "a rollback is under way: finish it (rollback again) or cancel the workflow",
            status=state.status.value,
            action=action.value,
        )
    if action is A.RETRY and state.current_step_id is None:
        return InvalidTransition(
            "the workflow failed after its last step: there is no step to retry",
            status=state.status.value,
            action=action.value,
        )
    if action is A.EXECUTE_STEP:
        target = step_id or state.current_step_id
        if target is None or not template.has_step(target):
            return InvalidTransition(f"the template has no step {target!r}", action=action.value)
        if target != state.current_step_id:
            return InvalidTransition(
                f"step {target!r} is not the current step ({state.current_step_id!r})",
                status=state.status.value,
                action=action.value,
            )
        refused = step_role_refusal(state, template, principal, target, handlers)
        if refused is not None:
            return refused
    return assignment_refusal(action, state, principal)


def step_role_refusal(
    state: InstanceState,
    template: WorkflowTemplate,
    principal: Principal,
    step_id: str,
    handlers: StepHandlerRegistry = STEP_HANDLERS,
) -> Forbidden | None:
    """Why `principal`'s role may not execute step `step_id` (of `template`), or None."""
    roles_for_step = step_roles(template.step(step_id), handlers)
    # an SLA breach that escalated the step assigned it to that role as well
    assigned = state.assignments.get(step_id)
    if roles_for_step and principal.role not in (*roles_for_step, assigned):
        return Forbidden(f"step {step_id!r} may only be executed by {', '.join(roles_for_step)}")
    return None


def allowed_actions(
    state: InstanceState,
    template: WorkflowTemplate,
    principal: Principal,
    handlers: StepHandlerRegistry = STEP_HANDLERS,
) -> list[WorkflowAction]:
    return [
        a for a in WorkflowAction if refusal(a, state, template, principal, None, handlers) is None
    ]


# Past these, no step of the workflow will run any more (until a rejection reopens one).
_STEPS_BEHIND = frozenset(
    {WorkflowStatus.AWAITING_VALIDATION, WorkflowStatus.SUBMITTED, WorkflowStatus.COMPLETED}
)


def shown_step_statuses(state: InstanceState, template: WorkflowTemplate) -> dict[str, StepStatus]:
    """Each step's status as a person should read it: a pending step that the instance's
    configuration switched off, or that the workflow went past (a branch not taken), is
    SKIPPED rather than pending forever."""
    flags = state.config.flags
    past = state.status in _STEPS_BEHIND
    shown: dict[str, StepStatus] = {}
    for step in template.steps:
        status = state.step(step.id).status
        if status is StepStatus.PENDING and (past or not step_enabled(step, flags)):
            status = StepStatus.SKIPPED
        shown[step.id] = status
    return shown
