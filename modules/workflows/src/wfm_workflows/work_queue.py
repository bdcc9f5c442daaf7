"""The work queue: what waits for each person on the workflows they see (human steps,
submissions to decide, steps an SLA breach escalated, steps that failed), read from the
Postgres index alone; and the assignment of that work. Claiming, assigning and releasing
are commands of the workflow (events of its log, STEP_ASSIGNED / STEP_UNASSIGNED) through
the one command path; the projection keeps the queue's columns.

Who may do what (`wfm_engine.work`, `wfm_engine.policy`): anyone who may act on the work
claims it; who holds `work.assign` (the tenant's administrators, market operations)
assigns it to a user who may act on it, and releases or takes over what someone holds;
assigned work is done by its assignee or by them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from wfm_engine import AssignWork, InstanceCommand, ReleaseWork
from wfm_engine.definitions import Localized
from wfm_shared.authorization import Permission, authorize
from wfm_shared.clock import Clock
from wfm_shared.errors import FieldError, NotFound, ValidationFailed
from wfm_shared.principal import Principal, principal_for
from wfm_storage.postgres import Database, Executor
from wfm_storage.records import InstanceIndexRow
from wfm_storage.repositories.instance_index import (
    InstanceIndex,
    Page,
    WorkCursor,
    WorkFilter,
)
from wfm_storage.repositories.templates import TemplateRepository
from wfm_storage.repositories.users import UserRepository
from wfm_workflows.service import WorkflowService

DEFAULT_LOCALE = "en"
# What the work of a submission is called: it is no step of the template.
SUBMISSION_TITLE = Localized(en="Submission", fr="Soumission", nl="Indiening")


@dataclass(frozen=True)
class WorkItemFilter:
    """What a caller narrows the queue to. `any_role`: every item of the tenants the caller
    sees, whoever it waits for (a supervisor's view: `work.assign`)."""

    kind: str | None = None
    tenant_id: uuid.UUID | None = None
    template_key: str | None = None
    market_role: str | None = None
    step_id: str | None = None
    overdue: bool | None = None
    escalated: bool | None = None
    assigned_to_me: bool | None = None
    unassigned: bool | None = None
    any_role: bool = False


@dataclass(frozen=True)
class Reading:
    """Who reads the queue: in which language (the user's), at what time (what is overdue)."""

    locale: str
    now: datetime


@dataclass(frozen=True)
class WaitingWork:
    """One workflow's waiting work, with the title of what waits in every language (None: a
    step its template version does not have, named by its id)."""

    row: InstanceIndexRow
    title: Localized | None

    def title_in(self, locale: str) -> str:
        if self.title is None:
            return self.row.work_step or ""
        return self.title.get(locale)


@dataclass(frozen=True)
class WorkPage:
    items: list[WaitingWork]
    has_next: bool
    reading: Reading
    total: int | None = None  # every page together, when asked for


@dataclass(frozen=True)
class WorkItemRecord:
    """One workflow's waiting work, as a mutation leaves it."""

    item: WaitingWork
    reading: Reading


class WorkQueueService:
    def __init__(
        self,
        db: Database,
        *,
        index: InstanceIndex,
        users: UserRepository,
        templates: TemplateRepository,
        workflows: WorkflowService,
        clock: Clock,
    ) -> None:
        self._db = db
        self._index = index
        self._users = users
        self._templates = templates
        self._workflows = workflows
        self._clock = clock

    # -- reading ----------------------------------------------------------------------------

    def query_for(self, principal: Principal, where: WorkItemFilter, now: datetime) -> WorkFilter:
        """The index's query of `principal`'s queue, narrowed by `where`, as of `now` (also
        what the benchmark explains)."""
        authorize(principal, Permission.WORKFLOWS_READ)
        if where.any_role:
            authorize(principal, Permission.WORK_ASSIGN)
        return WorkFilter(
            user_id=principal.user_id,
            role=principal.role,
            any_role=where.any_role,
            # a tenant's people: their own tenant's (row-level security says so too; named,
            # the tenant's own index serves the queue)
            tenant_id=where.tenant_id or principal.tenant_id,
            kind=where.kind,
            template_key=where.template_key,
            market_role=where.market_role,
            step_id=where.step_id,
            overdue=where.overdue,
            now=now,
            escalated=where.escalated,
            assigned_to_me=where.assigned_to_me,
            unassigned=where.unassigned,
        )

    async def items(
        self,
        principal: Principal,
        where: WorkItemFilter,
        *,
        first: int,
        after: str | None = None,
        counted: bool = False,
    ) -> WorkPage:
        """What waits for the caller's role (or is assigned to the caller), by due date
        (none last), then since when it waits; `counted`: with the total of every page."""
        now = self._clock.now()
        query = self.query_for(principal, where, now)
        cursor = WorkCursor.decode(after) if after else None
        async with self._db.transaction(principal) as conn:
            page: Page = await self._index.work_page(conn, query, first=first, after=cursor)
            total = await self._index.work_count(conn, query) if counted else None
            locale = await self._locale(conn, principal)
            items = await self._titled(conn, page.rows)
        return WorkPage(items, page.has_next, Reading(locale, now), total)

    async def count(self, principal: Principal, where: WorkItemFilter) -> int:
        """How many items `items` lists, every page together."""
        query = self.query_for(principal, where, self._clock.now())
        async with self._db.transaction(principal) as conn:
            return await self._index.work_count(conn, query)

    async def _locale(self, conn: Executor, principal: Principal) -> str:
        users = await self._users.by_ids(conn, [principal.user_id])
        user = users.get(principal.user_id)
        return user.locale if user is not None else DEFAULT_LOCALE

    async def _titled(self, conn: Executor, rows: list[InstanceIndexRow]) -> list[WaitingWork]:
        """`rows` with the titles of what waits on them (their templates in one read; a
        stored version never changes, so the repository keeps them parsed)."""
        templates = await self._templates.by_ids(conn, list({row.template_id for row in rows}))

        def title(row: InstanceIndexRow) -> Localized | None:
            if row.work_step is None:
                return SUBMISSION_TITLE
            record = templates.get(row.template_id)
            if record is None or not record.template.has_step(row.work_step):
                return None
            return record.template.step(row.work_step).title

        return [WaitingWork(row, title(row)) for row in rows]

    # -- assigning --------------------------------------------------------------------------

    async def claim(
        self, principal: Principal, workflow_id: uuid.UUID, *, correlation_id: str | None = None
    ) -> WorkItemRecord:
        """Take the waiting work: the caller may act on it, and nobody else holds it (unless
        the caller supervises: `work.assign`)."""
        return await self._command(principal, workflow_id, AssignWork(principal), correlation_id)

    async def assign(
        self,
        principal: Principal,
        workflow_id: uuid.UUID,
        user_id: uuid.UUID,
        *,
        correlation_id: str | None = None,
    ) -> WorkItemRecord:
        """Give the waiting work to `user_id`, an active user who may act on it."""
        authorize(principal, Permission.WORK_ASSIGN)
        async with self._db.transaction(principal) as conn:
            if await self._index.get(conn, workflow_id) is None:
                raise NotFound("workflow", workflow_id)
            # another tenant's user is out of sight: unknown, like an id that does not exist
            user = (await self._users.by_ids(conn, [user_id])).get(user_id)
        if user is None:
            raise NotFound("user", user_id)
        if user.status != "active":
            raise ValidationFailed(
                "a disabled user cannot be assigned work",
                [FieldError(("userId",), "is a disabled user")],
            )
        assignee = principal_for(user.id, user.tenant_id, user.role)
        return await self._command(principal, workflow_id, AssignWork(assignee), correlation_id)

    async def release(
        self, principal: Principal, workflow_id: uuid.UUID, *, correlation_id: str | None = None
    ) -> WorkItemRecord:
        """Let the waiting work go back to its roles (its assignee, or a supervisor)."""
        return await self._command(principal, workflow_id, ReleaseWork(), correlation_id)

    async def _command(
        self,
        principal: Principal,
        workflow_id: uuid.UUID,
        command: InstanceCommand,
        correlation_id: str | None,
    ) -> WorkItemRecord:
        authorize(principal, Permission.WORKFLOWS_READ)
        await self._workflows.execute(
            principal, workflow_id, command, correlation_id=correlation_id
        )
        async with self._db.transaction(principal) as conn:
            row = await self._index.get(conn, workflow_id)
            if row is None:
                raise NotFound("workflow", workflow_id)
            locale = await self._locale(conn, principal)
            [item] = await self._titled(conn, [row])
        return WorkItemRecord(item, Reading(locale, self._clock.now()))
