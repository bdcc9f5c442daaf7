"""Who may do what, in which status: the rules behind `decide` and `allowed_actions`."""

from __future__ import annotations

from wfm_engine.commands import WorkflowAction
from wfm_engine.state import InstanceState
from wfm_engine.status import WorkflowStatus
from wfm_engine.template import WorkflowTemplate
from wfm_shared.errors import Forbidden, InvalidTransition, NotFound, WfmError
from wfm_shared.principal import Principal

ALLOWED_FROM: dict[WorkflowAction, frozenset[WorkflowStatus]] = {
    WorkflowAction.START: frozenset({WorkflowStatus.DRAFT}),
    WorkflowAction.EXECUTE_STEP: frozenset({WorkflowStatus.IN_PROGRESS}),
    WorkflowAction.SUBMIT: frozenset({WorkflowStatus.AWAITING_VALIDATION}),
    WorkflowAction.APPROVE: frozenset({WorkflowStatus.SUBMITTED}),
    WorkflowAction.REJECT: frozenset({WorkflowStatus.SUBMITTED}),
}


def can_see(principal: Principal, tenant_id: str) -> bool:
    return principal.is_market_ops or (
        principal.tenant_id is not None and str(principal.tenant_id) == tenant_id
    )


def ensure_visible(principal: Principal, state: InstanceState) -> None:
    # Another tenant's instance is reported exactly like one that does not exist.
    if not can_see(principal, state.tenant_id):
        raise NotFound("workflow", state.id)


def refusal(
    action: WorkflowAction,
    state: InstanceState,
    template: WorkflowTemplate,
    principal: Principal,
    step_id: str | None = None,
) -> WfmError | None:
    """Why `principal` may not take `action` now, or None when it may."""
    if not can_see(principal, state.tenant_id):
        return NotFound("workflow", state.id)
    if action in (WorkflowAction.APPROVE, WorkflowAction.REJECT) and (
        principal.role not in template.submission.approval.roles
    ):
        return Forbidden(f"only {', '.join(template.submission.approval.roles)} may decide")
    if state.status not in ALLOWED_FROM[action]:
        return InvalidTransition(
            f"cannot {action.value.lower().replace('_', ' ')} a workflow that is {state.status}",
            status=state.status.value,
            action=action.value,
        )
    if action is WorkflowAction.EXECUTE_STEP:
        target = step_id or state.current_step_id
        if target is None or not template.has_step(target):
            return InvalidTransition(f"the template has no step {target!r}", action=action.value)
        if target != state.current_step_id:
            return InvalidTransition(
                f"step {target!r} is not the current step ({state.current_step_id!r})",
                status=state.status.value,
                action=action.value,
            )
        roles = template.step(target).roles
        if roles and principal.role not in roles:
            return Forbidden(f"step {target!r} may only be executed by {', '.join(roles)}")
    return None


def allowed_actions(
    state: InstanceState, template: WorkflowTemplate, principal: Principal
) -> list[WorkflowAction]:
    return [a for a in WorkflowAction if refusal(a, state, template, principal) is None]
