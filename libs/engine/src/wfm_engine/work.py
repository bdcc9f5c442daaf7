"""What waits for a person on a workflow: its work item (the current human step, the
submission awaiting approval, or the step it failed at), the roles it waits for, and who
may act on it. The projection keeps it in the Postgres index (the work queue); `decide`
reads it to assign the work. The rules are the policy's (`wfm_engine.policy`): a step's
`roles`, the template's approval roles, the role an SLA breach escalated the step to."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from wfm_engine.commands import WorkflowAction
from wfm_engine.policy import can_see, refusal, step_roles
from wfm_engine.state import InstanceState
from wfm_engine.status import WorkflowStatus
from wfm_engine.steps import STEP_HANDLERS, StepHandlerRegistry
from wfm_engine.template import WorkflowTemplate
from wfm_shared.authorization import PLATFORM_ROLES, Permission, permitted, roles_with
from wfm_shared.principal import Principal

# A step without roles waits for the participant's people; market operations may act on it
# too (they hold workflows.execute everywhere), but it is not their work.
PARTICIPANT_ROLES: tuple[str, ...] = tuple(
    role for role in roles_with(Permission.WORKFLOWS_EXECUTE) if role not in PLATFORM_ROLES
)
# A failed step waits for those who may roll the workflow back (or cancel it).
FAILURE_ROLES: tuple[str, ...] = roles_with(Permission.WORKFLOWS_ROLLBACK)
# System steps the platform completes without a runner: a delay's timer does.
TIMED_STEP_TYPES = frozenset({"delay"})


class WorkKind(StrEnum):
    STEP = "STEP"  # a human step (or a system step that no runner completes: done by hand)
    APPROVAL = "APPROVAL"  # an approval step
    SUBMISSION = "SUBMISSION"  # the submission, awaiting approval or rejection
    # the workflow failed at a step (its runner, its compensation), or a step's failure
    # paused it (`onFailure: pause`)
    FAILURE = "FAILURE"


@dataclass(frozen=True)
class WorkItem:
    kind: WorkKind
    step_id: str | None  # None: the submission
    since: datetime  # the activation of the step, the submission, the failure
    # the seq its timers (SLA, approval deadline) count from; None: a failure has none
    activation_seq: int | None
    roles: tuple[str, ...]  # the roles it waits for
    escalated_to: str | None  # the role an SLA breach escalated the step to
    assignee_id: str | None  # the user it is assigned to


def waiting_work(
    state: InstanceState,
    template: WorkflowTemplate,
    handlers: StepHandlerRegistry = STEP_HANDLERS,
    automated: Container[str] = frozenset(),
) -> WorkItem | None:
    """The work waiting on `state` for a person, or None (the platform runs it, nobody can
    act now: paused by a person, a draft, done). `automated`: the system step types a runner completes."""
    assignee = state.assignment.user_id if state.assignment is not None else None
    if state.status is WorkflowStatus.IN_PROGRESS and state.pending_rollback is None:
        activation = state.running_activation
        if activation is None or not template.has_step(activation.step_id):
            return None
        step = template.step(activation.step_id)
        system = step.type in handlers and handlers.get(step.type).system
        if system and (step.type in automated or step.type in TIMED_STEP_TYPES):
            return None
        roles = tuple(step_roles(step, handlers)) or PARTICIPANT_ROLES
        escalated = state.assignments.get(step.id)
        if escalated is not None and escalated not in roles:
            roles = (*roles, escalated)
        return WorkItem(
            WorkKind.APPROVAL if step.type == "approval" else WorkKind.STEP,
            step.id,
            activation.at,
            activation.seq,
            roles,
            escalated,
            assignee,
        )
    if state.status is WorkflowStatus.SUBMITTED and state.submission is not None:
        submission = state.submission
        # a document written before the seq was kept: the submission was its last event
        seq = submission.seq if submission.seq is not None else state.version
        roles = tuple(template.submission.approval.roles)
        return WorkItem(WorkKind.SUBMISSION, None, submission.at, seq, roles, None, assignee)
    failure = state.failure
    if state.status is WorkflowStatus.FAILED and failure is not None and failure.step_id:
        return WorkItem(
            WorkKind.FAILURE, failure.step_id, failure.at, None, FAILURE_ROLES, None, assignee
        )
    pause = state.pause
    if state.status is WorkflowStatus.PAUSED and pause is not None and pause.failed_step_id:
        # a step's failure paused it: a person resumes it (the step runs again) or rolls back
        return WorkItem(
            WorkKind.FAILURE, pause.failed_step_id, pause.at, None, FAILURE_ROLES, None, assignee
        )
    return None


def may_act(
    principal: Principal,
    state: InstanceState,
    template: WorkflowTemplate,
    item: WorkItem,
    handlers: StepHandlerRegistry = STEP_HANDLERS,
) -> bool:
    """Whether `principal` may do the work of `item`, whoever it is assigned to: execute the
    step, decide the submission, or (a failure) roll back or cancel the workflow."""
    free = replace(state, assignment=None)
    match item.kind:
        case WorkKind.STEP | WorkKind.APPROVAL:
            action = WorkflowAction.EXECUTE_STEP
            return refusal(action, free, template, principal, item.step_id, handlers) is None
        case WorkKind.SUBMISSION:
            return refusal(WorkflowAction.APPROVE, free, template, principal) is None
        case WorkKind.FAILURE:
            return can_see(principal, state.tenant_id) and permitted(
                principal, Permission.WORKFLOWS_ROLLBACK
            )
