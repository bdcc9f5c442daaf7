"""Step drafts: the data a person saved on a form step without completing it, kept in
Postgres so that it survives a reload and reaches another device. A draft is not an event
(the log stays the truth of what was done) and is not validated against the step's schema
(it may be incomplete); it is bounded like step data and must be storable as given.

Who may save one: who may execute the step by their role, on a workflow they see, while the
workflow is open and the step not completed. The projection deletes the draft when the
step is completed (and a workflow's drafts when it ends), in the transaction that advances
the index row; saving locks that row first, so a completion racing a save deletes the draft
after it is written, never before."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from wfm_engine import StepHandlerRegistry, StepStatus, WorkflowStatus
from wfm_engine.policy import step_role_refusal
from wfm_shared.authorization import Permission, authorize
from wfm_shared.clock import Clock
from wfm_shared.documents import step_data_object, storage_problems
from wfm_shared.errors import Conflict, FieldError, InvalidTransition, NotFound, ValidationFailed
from wfm_shared.principal import Principal
from wfm_storage.postgres import Database
from wfm_storage.repositories.step_drafts import StepDraft, StepDraftRepository
from wfm_workflows.service import Loaded, WorkflowService

# What `InvalidTransition` names as the refused action.
SAVE_DRAFT = "SAVE_STEP_DRAFT"
# A workflow past these takes no more step data: its drafts would never be used.
CLOSED = frozenset(
    {
        WorkflowStatus.SUBMITTED,
        WorkflowStatus.COMPLETED,
        WorkflowStatus.CANCELLED,
        WorkflowStatus.FAILED,
    }
)
# Saving reads the workflow, then writes under its locked index row: when a command was
# projected in between, the rules are checked again against the newer state, this often.
SAVE_ATTEMPTS = 3


class StepDraftService:
    def __init__(
        self,
        db: Database,
        *,
        drafts: StepDraftRepository,
        workflows: WorkflowService,
        handlers: StepHandlerRegistry,
        clock: Clock,
    ) -> None:
        self._db = db
        self._drafts = drafts
        self._workflows = workflows
        self._handlers = handlers
        self._clock = clock

    async def save_step_draft(
        self, principal: Principal, workflow_id: uuid.UUID, step_id: str, data: object
    ) -> StepDraft:
        """Keep `data` as the draft of step `step_id`, over the one it had."""
        authorize(principal, Permission.WORKFLOWS_EXECUTE)
        draft = _draft_data(step_id, data)
        for _ in range(SAVE_ATTEMPTS):
            loaded = await self._workflows.load(principal, workflow_id)
            self._refuse_step(principal, loaded, step_id)
            _refuse_saving(loaded, step_id)
            async with self._db.transaction(principal) as conn:
                version = await self._drafts.lock_workflow(conn, workflow_id)
                if version is None:
                    raise NotFound("workflow", workflow_id)
                if version > loaded.state.version:
                    continue  # a command was projected since it was read: judge it anew
                saved = await self._drafts.save(
                    conn,
                    workflow_id,
                    step_id,
                    draft,
                    saved_by=principal.user_id,
                    saved_at=self._clock.now(),
                )
            if saved is None:
                raise NotFound("workflow", workflow_id)
            return saved
        raise Conflict("the workflow kept changing while the draft was saved: save it again")

    async def discard_step_draft(
        self, principal: Principal, workflow_id: uuid.UUID, step_id: str
    ) -> bool:
        """Delete the draft of step `step_id`; whether it had one."""
        authorize(principal, Permission.WORKFLOWS_EXECUTE)
        loaded = await self._workflows.load(principal, workflow_id)
        self._refuse_step(principal, loaded, step_id)
        async with self._db.transaction(principal) as conn:
            return await self._drafts.discard(conn, workflow_id, [step_id])

    def _refuse_step(self, principal: Principal, loaded: Loaded, step_id: str) -> None:
        """A form step of the workflow's pinned template that `principal` may execute."""
        template = loaded.template
        if not template.has_step(step_id):
            raise ValidationFailed(
                "no such step",
                [FieldError(("stepId",), f"is not a step of template {template.key!r}")],
            )
        step = template.step(step_id)
        if step.type != "form":
            raise ValidationFailed(
                "only form steps keep drafts",
                [FieldError(("stepId",), f"is a {step.type} step: only form steps keep drafts")],
            )
        refused = step_role_refusal(loaded.state, template, principal, step_id, self._handlers)
        if refused is not None:
            raise refused


def _draft_data(step_id: str, data: object) -> Mapping[str, Any]:
    """Bounded and storable like step data, but not held to the step's schema."""
    draft = step_data_object(data)
    # keys MongoDB would refuse: the draft is meant to become the step's data
    unstorable = storage_problems(draft)
    if unstorable:
        raise ValidationFailed(
            f"the draft of step {step_id!r} cannot be stored as given", unstorable
        )
    return draft


def _refuse_saving(loaded: Loaded, step_id: str) -> None:
    """An open workflow, and a step not completed yet."""
    state = loaded.state
    if state.status in CLOSED:
        raise InvalidTransition(
            f"cannot save a draft on a workflow that is {state.status}",
            status=state.status.value,
            action=SAVE_DRAFT,
        )
    if state.step(step_id).status is StepStatus.COMPLETED:
        raise InvalidTransition(
            f"step {step_id!r} is completed: a draft of it would never be used",
            status=state.status.value,
            action=SAVE_DRAFT,
        )
