"""Live updates: GraphQL subscriptions (over the WebSocket of `wfm_api.live_socket`), fed by
the changes every projection announces (`wfm_storage.live`).

Tenant filtering, twice: an announcement names the workflow's tenant, and one of another
tenant is dropped at once (market operations see every tenant); what is sent is then read
again from the index under the subscriber's principal, through RLS, exactly as a query
reads it, so a change the subscriber may not see is never sent, and another tenant's id
answers NOT_FOUND as an unknown one does.

Nothing is lost silently: when the feed may have missed changes (the process's listener
lost its connection, or the subscriber did not keep up), `workflowChanged` sends the
workflow as it stands, `workflowsChanged` replays every workflow changed since (marked
`replayed`), and `workQueueChanged` sends a signal without a workflow: query again."""

from __future__ import annotations

import contextlib
import dataclasses
from collections import OrderedDict
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from datetime import datetime, timedelta

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.field import StrawberryField
from strawberry.types.graphql import OperationType

from wfm_api.errors import audit_refusals, translate
from wfm_api.live import ChangeFeed, Resync
from wfm_api.live_socket import LiveContext
from wfm_api.schema.common import Info, parse_id
from wfm_api.schema.workflows import Workflow, WorkflowFilter, instance_filter
from wfm_shared.errors import NotFound
from wfm_shared.principal import Principal
from wfm_storage.live import WorkflowChanged
from wfm_storage.records import InstanceIndexRow
from wfm_storage.repositories.instance_index import Cursor, InstanceFilter

# An event is stamped when it is decided, and announced when its projection commits: a
# replay reaches back this much further than the gap, so that nothing committed late is
# missed (a statement may take the database timeout, 30 s by default).
REPLAY_MARGIN = timedelta(minutes=2)
REPLAY_PAGE = 100
# the versions a list subscription remembers having sent (so a replay repeats none of them)
REMEMBERED_VERSIONS = 1000


@strawberry.type(description="A workflow the subscriber sees changed")
class WorkflowChange:
    workflow: Workflow
    version: int = strawberry.field(description="The workflow's version after the change")
    replayed: bool = strawberry.field(
        description=(
            "Re-read after a gap in the live feed (a lost connection, a slow client): the "
            "workflow changed since the gap began, maybe more than once, maybe sent before"
        )
    )


@strawberry.type(description="What waits for people changed: query the work queue again")
class WorkQueueChange:
    at: datetime
    workflow_id: strawberry.ID | None = strawberry.field(
        description="The workflow whose waiting work changed; null: any may have (a gap)"
    )


def described_subscription(description: str) -> StrawberryField:
    """`@strawberry.subscription(description=...)`, typed (as `described_field`)."""
    subscription: StrawberryField = strawberry.subscription(description=description)
    return subscription


def live_context(info: Info) -> LiveContext:
    context = info.context
    if not isinstance(context, LiveContext):  # only the WebSocket runs subscriptions
        raise TypeError("subscriptions run over the live-updates WebSocket only")
    return context


def concerns(principal: Principal, change: WorkflowChanged, where: InstanceFilter) -> bool:
    """Whether the announcement may concern the subscriber at all (cheap: no read). Only a
    first cut: what is sent is read again under RLS."""
    if not principal.is_market_ops and change.tenant_id != principal.tenant_id:
        return False
    if where.tenant_id is not None and change.tenant_id != where.tenant_id:
        return False
    if where.status is not None and change.status != where.status:
        return False
    return where.template_key is None or change.template_key == where.template_key


@contextlib.asynccontextmanager
async def listening(context: LiveContext) -> AsyncIterator[ChangeFeed]:
    """A subscription's feed; its database scope is released however it ends (a client's
    `complete` cancels it wherever it is)."""
    with context.live.feed() as feed:
        try:
            yield feed
        finally:
            await context.release()


async def visible_row(context: LiveContext, where: InstanceFilter) -> InstanceIndexRow | None:
    """The one workflow `where` names, if the subscriber sees it and it matches `where`."""
    page = await context.services.storage.index.page(context.session, where, first=1, after=None)
    return page.rows[0] if page.rows else None


async def changed_since(
    context: LiveContext, where: InstanceFilter, since: datetime
) -> AsyncGenerator[InstanceIndexRow, None]:
    """Every workflow matching `where` changed from `since` (less the margin) on, a page at
    a time, each page in a scope of its own."""
    start = since - REPLAY_MARGIN
    if where.updated_from is None or where.updated_from < start:
        where = dataclasses.replace(where, updated_from=start)
    after: Cursor | None = None
    while True:
        page = await context.services.storage.index.page(
            context.session, where, first=REPLAY_PAGE, after=after
        )
        await context.release()
        for row in page.rows:
            yield row
        if not page.has_next or not page.rows:
            return
        after = Cursor(page.rows[-1].created_at, page.rows[-1].id)


class SentVersions:
    """The version last sent of the workflows a subscription sent, the most recent few."""

    def __init__(self, size: int = REMEMBERED_VERSIONS) -> None:
        self._size = size
        self._versions: OrderedDict[object, int] = OrderedDict()

    def is_new(self, row: InstanceIndexRow) -> bool:
        """Whether `row` is newer than what was sent of it; if so, it counts as sent."""
        if self._versions.get(row.id, 0) >= row.version:
            return False
        self._versions[row.id] = row.version
        self._versions.move_to_end(row.id)
        if len(self._versions) > self._size:
            self._versions.popitem(last=False)
        return True


@strawberry.type
class LiveSubscriptions:
    @described_subscription(
        "The workflow as it stands, then again after each change (or a gap in the feed). "
        "NOT_FOUND for an id the subscriber does not see; ends with UNAUTHENTICATED "
        "when the access token expires or the session ends"
    )
    async def workflow_changed(
        self, info: Info, id: strawberry.ID
    ) -> AsyncGenerator[Workflow, None]:
        context = live_context(info)
        context.live_principal()
        where = InstanceFilter(instance_id=parse_id(id))
        # listening before the first read: no change can fall between the two
        async with listening(context) as feed:
            row = await visible_row(context, where)
            if row is None:
                raise NotFound("workflow", id)
            sent = row.version
            yield Workflow.from_row(row)
            while True:
                await context.release()
                item = await feed.next()
                if isinstance(item, WorkflowChanged) and (
                    item.workflow_id != where.instance_id or item.version <= sent
                ):
                    continue
                context.live_principal()
                row = await visible_row(context, where)
                if row is None:  # no longer visible to the subscriber (its tenant archived)
                    raise NotFound("workflow", id)
                # after a gap, the workflow as it stands whatever its version
                if row.version > sent or isinstance(item, Resync):
                    sent = row.version
                    yield Workflow.from_row(row)

    @described_subscription(
        "Each change of a workflow the subscriber sees that matches `filter` after the "
        "change (a workflow that leaves the filter is not sent); after a gap in the "
        "feed, every matching workflow changed since, marked `replayed`"
    )
    async def workflows_changed(
        self, info: Info, filter: WorkflowFilter | None = None
    ) -> AsyncGenerator[WorkflowChange, None]:
        context = live_context(info)
        context.live_principal()
        clock = context.services.clock
        instance_filter(filter, clock.now())  # a bad filter is refused now, not at a change
        sent = SentVersions()
        async with listening(context) as feed:
            while True:
                await context.release()
                item = await feed.next()
                principal = context.live_principal()
                where = instance_filter(filter, clock.now())
                if isinstance(item, Resync):
                    async for changed in changed_since(context, where, item.since):
                        if sent.is_new(changed):
                            yield WorkflowChange(
                                workflow=Workflow.from_row(changed),
                                version=changed.version,
                                replayed=True,
                            )
                            await context.release()
                    continue
                if not concerns(principal, item, where):
                    continue
                row = await visible_row(
                    context, dataclasses.replace(where, instance_id=item.workflow_id)
                )
                if row is not None and sent.is_new(row):
                    yield WorkflowChange(
                        workflow=Workflow.from_row(row), version=row.version, replayed=False
                    )

    @described_subscription(
        "A signal each time the waiting work of a workflow the subscriber sees changes "
        "(claimed, assigned, done, escalated, ...), or, after a gap in the feed, one "
        "without a workflow"
    )
    async def work_queue_changed(self, info: Info) -> AsyncGenerator[WorkQueueChange, None]:
        context = live_context(info)
        context.live_principal()
        clock = context.services.clock
        async with listening(context) as feed:
            while True:
                await context.release()
                item = await feed.next()
                principal = context.live_principal()
                if isinstance(item, Resync):
                    yield WorkQueueChange(at=clock.now(), workflow_id=None)
                    continue
                if not item.work or not concerns(principal, item, InstanceFilter()):
                    continue
                seen = await visible_row(context, InstanceFilter(instance_id=item.workflow_id))
                if seen is not None:
                    yield WorkQueueChange(at=clock.now(), workflow_id=strawberry.ID(str(seen.id)))


class LiveOperation(SchemaExtension):
    """The live-updates WebSocket's side of an operation: only subscriptions run there; each
    gets a database scope of its own; and each result is translated (`wfm_api.errors`) as
    it is sent, not once at the end as an HTTP answer is (which comes after the last one)."""

    def __init__(self, *, polish: Callable[[GraphQLError], GraphQLError]) -> None:
        self._polish = polish  # what the schema does to every error it answers

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, LiveContext):
            context.begin_operation()
        yield

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        if (
            isinstance(context, LiveContext)
            and self.execution_context.operation_type is not OperationType.SUBSCRIPTION
        ):
            raise GraphQLError(
                "only subscriptions run over the WebSocket: send queries and mutations over "
                "HTTP (POST /graphql)"
            )
        yield

    async def on_stream_result(self, result: object) -> AsyncGenerator[None, None]:
        context = self.execution_context.context
        errors = getattr(result, "errors", None)
        if isinstance(context, LiveContext) and errors:
            await audit_refusals(context, errors, self.execution_context.operation_type.value)
            translated = [self._polish(translate(e, context.request_id)) for e in errors]
            result.errors = translated  # type: ignore[attr-defined]
        yield
        if isinstance(context, LiveContext):
            # sent: the end of the operation must not translate it again
            self.execution_context.result = None
