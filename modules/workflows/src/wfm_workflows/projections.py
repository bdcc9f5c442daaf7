"""Postgres projections of the event log: the instance index, the market roles a tenant
holds, the audit trail. Applied in one transaction, exactly once per event: the index row
is advanced (and locked) first, and only events past its old version are projected."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from wfm_engine import Event, EventType, InstanceState, WorkflowTemplate
from wfm_shared.principal import Principal
from wfm_storage.bootstrap import Storage
from wfm_storage.postgres import Executor


class Projector:
    def __init__(self, storage: Storage) -> None:
        self._s = storage

    async def project(
        self,
        conn: Executor,
        principal: Principal,
        state: InstanceState,
        events: Sequence[Event],
        template: WorkflowTemplate,
    ) -> list[Event]:
        """Bring the index up to `state`; returns the events projected now."""
        previous = await self._s.index.advance(conn, state)
        if previous is None:
            return []  # already projected (a retry, or the reconciler got there first)
        due = [e for e in events if previous < e.seq <= state.version]
        if not due or due[0].seq != previous + 1:
            # the index was behind what this command saw: project the gap as well
            due = [
                e
                for e in await self._s.events.for_instance(principal, state.id, after_seq=previous)
                if e.seq <= state.version
            ]
        tenant_id = uuid.UUID(state.tenant_id)
        for event in due:
            await self._apply(conn, principal, state, event, template, tenant_id)
        return due

    async def _apply(
        self,
        conn: Executor,
        principal: Principal,
        state: InstanceState,
        event: Event,
        template: WorkflowTemplate,
        tenant_id: uuid.UUID,
    ) -> None:
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
            details={"seq": event.seq, "stepId": event.step_id, "performedBy": event.performed_by},
            request_id=event.correlation_id,
        )
