"""Workflow instances: queries merge the Postgres index with MongoDB state and events;
mutations call the workflow service."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, cast

import strawberry
from strawberry.types.field import StrawberryField

from wfm_api.schema.common import (
    JSON,
    Info,
    Locale,
    MarketRole,
    PageInfo,
    StepStatus,
    WorkflowAction,
    WorkflowStatus,
    described_field,
    described_mutation,
    locale_of,
    page_size,
    parse_id,
)
from wfm_api.schema.connections import Edge, page_info_of
from wfm_api.schema.drafts import StepDraft, load_drafts
from wfm_api.schema.files import WorkflowFile, load_files
from wfm_api.schema.people import Actor, load_actor
from wfm_api.schema.problems import FieldProblem, problems
from wfm_api.schema.templates import Template, load_template
from wfm_api.schema.tenants import Tenant, load_tenant
from wfm_engine import (
    ApproveWorkflow,
    CancelWorkflow,
    Event,
    ExecuteStep,
    FailWorkflow,
    InstanceCommand,
    InstanceState,
    PauseWorkflow,
    RejectWorkflow,
    ResumeWorkflow,
    RetryWorkflow,
    StartWorkflow,
    SubmitWorkflow,
    ValidationReport,
    WorkflowTemplate,
    allowed_actions,
    rebuild,
    shown_step_statuses,
)
from wfm_engine import StepState as EngineStepState
from wfm_engine import StepStatus as EngineStepStatus
from wfm_shared.documents import step_data_object
from wfm_shared.errors import FieldError as DomainFieldError
from wfm_shared.errors import NotFound, ValidationFailed
from wfm_storage.paging import decode_cursor, encode_cursor
from wfm_storage.records import InstanceIndexRow
from wfm_storage.repositories.instance_index import Cursor, InstanceFilter


@strawberry.type
class WorkflowStep:
    step_id: strawberry.Private[str]
    step_type: strawberry.Private[str]
    titles: strawberry.Private[object]
    step_state: strawberry.Private[EngineStepState]
    # as a person reads it (a step gone past is SKIPPED); None: the stored status
    shown_status: strawberry.Private[EngineStepStatus | None] = None

    @strawberry.field
    def id(self) -> str:
        return self.step_id

    @strawberry.field
    def type(self) -> str:
        return self.step_type

    @strawberry.field
    def title(self, info: Info, locale: Locale | None = None) -> str:
        return self.titles.get(locale_of(info, locale))  # type: ignore[attr-defined, no-any-return]

    @strawberry.field
    def status(self) -> StepStatus:
        return StepStatus(self.shown_status or self.step_state.status)

    @strawberry.field
    def data(self) -> JSON | None:
        return JSON(dict(self.step_state.data)) if self.step_state.data else None

    @strawberry.field
    def completed_at(self) -> datetime | None:
        return self.step_state.completed_at

    @strawberry.field
    def completed_by_id(self) -> strawberry.ID | None:
        by = self.step_state.completed_by
        return strawberry.ID(by) if by else None

    @strawberry.field
    async def completed_by(self, info: Info) -> Actor | None:
        by = self.step_state.completed_by
        return await load_actor(info, by) if by else None


@strawberry.type
class Rejection:
    reason: str
    rejected_by_id: strawberry.ID
    rejected_at: datetime
    to_step_id: str

    @strawberry.field
    async def rejected_by(self, info: Info) -> Actor:
        return await load_actor(info, self.rejected_by_id)


@strawberry.type(description="The approval of a submitted workflow")
class Approval:
    approved_by_id: strawberry.ID
    approved_at: datetime
    comment: str | None
    contract_reference: str | None

    @strawberry.field
    async def approved_by(self, info: Info) -> Actor:
        return await load_actor(info, self.approved_by_id)


@strawberry.type(description="Why and by whom a workflow is paused")
class Pause:
    paused_by_id: strawberry.ID
    paused_at: datetime
    reason: str | None

    @strawberry.field
    async def paused_by(self, info: Info) -> Actor:
        return await load_actor(info, self.paused_by_id)


@strawberry.type
class WorkflowState:
    steps: list[WorkflowStep]
    variables: JSON
    metadata: JSON
    last_rejection: Rejection | None
    approval: Approval | None = None
    pause: Pause | None = None  # while PAUSED


def state_view(state: InstanceState, template: WorkflowTemplate) -> WorkflowState:
    rejection, approval, pause = state.last_rejection, state.approval, state.pause
    shown = shown_step_statuses(state, template)
    return WorkflowState(
        steps=[
            WorkflowStep(
                step_id=s.id,
                step_type=s.type,
                titles=s.title,
                step_state=state.step(s.id),
                shown_status=shown[s.id],
            )
            for s in template.steps
        ],
        variables=JSON(dict(state.variables)),
        metadata=JSON(state.metadata_json()),
        last_rejection=Rejection(
            reason=rejection.reason,
            rejected_by_id=strawberry.ID(rejection.by),
            rejected_at=rejection.at,
            to_step_id=rejection.to_step_id,
        )
        if rejection
        else None,
        approval=Approval(
            approved_by_id=strawberry.ID(approval.by),
            approved_at=approval.at,
            comment=approval.comment,
            contract_reference=approval.contract_reference,
        )
        if approval
        else None,
        pause=Pause(paused_by_id=strawberry.ID(pause.by), paused_at=pause.at, reason=pause.reason)
        if pause
        else None,
    )


@strawberry.type(description="The workflow as it was right after one event of its log")
class WorkflowSnapshot:
    seq: int
    status: WorkflowStatus
    current_step_id: str | None
    updated_at: datetime
    state: WorkflowState


@strawberry.type
class StepValidation:
    step_id: str
    status: StepStatus
    errors: list[FieldProblem]


@strawberry.type(description="A dry run of the workflow's rules; nothing was changed")
class WorkflowValidation:
    workflow_id: strawberry.ID
    version: int
    valid: bool
    outstanding_steps: list[str]
    steps: list[StepValidation]
    submission_errors: list[FieldProblem]


def validation_view(state: InstanceState, report: ValidationReport) -> WorkflowValidation:
    return WorkflowValidation(
        workflow_id=strawberry.ID(state.id),
        version=state.version,
        valid=report.valid,
        outstanding_steps=list(report.outstanding),
        steps=[
            StepValidation(
                step_id=s.step_id, status=StepStatus(s.status), errors=problems(s.errors)
            )
            for s in report.steps
        ],
        submission_errors=problems(report.submission_errors),
    )


@strawberry.type
class WorkflowEvent:
    event: strawberry.Private[Event]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(f"{self.event.instance_id}:{self.event.seq}")

    @strawberry.field
    def seq(self) -> int:
        return self.event.seq

    @strawberry.field
    def type(self) -> str:
        return self.event.type.value

    @strawberry.field
    def step_id(self) -> str | None:
        return self.event.step_id

    @strawberry.field
    def data(self) -> JSON:
        return JSON(dict(self.event.data))

    @described_field("The id the log holds: a user's, or the platform's")
    def performed_by_id(self) -> strawberry.ID:
        return strawberry.ID(self.event.performed_by)

    @strawberry.field
    async def performed_by(self, info: Info) -> Actor:
        return await load_actor(info, self.event.performed_by)

    @strawberry.field
    def occurred_at(self) -> datetime:
        return self.event.occurred_at

    @strawberry.field
    def correlation_id(self) -> str | None:
        return self.event.correlation_id


# not a Connection[WorkflowEvent]: it has no `nodes`
@strawberry.type
class WorkflowEventConnection:
    edges: list[Edge[WorkflowEvent]]
    page_info: PageInfo
    total_count: int


def _event_connection(
    page: Sequence[Event], *, has_next_page: bool, total: int
) -> WorkflowEventConnection:
    edges = [Edge(cursor=_seq_cursor(e.seq), node=WorkflowEvent(event=e)) for e in page]
    return WorkflowEventConnection(
        edges=edges, page_info=page_info_of(edges, has_next_page), total_count=total
    )


def _seq_cursor(seq: int) -> str:
    return encode_cursor(f"seq:{seq}")


def _seq_of(position: str) -> int:
    kind, _, value = position.partition(":")
    if kind != "seq":
        raise ValueError(kind)
    return int(value)


def _after_seq(after: str | None) -> int:
    return 0 if after is None else decode_cursor(after, _seq_of)


@dataclass(frozen=True)
class IndexedFields:
    """What the Postgres index row and the instance document both hold."""

    status: WorkflowStatus
    version: int
    market_role: str
    current_step_id: str | None
    created_at: datetime
    updated_at: datetime
    created_by: str

    @classmethod
    def of_row(cls, row: InstanceIndexRow) -> IndexedFields:
        return cls(
            WorkflowStatus(row.status),
            row.version,
            row.market_role,
            row.current_step,
            row.created_at,
            row.updated_at,
            str(row.created_by),
        )

    @classmethod
    def of_state(cls, state: InstanceState) -> IndexedFields:
        return cls(
            WorkflowStatus(state.status),
            state.version,
            state.market_role,
            state.current_step_id,
            state.created_at,
            state.updated_at,
            state.created_by,
        )


@strawberry.type
class Workflow:
    """A workflow. Fields the Postgres index holds (status, version, current step, market
    role, times) are answered from its row when the workflow came from the index, so that a
    list showing only those never reads MongoDB; a mutation's result answers from the state
    it produced."""

    instance_id: strawberry.Private[uuid.UUID]
    tenant_id: strawberry.Private[uuid.UUID]
    template_id: strawberry.Private[uuid.UUID]
    indexed: strawberry.Private[IndexedFields]
    # the index row it came from (its work queue columns); None: read when asked for
    row: strawberry.Private[InstanceIndexRow | None] = None

    @classmethod
    def from_row(cls, row: InstanceIndexRow) -> Workflow:
        """A projected row (version > 0): a reserved one has nothing to show yet."""
        assert row.version > 0, "a reserved index row has no fields to answer from"
        return cls(
            instance_id=row.id,
            tenant_id=row.tenant_id,
            template_id=row.template_id,
            indexed=IndexedFields.of_row(row),
            row=row,
        )

    @classmethod
    def from_state(cls, state: InstanceState) -> Workflow:
        return cls(
            instance_id=uuid.UUID(state.id),
            tenant_id=uuid.UUID(state.tenant_id),
            template_id=uuid.UUID(state.template_id),
            indexed=IndexedFields.of_state(state),
        )

    async def _state(self, info: Info) -> InstanceState:
        state = await info.context.loaders.load_state(str(self.instance_id))
        if state is None:
            raise NotFound("workflow", self.instance_id)
        return state

    async def _row(self, info: Info) -> InstanceIndexRow | None:
        # a mutation's result comes from its state: its row, written by the same command
        if self.row is not None:
            return self.row
        return await info.context.loaders.load_index_row(self.instance_id)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.instance_id))

    @strawberry.field
    def status(self) -> WorkflowStatus:
        return self.indexed.status

    @strawberry.field
    def version(self) -> int:
        return self.indexed.version

    @strawberry.field
    def market_role(self) -> MarketRole:
        return MarketRole(self.indexed.market_role)

    @strawberry.field
    def current_step_id(self) -> str | None:
        return self.indexed.current_step_id

    @strawberry.field
    async def current_step(self, info: Info) -> WorkflowStep | None:
        state = await self._state(info)
        if state.current_step_id is None:
            return None
        template = (await load_template(info, self.template_id)).record.template
        step = template.step(state.current_step_id)
        return WorkflowStep(
            step_id=step.id, step_type=step.type, titles=step.title, step_state=state.step(step.id)
        )

    @described_field(
        "When what it waits for is due: its current step's SLA or its approval's deadline; "
        "null: nothing waits with one"
    )
    async def due_at(self, info: Info) -> datetime | None:
        row = await self._row(info)
        return row.due_at if row is not None else None

    @described_field(
        "Whether dueAt has passed, as of now (what the overdue filters of workflows and "
        "workItems select)"
    )
    async def overdue(self, info: Info) -> bool:
        row = await self._row(info)
        return row is not None and row.overdue_at(info.context.services.clock.now())

    @strawberry.field
    def created_at(self) -> datetime:
        return self.indexed.created_at

    @strawberry.field
    def updated_at(self) -> datetime:
        return self.indexed.updated_at

    @strawberry.field
    def created_by_id(self) -> strawberry.ID:
        return strawberry.ID(self.indexed.created_by)

    @strawberry.field
    async def created_by(self, info: Info) -> Actor:
        return await load_actor(info, self.indexed.created_by)

    @strawberry.field
    async def tenant(self, info: Info) -> Tenant:
        return await load_tenant(info, self.tenant_id)

    @strawberry.field
    async def template(self, info: Info) -> Template:
        return await load_template(info, self.template_id)

    @strawberry.field
    async def state(self, info: Info) -> WorkflowState:
        state = await self._state(info)
        template = (await load_template(info, self.template_id)).record.template
        return state_view(state, template)

    @described_field("Data saved on its form steps and not completed yet, by step id")
    async def drafts(self, info: Info) -> list[StepDraft]:
        return await load_drafts(info, self.instance_id)

    @described_field(
        "The files uploaded to its steps (POST /files), oldest first; a step's data names "
        "them by id"
    )
    async def files(self, info: Info) -> list[WorkflowFile]:
        return await load_files(info, self.instance_id)

    @described_field("The state right after event `seq` (time travel for audit)")
    async def state_at(self, info: Info, seq: int) -> WorkflowSnapshot:
        events = await info.context.loaders.load_events(str(self.instance_id))
        if not 1 <= seq <= len(events):
            raise ValidationFailed(
                "no such event",
                [DomainFieldError(("seq",), f"must be between 1 and {len(events)}")],
            )
        past = rebuild(events, seq)
        template = (await load_template(info, self.template_id)).record.template
        return WorkflowSnapshot(
            seq=seq,
            status=WorkflowStatus(past.status),
            current_step_id=past.current_step_id,
            updated_at=past.updated_at,
            state=state_view(past, template),
        )

    @described_field("The event log, oldest first; `last: n` gives the n most recent instead")
    async def events(
        self, info: Info, first: int = 50, after: str | None = None, last: int | None = None
    ) -> WorkflowEventConnection:
        size = page_size(info, last if last is not None else first)
        after_seq = _after_seq(after)
        if last is not None and after is None:
            # the latest few: the instance document holds them, the log need not be read
            state = await self._state(info)
            latest = state.latest_events(size)
            if latest is not None:
                return _event_connection(latest, has_next_page=False, total=state.version)
        events = await info.context.loaders.load_events(str(self.instance_id))
        remaining = [e for e in events if e.seq > after_seq]
        page = remaining[-size:] if last is not None else remaining[:size]
        return _event_connection(
            page, has_next_page=last is None and len(remaining) > size, total=len(events)
        )

    @described_field("What you may do with this workflow now")
    async def allowed_actions(self, info: Info) -> list[WorkflowAction]:
        state = await self._state(info)
        template = (await load_template(info, self.template_id)).record.template
        handlers = info.context.services.registries.handlers
        actions = allowed_actions(state, template, info.context.principal, handlers)
        return [WorkflowAction(a) for a in actions]


# not a Connection[Workflow]: its total is counted only when asked for, and listed last
@strawberry.type
class WorkflowConnection:
    edges: list[Edge[Workflow]]
    page_info: PageInfo
    where: strawberry.Private[InstanceFilter]

    @strawberry.field
    def nodes(self) -> list[Workflow]:
        return [edge.node for edge in self.edges]

    @described_field("How many workflows the filter lists, every page together")
    async def total_count(self, info: Info) -> int:
        return await info.context.services.storage.index.count(info.context.session, self.where)


# the longest tenant name a search may name (a company name has at most 200 characters)
MAX_TENANT_NAME_SEARCH = 200


@strawberry.input(description="Narrows the list; every field given must hold")
class WorkflowFilter:
    status: WorkflowStatus | None = None
    market_role: MarketRole | None = None
    tenant_id: strawberry.ID | None = None
    template_key: str | None = None
    current_step_id: str | None = None
    assignee_id: strawberry.ID | None = strawberry.field(
        default=None, description="The user the waiting work is assigned to"
    )
    created_from: datetime | None = strawberry.field(
        default=None, description="createdFrom <= createdAt < createdTo"
    )
    created_to: datetime | None = None
    updated_from: datetime | None = strawberry.field(
        default=None, description="updatedFrom <= updatedAt < updatedTo"
    )
    updated_to: datetime | None = None
    overdue: bool | None = strawberry.field(
        default=None,
        description="Work waits on it past its due date (false: no work, or not overdue)",
    )
    tenant_name: str | None = strawberry.field(
        default=None, description="A part of the tenant's company name, in any case"
    )


def instance_filter(given: WorkflowFilter | None, now: datetime) -> InstanceFilter:
    """The index's filter for `given`, as of `now` (what is overdue)."""
    if given is None:
        return InstanceFilter()
    name = given.tenant_name.strip() if given.tenant_name is not None else None
    if name is not None and not 1 <= len(name) <= MAX_TENANT_NAME_SEARCH:
        raise ValidationFailed(
            "invalid tenant name search",
            [
                DomainFieldError(
                    ("filter", "tenantName"), f"must be 1 to {MAX_TENANT_NAME_SEARCH} characters"
                )
            ],
        )
    return InstanceFilter(
        status=given.status.value if given.status else None,
        market_role=given.market_role.value if given.market_role else None,
        tenant_id=parse_id(given.tenant_id, "tenantId") if given.tenant_id else None,
        template_key=given.template_key,
        current_step=given.current_step_id,
        assignee_id=parse_id(given.assignee_id, "assigneeId") if given.assignee_id else None,
        created_from=given.created_from,
        created_to=given.created_to,
        updated_from=given.updated_from,
        updated_to=given.updated_to,
        overdue=given.overdue,
        now=now,
        tenant_name=name,
    )


@strawberry.type
class WorkflowQueries:
    @described_field("Workflows newest first, as a Relay-style connection")
    async def workflows(
        self,
        info: Info,
        filter: WorkflowFilter | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> WorkflowConnection:
        info.context.authenticate()
        where = instance_filter(filter, info.context.services.clock.now())
        page = await info.context.services.storage.index.page(
            info.context.session,
            where,
            first=page_size(info, first),
            after=Cursor.decode(after) if after else None,
        )
        edges = [
            Edge(cursor=Cursor(row.created_at, row.id).encode(), node=Workflow.from_row(row))
            for row in page.rows
        ]
        return WorkflowConnection(
            edges=edges, page_info=page_info_of(edges, page.has_next), where=where
        )

    @strawberry.field
    async def workflow(self, info: Info, id: strawberry.ID) -> Workflow:
        info.context.authenticate()
        found = await load_workflow(info, parse_id(id))
        if found is None:
            raise NotFound("workflow", id)
        return found


async def load_workflow(info: Info, workflow_id: uuid.UUID) -> Workflow | None:
    """The workflow as the asking user may see it; None: not on file, or not theirs."""
    row = await info.context.loaders.load_index_row(workflow_id)
    if row is None:
        return None
    if row.version == 0:
        # reserved, never projected: the document (or the log) may be further along
        state = await info.context.loaders.load_state(row.mongo_id)
        return Workflow.from_state(state) if state is not None else None
    return Workflow.from_row(row)


async def _run(
    info: Info,
    workflow_id: strawberry.ID,
    command: InstanceCommand,
    idempotency_key: str | None,
    expected_version: int | None,
) -> Workflow:
    principal = info.context.authenticate()
    state = await info.context.services.workflows.execute(
        principal,
        parse_id(workflow_id, "workflowId"),
        command,
        correlation_id=info.context.request_id,
        idempotency_key=idempotency_key,
        expected_version=expected_version,
    )
    return _result(info, state)


def _result(info: Info, state: InstanceState) -> Workflow:
    info.context.loaders.prime_state(state)
    return Workflow.from_state(state)


KEY = strawberry.argument(
    description="Retrying with the same key returns the first result and changes nothing"
)


def command_mutation(
    command: Callable[[], InstanceCommand], description: str | None = None
) -> StrawberryField:
    """The mutation that runs `command` (one that takes no argument) on a workflow: its
    arguments are the workflow, the version expected and the idempotency key."""

    async def run(
        info: Info,
        workflow_id: strawberry.ID,
        expected_version: int | None = None,
        idempotency_key: Annotated[str | None, KEY] = None,
    ) -> Workflow:
        return await _run(info, workflow_id, command(), idempotency_key, expected_version)

    # strawberry types it as what the resolver answers, for a class attribute: it is the field
    return cast(StrawberryField, strawberry.mutation(resolver=run, description=description))


@strawberry.type
class WorkflowMutations:
    @described_mutation("Create a workflow (DRAFT) from the newest template version")
    async def create_workflow(
        self,
        info: Info,
        market_role: MarketRole,
        template_key: str,
        tenant_id: strawberry.ID | None = None,
        idempotency_key: Annotated[str | None, KEY] = None,
    ) -> Workflow:
        principal = info.context.authenticate()
        state = await info.context.services.workflows.create_workflow(
            principal,
            market_role=market_role.value,
            template_key=template_key,
            tenant_id=parse_id(tenant_id, "tenantId") if tenant_id else None,
            correlation_id=info.context.request_id,
            idempotency_key=idempotency_key,
        )
        return _result(info, state)

    start_workflow = command_mutation(StartWorkflow)

    @strawberry.mutation
    async def pause_workflow(
        self,
        info: Info,
        workflow_id: strawberry.ID,
        reason: str | None = None,
        expected_version: int | None = None,
        idempotency_key: Annotated[str | None, KEY] = None,
    ) -> Workflow:
        return await _run(
            info, workflow_id, PauseWorkflow(reason), idempotency_key, expected_version
        )

    resume_workflow = command_mutation(ResumeWorkflow)

    @described_mutation("Complete the current step with its data")
    async def execute_step(
        self,
        info: Info,
        workflow_id: strawberry.ID,
        step_id: str,
        data: JSON,
        expected_version: int | None = None,
        idempotency_key: Annotated[str | None, KEY] = None,
    ) -> Workflow:
        info.context.authenticate()
        command = ExecuteStep(step_id, step_data_object(data))
        return await _run(info, workflow_id, command, idempotency_key, expected_version)

    @described_mutation("Check every step and the submission rules; changes nothing")
    async def validate_workflow(self, info: Info, workflow_id: strawberry.ID) -> WorkflowValidation:
        principal = info.context.authenticate()
        state, report = await info.context.services.workflows.validate(
            principal, parse_id(workflow_id, "workflowId")
        )
        return validation_view(state, report)

    submit_workflow = command_mutation(SubmitWorkflow)

    @described_mutation("Approve a submitted workflow (market operations)")
    async def approve_workflow(
        self,
        info: Info,
        workflow_id: strawberry.ID,
        comment: str | None = None,
        expected_version: int | None = None,
        idempotency_key: Annotated[str | None, KEY] = None,
    ) -> Workflow:
        return await _run(
            info, workflow_id, ApproveWorkflow(comment), idempotency_key, expected_version
        )

    @described_mutation("Send a submitted workflow back to a step, with a reason")
    async def reject_workflow(
        self,
        info: Info,
        workflow_id: strawberry.ID,
        reason: str,
        to_step_id: str | None = None,
        expected_version: int | None = None,
        idempotency_key: Annotated[str | None, KEY] = None,
    ) -> Workflow:
        command = RejectWorkflow(reason, to_step_id)
        return await _run(info, workflow_id, command, idempotency_key, expected_version)

    @described_mutation(
        "Undo the steps completed after `toStepId` (latest first) and go back to "
        "the state right after it was completed"
    )
    async def rollback_workflow(
        self,
        info: Info,
        workflow_id: strawberry.ID,
        to_step_id: str,
        expected_version: int | None = None,
        idempotency_key: Annotated[str | None, KEY] = None,
    ) -> Workflow:
        principal = info.context.authenticate()
        state = await info.context.services.workflows.rollback(
            principal,
            parse_id(workflow_id, "workflowId"),
            to_step_id,
            correlation_id=info.context.request_id,
            idempotency_key=idempotency_key,
            expected_version=expected_version,
        )
        return _result(info, state)

    @described_mutation("Mark a workflow as failed (market operations)")
    async def fail_workflow(
        self,
        info: Info,
        workflow_id: strawberry.ID,
        reason: str,
        expected_version: int | None = None,
        idempotency_key: Annotated[str | None, KEY] = None,
    ) -> Workflow:
        return await _run(
            info, workflow_id, FailWorkflow(reason), idempotency_key, expected_version
        )

    retry_workflow = command_mutation(
        RetryWorkflow,
        "Retry a FAILED workflow at the step it failed at (market operations and the "
        "tenant's administrators): IN_PROGRESS again, the data kept, the step run again",
    )

    @strawberry.mutation
    async def cancel_workflow(
        self,
        info: Info,
        workflow_id: strawberry.ID,
        reason: str | None = None,
        expected_version: int | None = None,
        idempotency_key: Annotated[str | None, KEY] = None,
    ) -> Workflow:
        return await _run(
            info, workflow_id, CancelWorkflow(reason), idempotency_key, expected_version
        )
