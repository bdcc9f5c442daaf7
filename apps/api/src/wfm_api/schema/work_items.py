"""The work queue: what waits for the asking user (their role's, or assigned to them), and
claiming, assigning and releasing it. A work item's id is its workflow's: a workflow has at
most one waiting item at a time (its current step, its submission, or the step it failed
at). Everything here is answered from the Postgres index."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import TypeAlias

import strawberry
from strawberry.types.nodes import SelectedField, Selection

from wfm_api.schema.common import (
    Info,
    Locale,
    MarketRole,
    PageInfo,
    described_field,
    described_mutation,
    page_size,
    parse_id,
)
from wfm_api.schema.connections import Edge, page_info_of
from wfm_api.schema.people import Actor
from wfm_api.schema.templates import Template, load_template
from wfm_api.schema.tenants import Tenant
from wfm_api.schema.workflows import Workflow
from wfm_engine import WorkKind as EngineWorkKind
from wfm_shared.errors import NotFound
from wfm_storage.records import InstanceIndexRow
from wfm_storage.repositories.instance_index import WorkCursor
from wfm_workflows.work_queue import Reading, WaitingWork, WorkItemRecord
from wfm_workflows.work_queue import WorkItemFilter as QueueFilter

# registered on the engine's class, as wfm_api.schema.common does for the engine's enums
strawberry.enum(
    EngineWorkKind, name="WorkItemKind", description="Why a workflow waits for a person"
)
WorkItemKind: TypeAlias = EngineWorkKind


@strawberry.type(
    description=(
        "What waits for a person on a workflow: its current step (a form, an approval), its "
        "submission awaiting a decision, or the step it failed at. Its id is the workflow's"
    )
)
class WorkItem:
    # Plain values, set when the item is made: a queue page resolves a dozen fields on each
    # of its items, and a field without a resolver of its own costs the least to answer.
    id: strawberry.ID
    kind: WorkItemKind
    step_id: str | None = strawberry.field(description="The step that waits; null: the submission")
    since: datetime = strawberry.field(
        description="Since when it waits: the step's activation, the submission, the failure"
    )
    due_at: datetime | None = strawberry.field(
        description="Its SLA or approval deadline, if it has one"
    )
    breached: bool = strawberry.field(
        description="Whether its due date has passed (the SLA is breached)"
    )
    escalated_to: str | None = strawberry.field(
        description="The role an SLA breach escalated the step to, if one did"
    )
    roles: list[str] = strawberry.field(description="The roles it waits for (besides its assignee)")
    # tenant and assignee: read only when the query selects them (`work_items_of`); a field
    # it does not select is never resolved, so a None there is never answered
    assignee: Actor | None = strawberry.field(
        description="Who it is assigned to; null: its roles' people, whoever takes it"
    )
    template_key: str
    market_role: MarketRole
    tenant: Tenant | None = strawberry.field(graphql_type=Tenant)
    waiting: strawberry.Private[WaitingWork]
    reading: strawberry.Private[Reading]

    @classmethod
    def of(
        cls,
        waiting: WaitingWork,
        reading: Reading,
        *,
        tenant: Tenant | None,
        assignee: Actor | None,
    ) -> WorkItem:
        row = waiting.row
        # a row with no waiting work is not an item
        assert row.work_kind is not None
        assert row.waiting_since is not None
        return cls(
            id=strawberry.ID(str(row.id)),
            kind=WorkItemKind(row.work_kind),
            step_id=row.work_step,
            since=row.waiting_since,
            due_at=row.due_at,
            breached=row.overdue_at(reading.now),
            escalated_to=row.escalated_to,
            roles=list(row.work_roles),
            assignee=assignee,
            template_key=row.template_key or "",
            market_role=MarketRole(row.market_role),
            tenant=tenant,
            waiting=waiting,
            reading=reading,
        )

    @described_field(
        "The step's title (a submission: \"Submission\"), in `locale`, else the user's language"
    )
    def step_title(self, locale: Locale | None = None) -> str:
        return self.waiting.title_in(locale.value if locale is not None else self.reading.locale)

    @strawberry.field
    async def template(self, info: Info) -> Template:
        return await load_template(info, self.waiting.row.template_id)

    @strawberry.field
    def workflow(self) -> Workflow:
        return Workflow.from_row(self.waiting.row)


# not a Connection[WorkItem]: its total is counted only when asked for, and listed last
@strawberry.type
class WorkItemConnection:
    edges: list[Edge[WorkItem]]
    page_info: PageInfo
    where: strawberry.Private[QueueFilter]
    total: strawberry.Private[int | None]  # counted with the page when the query asked

    @strawberry.field
    def nodes(self) -> list[WorkItem]:
        return [edge.node for edge in self.edges]

    @described_field("How many items the filter lists, every page together")
    async def total_count(self, info: Info) -> int:
        if self.total is not None:
            return self.total
        return await info.context.services.work_queue.count(info.context.principal, self.where)


@strawberry.input(description="Narrows the work queue; every field given must hold")
class WorkItemFilter:
    kind: WorkItemKind | None = None
    tenant_id: strawberry.ID | None = None
    template_key: str | None = None
    market_role: MarketRole | None = None
    step_id: str | None = None
    overdue: bool | None = strawberry.field(
        default=None, description="Its due date has passed (false: it has not, or has none)"
    )
    escalated: bool | None = strawberry.field(
        default=None, description="An SLA breach escalated it"
    )
    assigned_to_me: bool | None = None
    unassigned: bool | None = None
    any_role: bool = strawberry.field(
        default=False,
        description=(
            "Every item of the tenants you see, whatever role it waits for (who may assign "
            "work: tenant_admin, market_ops)"
        ),
    )


def _filter(given: WorkItemFilter | None) -> QueueFilter:
    if given is None:
        return QueueFilter()
    return QueueFilter(
        kind=given.kind.value if given.kind else None,
        tenant_id=parse_id(given.tenant_id, "tenantId") if given.tenant_id else None,
        template_key=given.template_key,
        market_role=given.market_role.value if given.market_role else None,
        step_id=given.step_id,
        overdue=given.overdue,
        escalated=given.escalated,
        assigned_to_me=given.assigned_to_me,
        unassigned=given.unassigned,
        any_role=given.any_role,
    )


def _fields(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    """The fields of a selection set, those of its fragments included."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        else:
            yield from _fields(selection.selections)


def _selects(info: Info, *path: str) -> bool:
    """Whether the query selects the field at `path` (field names, fragments included) in
    this field's answer."""
    level = list(info.selected_fields)
    for name in path:
        level = [
            field for above in level for field in _fields(above.selections) if field.name == name
        ]
    return bool(level)


# Where the work items stand in an answer: a connection's edges' nodes and its nodes, or the
# answer itself (a mutation's).
IN_CONNECTION: tuple[tuple[str, ...], ...] = (("edges", "node"), ("nodes",))
ITSELF: tuple[tuple[str, ...], ...] = ((),)


async def work_items_of(
    info: Info,
    waiting: Sequence[WaitingWork],
    reading: Reading,
    *,
    at: tuple[tuple[str, ...], ...],
) -> list[WorkItem]:
    """The items with their tenants and assignees, if the query selects them on the items
    `at` those places of the answer; read for all of them at once (through the request's
    loaders): a page of 100 then awaits two loads, not 200 resolvers."""

    def selected(name: str) -> bool:
        return any(_selects(info, *path, name) for path in at)

    loaders = info.context.loaders
    tenant_ids = list({w.row.tenant_id for w in waiting}) if selected("tenant") else []
    tenants = dict(zip(tenant_ids, await loaders.tenant.load_many(tenant_ids), strict=True))
    assignee_ids = (
        list({w.row.assignee_id for w in waiting if w.row.assignee_id is not None})
        if selected("assignee")
        else []
    )
    people = dict(zip(assignee_ids, await loaders.user_by_id.load_many(assignee_ids), strict=True))

    def tenant_of(row: InstanceIndexRow) -> Tenant | None:
        if row.tenant_id not in tenants:
            return None  # not selected
        record = tenants[row.tenant_id]
        if record is None:  # (the row's own tenant: row-level security showed the row)
            raise NotFound("tenant", row.tenant_id)
        return Tenant.of(record)

    def assignee_of(row: InstanceIndexRow) -> Actor | None:
        if row.assignee_id not in people:
            return None  # not assigned, or not selected
        return Actor(recorded_id=str(row.assignee_id), person=people[row.assignee_id])

    return [
        WorkItem.of(w, reading, tenant=tenant_of(w.row), assignee=assignee_of(w.row))
        for w in waiting
    ]


async def _item(info: Info, record: WorkItemRecord) -> WorkItem:
    [item] = await work_items_of(info, [record.item], record.reading, at=ITSELF)
    return item


@strawberry.type
class WorkItemQueries:
    @described_field(
        "What waits for you now: the work your role may do (or assigned to you), by due date "
        "(none last), then since when it waits"
    )
    async def work_items(
        self,
        info: Info,
        filter: WorkItemFilter | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> WorkItemConnection:
        principal = info.context.authenticate()
        where = _filter(filter)
        page = await info.context.services.work_queue.items(
            principal,
            where,
            first=page_size(info, first),
            after=after,
            counted=_selects(info, "totalCount"),
        )
        items = await work_items_of(info, page.items, page.reading, at=IN_CONNECTION)
        edges = [Edge(cursor=WorkCursor.of(item.waiting.row).encode(), node=item) for item in items]
        return WorkItemConnection(
            edges=edges, page_info=page_info_of(edges, page.has_next), where=where, total=page.total
        )


@strawberry.type
class WorkItemMutations:
    @described_mutation(
        "Take the work waiting on a workflow: you must be able to do it, and nobody else may "
        "hold it (unless you may assign work)"
    )
    async def claim_work_item(self, info: Info, workflow_id: strawberry.ID) -> WorkItem:
        principal = info.context.authenticate()
        record = await info.context.services.work_queue.claim(
            principal, parse_id(workflow_id, "workflowId"), correlation_id=info.context.request_id
        )
        return await _item(info, record)

    @described_mutation(
        "Assign the work waiting on a workflow to a user who may do it (work.assign: the "
        "tenant's administrators, market operations)"
    )
    async def assign_work_item(
        self, info: Info, workflow_id: strawberry.ID, user_id: strawberry.ID
    ) -> WorkItem:
        principal = info.context.authenticate()
        record = await info.context.services.work_queue.assign(
            principal,
            parse_id(workflow_id, "workflowId"),
            parse_id(user_id, "userId"),
            correlation_id=info.context.request_id,
        )
        return await _item(info, record)

    @described_mutation(
        "Let the work waiting on a workflow go back to its roles (its assignee, or who may "
        "assign work)"
    )
    async def release_work_item(self, info: Info, workflow_id: strawberry.ID) -> WorkItem:
        principal = info.context.authenticate()
        record = await info.context.services.work_queue.release(
            principal, parse_id(workflow_id, "workflowId"), correlation_id=info.context.request_id
        )
        return await _item(info, record)
