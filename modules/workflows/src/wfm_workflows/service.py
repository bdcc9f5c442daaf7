"""The workflow application service: the one command path of DESIGN.md ("Writes").

1. load the instance (the RLS-filtered Postgres index first, then the tenant-filtered
   document, caught up with the log) and its pinned template version;
2. decide the new events, or raise a typed error; evaluate the quality gates they need;
3. append them to the event log (the unique (instance, seq) index turns a concurrent
   writer into CONFLICT);
4. replace the instance document, only forward in version;
5. in one Postgres transaction: advance the index row and project the events.
A crash between these steps leaves projections behind the log, never ahead of it; the
next command on the instance, or the reconciler, catches them up. A request carrying an
idempotency key that was already applied returns the first result and appends nothing."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from wfm_engine import (
    ApproveWorkflow,
    AssignWork,
    CancelWorkflow,
    CompensateStep,
    CompensationFailed,
    CompensationFailure,
    CreateWorkflow,
    Decision,
    DecisionContext,
    Event,
    EventType,
    ExecuteStep,
    FailStep,
    FailWorkflow,
    FinishRollback,
    GateContext,
    GateFailed,
    InstanceCommand,
    InstanceState,
    PauseWorkflow,
    RecordIteration,
    RecordSlaBreach,
    Registries,
    RejectWorkflow,
    ReleaseWork,
    ResumeWorkflow,
    RetryWorkflow,
    StartWorkflow,
    SubmitWorkflow,
    ValidationReport,
    WorkflowStatus,
    WorkflowTemplate,
    catch_up,
    decide,
    fold,
    gate_failure,
    rebuild,
    rollback_plan,
    validation_report,
)
from wfm_engine.events import StepCompletedData
from wfm_engine.forms import FILE_ID_FORMAT, is_file_id, values_of_format
from wfm_engine.gates import FileFacts
from wfm_shared.clock import Clock
from wfm_shared.errors import (
    Conflict,
    FieldError,
    NotFound,
    OnboardingExists,
    ValidationFailed,
    WfmError,
)
from wfm_shared.principal import Principal
from wfm_storage.postgres import Database, Executor
from wfm_storage.protocols import EventLog, InstanceDocumentStore
from wfm_storage.records import InstanceIndexRow, TemplateRecord, Tenant
from wfm_storage.repositories.files import FileRepository
from wfm_storage.repositories.instance_index import InstanceIndex
from wfm_storage.repositories.templates import TemplateRepository
from wfm_storage.repositories.tenants import TenantRepository
from wfm_workflows.configuration import ConfigService
from wfm_workflows.projections import Projector
from wfm_workflows.reconciler import Reconciler

MAX_IDEMPOTENCY_KEY_LENGTH = 200
# A market role under a contract in force (active; suspended until reactivated), or ended
# for good (terminated is final): either way a new onboarding cannot grant it.
ROLE_HELD_STATUSES = frozenset({"active", "suspended", "terminated"})

# The events each kind of request may append: a key reused for another request is refused.
COMMAND_EVENTS: dict[type, frozenset[EventType]] = {
    StartWorkflow: frozenset({EventType.WORKFLOW_STARTED}),
    PauseWorkflow: frozenset({EventType.WORKFLOW_PAUSED}),
    ResumeWorkflow: frozenset({EventType.WORKFLOW_RESUMED}),
    ExecuteStep: frozenset({EventType.STEP_COMPLETED}),
    SubmitWorkflow: frozenset({EventType.WORKFLOW_SUBMITTED}),
    ApproveWorkflow: frozenset({EventType.WORKFLOW_APPROVED}),
    RejectWorkflow: frozenset({EventType.WORKFLOW_REJECTED}),
    FailWorkflow: frozenset({EventType.WORKFLOW_FAILED}),
    # a system step's failure: handled by its onFailure, or the workflow fails
    FailStep: frozenset({EventType.STEP_FAILED, EventType.WORKFLOW_FAILED}),
    RecordIteration: frozenset({EventType.STEP_ITERATION_COMPLETED}),
    RetryWorkflow: frozenset({EventType.WORKFLOW_RETRIED}),
    CancelWorkflow: frozenset({EventType.WORKFLOW_CANCELLED}),
    RecordSlaBreach: frozenset({EventType.STEP_SLA_BREACHED}),
    AssignWork: frozenset({EventType.STEP_ASSIGNED}),
    ReleaseWork: frozenset({EventType.STEP_UNASSIGNED}),
}
ROLLBACK_EVENTS = frozenset(
    {EventType.STEP_COMPENSATED, EventType.WORKFLOW_ROLLED_BACK, EventType.WORKFLOW_FAILED}
)


def to_millis(moment: datetime) -> datetime:
    """MongoDB keeps milliseconds: events carry no more, so a replay is exact."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def check_idempotency_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed(
            "invalid idempotency key",
            [
                FieldError(
                    ("idempotencyKey",),
                    f"must be 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} printable characters",
                )
            ],
        )
    return key


class Faults:
    """Where a test can stop the command path, to prove a crash there loses nothing."""

    async def reached(self, stage: str) -> None:
        """Stages: events_appended, document_saved, index_updated."""


@dataclass(frozen=True)
class Loaded:
    row: InstanceIndexRow
    record: TemplateRecord
    tenant: Tenant
    state: InstanceState

    @property
    def template(self) -> WorkflowTemplate:
        """The template version the instance is pinned to, with its pinned settings."""
        return self.record.template.configured(self.state.config)


class WorkflowService:
    def __init__(
        self,
        db: Database,
        *,
        tenants: TenantRepository,
        templates: TemplateRepository,
        index: InstanceIndex,
        events: EventLog,
        documents: InstanceDocumentStore,
        projector: Projector,
        reconciler: Reconciler,
        configs: ConfigService,
        registries: Registries,
        clock: Clock,
        faults: Faults | None = None,
        files: FileRepository | None = None,
    ) -> None:
        self._db = db
        self._files = files  # what the gates learn of the files the data names
        self._tenants = tenants
        self._templates_repo = templates
        self._index = index
        self._events = events
        self._documents = documents
        self._projector = projector
        self._reconciler = reconciler
        self._configs = configs
        self._engine = registries.engine
        self._gates = registries.gates
        self._clock = clock
        self._faults = faults or Faults()

    def _context(
        self,
        principal: Principal,
        tenant: Tenant,
        *,
        correlation_id: str | None = None,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> DecisionContext:
        return DecisionContext(
            principal=principal,
            now=to_millis(self._clock.now()),
            tenant=tenant.as_context(),
            correlation_id=correlation_id,
            idempotency_key=idempotency_key,
            expected_version=expected_version,
        )

    # -- creating -----------------------------------------------------------------------

    async def create_workflow(
        self,
        principal: Principal,
        *,
        market_role: str,
        template_key: str,
        tenant_id: uuid.UUID | None = None,
        trigger: Mapping[str, Any] | None = None,
        correlation_id: str | None = None,
        idempotency_key: str | None = None,
        variables: Mapping[str, Any] | None = None,
    ) -> InstanceState:
        """`variables`: what the workflow starts with (a trigger's input mapped into them)."""
        key = check_idempotency_key(idempotency_key)
        if tenant_id is None:
            if principal.tenant_id is None:
                raise ValidationFailed(
                    "market operations must say for which tenant",
                    [FieldError(("tenantId",), "is required for market operations")],
                )
            tenant_id = principal.tenant_id
        async with self._db.transaction(principal) as conn:
            tenant = await self._tenants.get(conn, tenant_id)
            if tenant is None:
                raise NotFound("tenant", tenant_id)
            record = await self._templates_repo.latest_for(conn, template_key, market_role)
            if record is None:
                raise NotFound("template", template_key)
            config, _ = await self._configs.resolve(conn, record.template, market_role, tenant_id)
            ctx = self._context(
                principal, tenant, correlation_id=correlation_id, idempotency_key=key
            )
            if record.template.grants_market_role:
                await self._refuse_second_onboarding(conn, tenant_id, market_role, ctx.now, key)
            reserved_id = uuid.uuid4()
            command = CreateWorkflow(
                str(reserved_id),
                str(tenant_id),
                market_role,
                str(record.id),
                trigger or {},
                config.as_json(),
                variables or {},
            )
            events = decide(None, command, record.template, ctx, self._engine).events
            # Reserve the index row first: every event log then has a row to project onto.
            row = await self._index.register(
                conn,
                instance_id=reserved_id,
                tenant_id=tenant_id,
                template_id=record.id,
                market_role=market_role,
                created_by=principal.user_id,
                created_at=ctx.now,
                idempotency_key=key,
            )
        if row.id != reserved_id:
            # The key was used before: its first result, or finish what that attempt began.
            first = await self._events.for_instance(principal, row.mongo_id)
            if first:
                if row.projected_version < first[-1].seq:
                    # that attempt stopped after its events: finish its projections, so the
                    # workflow shows in listings now rather than at the next reconcile
                    await self._reconciler.reconcile_instance(row, principal=principal)
                return rebuild(first, 1)
            template = (await self._templates(principal, [row.template_id]))[
                row.template_id
            ].template
            command = CreateWorkflow(
                row.mongo_id,
                str(tenant_id),
                row.market_role,
                str(row.template_id),
                trigger or {},
                config.as_json(),
                variables or {},
            )
            events = decide(None, command, template, ctx, self._engine).events
            try:
                return await self._commit(principal, None, events, template)
            except Conflict:
                # the first attempt, still under way, appended it meanwhile
                return rebuild(await self._events.for_instance(principal, row.mongo_id), 1)
        return await self._commit(principal, None, events, record.template)

    # -- commands on an instance ----------------------------------------------------------

    async def execute(
        self,
        principal: Principal,
        workflow_id: uuid.UUID,
        command: InstanceCommand,
        *,
        correlation_id: str | None = None,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> InstanceState:
        key = check_idempotency_key(idempotency_key)
        loaded = await self.load(principal, workflow_id)
        if key is not None:
            done = await self._already_done(principal, loaded, key, COMMAND_EVENTS[type(command)])
            if done is not None:
                return done
        ctx = self._context(
            principal,
            loaded.tenant,
            correlation_id=correlation_id,
            idempotency_key=key,
            expected_version=expected_version,
        )
        if isinstance(command, ApproveWorkflow) and loaded.template.grants_market_role:
            await self._refuse_replacing_a_contract(principal, loaded)
        try:
            return await self._decide_and_commit(
                principal, loaded.state, command, loaded.template, ctx
            )
        except Conflict:
            if key is not None:
                # a concurrent copy of this very request may have won the race
                done = await self._already_done(
                    principal, loaded, key, COMMAND_EVENTS[type(command)]
                )
                if done is not None:
                    return done
            raise

    async def validate(
        self, principal: Principal, workflow_id: uuid.UUID
    ) -> tuple[InstanceState, ValidationReport]:
        """The dry run: a per-step report, and the submission's validators and quality gates
        as submitting now would evaluate them (so it never says valid for what submit will
        refuse); nothing is appended."""
        loaded = await self.load(principal, workflow_id)
        ctx = self._context(principal, loaded.tenant)
        report = validation_report(loaded.state, loaded.template, ctx, self._engine)
        if loaded.state.status is not WorkflowStatus.AWAITING_VALIDATION or not report.valid:
            return loaded.state, report
        try:
            submission = decide(loaded.state, SubmitWorkflow(), loaded.template, ctx, self._engine)
        except WfmError:
            return loaded.state, report  # this user may not submit: the data is what is judged
        failed = await self._failed_gates(principal, loaded.state, loaded.template, submission, ctx)
        gates = [
            FieldError(("gates", result.gate), result.reason or f"the {result.gate} gate failed")
            for result in failed
        ]
        return loaded.state, replace(report, submission_errors=[*report.submission_errors, *gates])

    async def rollback(
        self,
        principal: Principal,
        workflow_id: uuid.UUID,
        to_step_id: str,
        *,
        correlation_id: str | None = None,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> InstanceState:
        """The saga: compensate the completed steps after `to_step_id`, latest first (one
        STEP_COMPENSATED each), then restore the state as it was when `to_step_id` was
        completed (WORKFLOW_ROLLED_BACK). A compensation that fails moves the workflow to
        FAILED with the reason; rolling back again continues where it stopped."""
        key = check_idempotency_key(idempotency_key)
        loaded = await self.load(principal, workflow_id)
        if key is not None:
            done = await self._already_done(principal, loaded, key, ROLLBACK_EVENTS)
            if done is not None:
                return done
        state, template = loaded.state, loaded.template

        def ctx() -> DecisionContext:
            return self._context(
                principal,
                loaded.tenant,
                correlation_id=correlation_id,
                idempotency_key=key,
                expected_version=expected_version if state is loaded.state else None,
            )

        for step_id in rollback_plan(state, template, ctx(), to_step_id):
            step = template.step(step_id)
            handler = self._engine.handlers.get(step.type)
            try:
                result = await handler.compensate(step, state.step(step_id))
            except CompensationFailed as failure:
                command: InstanceCommand = CompensationFailure(step_id, to_step_id, failure.reason)
                return await self._decide_and_commit(principal, state, command, template, ctx())
            command = CompensateStep(step_id, to_step_id, result)
            state = await self._decide_and_commit(principal, state, command, template, ctx())
        history = await self._events.for_instance(principal, state.id)
        return await self._decide_and_commit(
            principal, state, FinishRollback(to_step_id, history), template, ctx()
        )

    # -- one onboarding per tenant and market role ------------------------------------------

    async def _refuse_second_onboarding(
        self,
        conn: Executor,
        tenant_id: uuid.UUID,
        market_role: str,
        now: datetime,
        idempotency_key: str | None,
    ) -> None:
        """A tenant holds a market role under one contract: while the role is active or an
        onboarding for it is open, another one is refused, naming the existing workflow. The
        lock holds until the new row is reserved, so two concurrent creates cannot both pass.
        A retry of the create that reserved the open one (same idempotency key) goes on."""
        await self._index.lock_onboarding(conn, tenant_id, market_role)
        existing = await self._index.open_onboarding(conn, tenant_id, market_role, now=now)
        if existing is not None:
            if idempotency_key is not None and existing.idempotency_key == idempotency_key:
                return
            raise OnboardingExists(market_role, workflow_id=existing.id, status=existing.status)
        held = await self._held_market_role(conn, tenant_id, market_role)
        if held is not None:
            raise held

    async def _refuse_replacing_a_contract(self, principal: Principal, loaded: Loaded) -> None:
        """Approving grants the role under a new contract reference: never over one in force."""
        async with self._db.transaction(principal) as conn:
            held = await self._held_market_role(
                conn, loaded.row.tenant_id, loaded.state.market_role
            )
        if held is not None:
            raise held

    async def _held_market_role(
        self, conn: Executor, tenant_id: uuid.UUID, market_role: str
    ) -> OnboardingExists | None:
        """Why the tenant cannot be granted `market_role` anew: it holds it under a contract
        in force (active, or suspended until reactivated), or held it until it was
        terminated, which is final. None: it may."""
        roles = (await self._tenants.market_roles(conn, [tenant_id]))[tenant_id]
        held = next(
            (r for r in roles if r.role == market_role and r.status in ROLE_HELD_STATUSES), None
        )
        if held is None:
            return None
        completed = await self._index.completed_onboarding(conn, tenant_id, market_role)
        return OnboardingExists(
            market_role,
            workflow_id=None if completed is None else completed.id,
            status=None if completed is None else completed.status,
            held=True,
            contract_reference=held.contract_reference,
            role_status=held.status,
        )

    # -- reading --------------------------------------------------------------------------

    async def load(self, principal: Principal, workflow_id: uuid.UUID) -> Loaded:
        async with self._db.transaction(principal) as conn:
            row = await self._index.get(conn, workflow_id)
            if row is None:
                raise NotFound("workflow", workflow_id)
            record = (await self._templates_repo.by_ids(conn, [row.template_id]))[row.template_id]
            tenant = await self._tenants.get(conn, row.tenant_id)
            if tenant is None:
                raise NotFound("workflow", workflow_id)
        state = await self.current_state(principal, row)
        return Loaded(row, record, tenant, state)

    async def current_state(self, principal: Principal, row: InstanceIndexRow) -> InstanceState:
        """The instance document, caught up with the event log when it lags behind."""
        state = await self._documents.get(principal, row.mongo_id)
        after = state.version if state else 0
        if state is not None and not await self._events.exists(row.mongo_id, after + 1):
            return state  # the usual case, answered by `_id` lookups alone
        missing = await self._events.for_instance(principal, row.mongo_id, after_seq=after)
        if missing:
            state = catch_up(state, missing)
            assert state is not None
            await self._documents.save(state)
        if state is None:
            raise NotFound("workflow", row.id)
        return state

    async def state_at(
        self, principal: Principal, workflow_id: uuid.UUID, seq: int
    ) -> InstanceState:
        loaded = await self.load(principal, workflow_id)
        events = await self._events.for_instance(principal, loaded.state.id)
        if not 1 <= seq <= len(events):
            raise ValidationFailed(
                "no such event", [FieldError(("seq",), f"must be between 1 and {len(events)}")]
            )
        return rebuild(events, seq)

    # -- the path ---------------------------------------------------------------------------

    async def _already_done(
        self, principal: Principal, loaded: Loaded, key: str, kinds: frozenset[EventType]
    ) -> InstanceState | None:
        applied = await self._events.with_idempotency_key(principal, loaded.state.id, key)
        if not applied:
            return None
        if not {e.type for e in applied} <= kinds:
            raise ValidationFailed(
                "this idempotency key was used for another request",
                [FieldError(("idempotencyKey",), "was used for another request on this workflow")],
            )
        events = await self._events.for_instance(principal, loaded.state.id)
        # a crash may have left the projections behind the first attempt: catch them up
        latest = catch_up(loaded.state, events)
        assert latest is not None
        await self._documents.save(latest)
        async with self._db.transaction(principal) as conn:
            await self._projector.project(conn, principal, latest, events, loaded.template)
        return rebuild(events, applied[-1].seq)

    async def _decide_and_commit(
        self,
        principal: Principal,
        state: InstanceState,
        command: InstanceCommand,
        template: WorkflowTemplate,
        ctx: DecisionContext,
    ) -> InstanceState:
        decision = decide(state, command, template, ctx, self._engine)
        if not decision.events:
            return state  # what was asked holds already (work assigned to whom it names)
        if decision.gates:
            failed = await self._failed_gates(principal, state, template, decision, ctx)
            if failed:
                await self._commit(
                    principal, state, [gate_failure(state, ctx, decision, failed)], template
                )
                raise GateFailed(failed)
        return await self._commit(principal, state, decision.events, template)

    async def _failed_gates(
        self,
        principal: Principal,
        state: InstanceState,
        template: WorkflowTemplate,
        decision: Decision,
        ctx: DecisionContext,
    ) -> list[Any]:
        steps: dict[str, Mapping[str, Any]] = dict(state.completed_data())
        for event in decision.events:
            if isinstance(event.payload, StepCompletedData) and event.step_id:
                steps[event.step_id] = event.payload.data
        configs = {s.id: s.config for s in template.steps}
        files = await self._file_facts(principal, template, steps)
        results = {}
        for check in decision.gates:
            context = GateContext(check, state, principal, steps, configs, ctx.tenant, files)
            results[check.gate] = await self._gates.evaluate(context)
        return decision.failed_gates(results)

    async def _file_facts(
        self,
        principal: Principal,
        template: WorkflowTemplate,
        steps: Mapping[str, Mapping[str, Any]],
    ) -> dict[str, FileFacts]:
        """The files the steps' data names (`format: file-id`) that the principal sees."""
        named = {
            value
            for step_id, data in steps.items()
            if template.has_step(step_id)
            for value in values_of_format(template.step(step_id).data_schema, data, FILE_ID_FORMAT)
            if is_file_id(value)
        }
        if not named or self._files is None:
            return {}
        async with self._db.transaction(principal) as conn:
            found = await self._files.by_ids(conn, [uuid.UUID(v) for v in named])
        return {str(file_id): record.facts for file_id, record in found.items()}

    async def _commit(
        self,
        principal: Principal,
        state: InstanceState | None,
        events: Sequence[Event],
        template: WorkflowTemplate,
    ) -> InstanceState:
        await self._events.append(events)
        await self._faults.reached("events_appended")
        new_state = fold(events, state)
        assert new_state is not None
        await self._documents.save(new_state)
        await self._faults.reached("document_saved")
        # the log holds the events now: a session ending meanwhile must not leave them unprojected
        async with self._db.transaction(principal.admitted()) as conn:
            await self._projector.project(conn, principal, new_state, events, template)
        await self._faults.reached("index_updated")
        return new_state

    async def _templates(
        self, principal: Principal, ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, TemplateRecord]:
        async with self._db.transaction(principal) as conn:
            return await self._templates_repo.by_ids(conn, ids)
