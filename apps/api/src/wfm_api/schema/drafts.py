"""Step drafts: the data saved on a form step and not yet completed (`saveStepDraft`,
`discardStepDraft`, `Workflow.drafts`). The rules are `wfm_workflows.drafts`'."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from wfm_api.schema.common import JSON, Info, described_field, described_mutation, parse_id
from wfm_api.schema.people import Actor, load_actor
from wfm_storage.repositories.step_drafts import StepDraft as StoredDraft


@strawberry.type(
    description=(
        "Data saved on a form step that is not completed yet: no event of the workflow, and "
        "not checked against the step's schema (it may be incomplete). Deleted when the step "
        "is completed"
    )
)
class StepDraft:
    draft: strawberry.Private[StoredDraft]

    @strawberry.field
    def step_id(self) -> str:
        return self.draft.step_id

    @strawberry.field
    def data(self) -> JSON:
        return JSON(dict(self.draft.data))

    @described_field("When it was saved last")
    def saved_at(self) -> datetime:
        return self.draft.saved_at

    @strawberry.field
    def saved_by_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.draft.saved_by))

    @described_field("Who saved it last")
    async def saved_by(self, info: Info) -> Actor:
        return await load_actor(info, str(self.draft.saved_by))


async def load_drafts(info: Info, workflow_id: uuid.UUID) -> list[StepDraft]:
    """The drafts of a workflow the caller sees (batched with every other of the request)."""
    return [StepDraft(draft=d) for d in await info.context.loaders.load_drafts(workflow_id)]


@strawberry.type
class StepDraftMutations:
    @described_mutation(
        "Save form data on a step without completing it (over the draft it had), for the "
        "person or a colleague to continue later: the workflow must be open and the step a "
        "form step you may execute, not completed yet"
    )
    async def save_step_draft(
        self, info: Info, workflow_id: strawberry.ID, step_id: str, data: JSON
    ) -> StepDraft:
        principal = info.context.authenticate()
        saved = await info.context.services.drafts.save_step_draft(
            principal, parse_id(workflow_id, "workflowId"), step_id, data
        )
        return StepDraft(draft=saved)

    @described_mutation("Delete the draft of a step; whether it had one")
    async def discard_step_draft(
        self, info: Info, workflow_id: strawberry.ID, step_id: str
    ) -> bool:
        principal = info.context.authenticate()
        return await info.context.services.drafts.discard_step_draft(
            principal, parse_id(workflow_id, "workflowId"), step_id
        )
