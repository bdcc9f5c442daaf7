"""The workflow application service: the one command path of DESIGN.md ("Writes").

1. load the instance (the RLS-filtered Postgres index first, then the tenant-filtered
   document) and its pinned template version;
2. decide the new events, or raise a typed error;
3. append them to the event log (the unique (instance, seq) index detects a concurrent
   writer: CONFLICT);
4. replace the instance document, only forward in version;
5. in one Postgres transaction: advance the index row and the projections of the
   events (market roles, audit log).
A crash between these steps leaves projections behind the log, never ahead of it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from wfm_engine import (
    CreateWorkflow,
    DecisionContext,
    Event,
    EventType,
    InstanceCommand,
    InstanceState,
    WorkflowTemplate,
    decide,
    fold,
)
from wfm_shared.clock import Clock, SystemClock
from wfm_shared.errors import FieldError, NotFound, ValidationFailed
from wfm_shared.principal import Principal
from wfm_storage.bootstrap import Storage
from wfm_storage.postgres import Executor
from wfm_storage.records import InstanceIndexRow, TemplateRecord, Tenant


def to_millis(moment: datetime) -> datetime:
    """MongoDB keeps milliseconds: events carry no more, so a replay is exact."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class WorkflowService:
    def __init__(self, storage: Storage, clock: Clock | None = None) -> None:
        self._s = storage
        self._clock = clock or SystemClock()

    def _context(
        self, principal: Principal, tenant: Tenant, correlation_id: str | None
    ) -> DecisionContext:
        return DecisionContext(
            principal=principal,
            now=to_millis(self._clock.now()),
            tenant=tenant.as_context(),
            correlation_id=correlation_id,
        )

    async def create_workflow(
        self,
        principal: Principal,
        *,
        market_role: str,
        template_key: str,
        tenant_id: uuid.UUID | None = None,
        correlation_id: str | None = None,
    ) -> InstanceState:
        if tenant_id is None:
            if principal.tenant_id is None:
                raise ValidationFailed(
                    "market operations must say for which tenant",
                    [FieldError(("tenantId",), "is required for market operations")],
                )
            tenant_id = principal.tenant_id
        instance_id = uuid.uuid4()
        async with self._s.db.transaction(principal) as conn:
            tenant = await self._s.tenants.get(conn, tenant_id)
            if tenant is None:
                raise NotFound("tenant", tenant_id)
            record = await self._s.templates.latest_for(conn, template_key, market_role)
            if record is None:
                raise NotFound("template", template_key)
            ctx = self._context(principal, tenant, correlation_id)
            command = CreateWorkflow(str(instance_id), str(tenant_id), market_role, str(record.id))
            events = decide(None, command, record.template, ctx)
            # Reserve the index row first: every event log then has a row to project onto.
            await self._s.index.register(
                conn,
                instance_id=instance_id,
                tenant_id=tenant_id,
                template_id=record.id,
                market_role=market_role,
                created_by=principal.user_id,
                created_at=ctx.now,
            )
        return await self._commit(principal, None, events, record.template)

    async def execute(
        self,
        principal: Principal,
        workflow_id: uuid.UUID,
        command: InstanceCommand,
        *,
        correlation_id: str | None = None,
    ) -> InstanceState:
        row, record, tenant = await self._load_index(principal, workflow_id)
        state = await self.current_state(principal, row)
        events = decide(
            state, command, record.template, self._context(principal, tenant, correlation_id)
        )
        return await self._commit(principal, state, events, record.template)

    async def _load_index(
        self, principal: Principal, workflow_id: uuid.UUID
    ) -> tuple[InstanceIndexRow, TemplateRecord, Tenant]:
        async with self._s.db.transaction(principal) as conn:
            row = await self._s.index.get(conn, workflow_id)
            if row is None or row.version == 0:
                raise NotFound("workflow", workflow_id)
            record = (await self._s.templates.by_ids(conn, [row.template_id]))[row.template_id]
            tenant = await self._s.tenants.get(conn, row.tenant_id)
            if tenant is None:
                raise NotFound("workflow", workflow_id)
        return row, record, tenant

    async def current_state(self, principal: Principal, row: InstanceIndexRow) -> InstanceState:
        """The instance document, caught up with the event log when it lags behind."""
        state = await self._s.documents.get(principal, row.mongo_id)
        after = state.version if state else 0
        missing = await self._s.events.for_instance(principal, row.mongo_id, after_seq=after)
        if missing:
            state = fold(missing, state)
            assert state is not None
            await self._s.documents.save(state)
        if state is None:
            raise NotFound("workflow", row.id)
        return state

    async def _commit(
        self,
        principal: Principal,
        state: InstanceState | None,
        events: Sequence[Event],
        template: WorkflowTemplate,
    ) -> InstanceState:
        await self._s.events.append(events)
        new_state = fold(events, state)
        assert new_state is not None
        await self._s.documents.save(new_state)
        async with self._s.db.transaction(principal) as conn:
            await self._project(conn, principal, new_state, events, template)
        return new_state

    async def _project(
        self,
        conn: Executor,
        principal: Principal,
        state: InstanceState,
        events: Sequence[Event],
        template: WorkflowTemplate,
    ) -> None:
        await self._s.index.advance(conn, state)
        tenant_id = uuid.UUID(state.tenant_id)
        for event in events:
            if template.grants_market_role and event.type is EventType.WORKFLOW_CREATED:
                await self._s.tenants.apply_for_market_role(conn, tenant_id, state.market_role)
            if template.grants_market_role and event.type is EventType.WORKFLOW_APPROVED:
                await self._s.tenants.activate_market_role(
                    conn, tenant_id, state.market_role, event.data.get("contractReference")
                )
            await self._s.audit.append(
                conn,
                principal=principal,
                tenant_id=tenant_id,
                action=event.type.value,
                target_type="workflow",
                target_id=state.id,
                details={"seq": event.seq, "stepId": event.step_id},
                request_id=event.correlation_id,
            )
