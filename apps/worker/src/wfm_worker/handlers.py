"""The worker's jobs. Each runs at least once: every effect is idempotent (dedupe keys,
idempotency keys on commands, conditional writes), so a retry or a second worker after a
crash changes nothing that was already done."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from wfm_engine import (
    CancelWorkflow,
    Event,
    EventType,
    ExecuteStep,
    FailWorkflow,
    InstanceCommand,
    InstanceState,
    RecordSlaBreach,
    RejectWorkflow,
    WorkflowStatus,
)
from wfm_engine.durations import parse_duration
from wfm_engine.events import public_event_name
from wfm_engine.steps import ApiCallConfig, HttpRequest, NotificationConfig, WebhookConfig
from wfm_engine.template import StepDefinition
from wfm_integrations.http_calls import (
    HttpCallResult,
    HttpCallSpec,
    PermanentCallError,
    RetryableCallError,
    backoff_delay,
    perform_call,
)
from wfm_integrations.kong import KongError
from wfm_integrations.mail import LocalizedMessage
from wfm_integrations.webhooks import WebhookMessage, deliver
from wfm_shared.documents import storable_text
from wfm_shared.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    OnboardingExists,
    ValidationFailed,
)
from wfm_shared.logging import get_logger
from wfm_storage import jobs
from wfm_storage.repositories.webhooks import Subscription
from wfm_worker.context import WorkerDeps
from wfm_worker.notifier import PLATFORM_MESSAGES, Notifier, TransientFailure, message_context
from wfm_workflows.service import Loaded

log = get_logger("wfm.worker")
API_ACCESS_NAMESPACE = uuid.UUID("3b1f6a1e-4f61-4c5e-9c1b-7a2d41f0c9e2")


class RetryLater(Exception):
    """The job should run again after `delay`; `attempts_left` is False on the last try."""

    def __init__(self, reason: str, delay: timedelta) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delay = delay


class WaitFor(RetryLater):
    """The job waits for another one to finish first: run again after `delay`, however many
    times it waited already (waiting is not failing)."""


class CallAbandoned(Exception):
    """An outgoing call that will not be tried again: permanently refused, or out of attempts."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class JobHandlers:
    def __init__(self, deps: WorkerDeps) -> None:
        self.d = deps
        self.notifier = Notifier(deps)

    def backoff(self, attempt: int, base: timedelta | None = None) -> timedelta:
        settings = self.d.settings
        return backoff_delay(
            attempt,
            base or timedelta(seconds=settings.retry_base_seconds),
            cap=timedelta(seconds=settings.retry_cap_seconds),
        )

    async def _load(self, instance_id: str) -> Loaded | None:
        try:
            return await self.d.workflows.load(self.d.principal, uuid.UUID(instance_id))
        except NotFound:
            return None

    async def _command(
        self, loaded: Loaded, command: InstanceCommand, key: str
    ) -> InstanceState | None:
        """Issue a command as the platform; a command the workflow has moved past is dropped."""
        self.d.metrics.transitions.labels(type(command).__name__).inc()
        try:
            return await self.d.workflows.execute(
                self.d.principal,
                uuid.UUID(loaded.state.id),
                command,
                idempotency_key=key,
                correlation_id=key,
            )
        except (InvalidTransition, NotFound) as stale:
            log.info(
                "command_dropped",
                instance=loaded.state.id,
                command=type(command).__name__,
                reason=stale.message,
            )
            return None
        except Conflict as conflict:
            raise RetryLater(
                conflict.message, timedelta(seconds=self.d.settings.retry_base_seconds)
            ) from conflict

    # -- events -------------------------------------------------------------------------

    async def dispatch_event(self, payload: dict[str, Any], attempt: int) -> None:
        loaded = await self._load(payload["instanceId"])
        if loaded is None:
            return
        events = await self.d.storage.events.for_instance(self.d.principal, loaded.state.id)
        event = next((e for e in events if e.seq == payload["seq"]), None)
        if event is None:
            return
        message = WebhookMessage(
            id=f"msg_{loaded.state.id}_{event.seq}",
            type=public_event_name(event.type),
            timestamp=event.occurred_at,
            data=self._event_data(loaded, event),
        )
        await self._fan_out(uuid.UUID(loaded.state.tenant_id), message)
        await self._notify_about(loaded, event)
        await self._start_event_triggers(loaded, event, message.type)
        if (
            event.type is EventType.WORKFLOW_APPROVED
            and loaded.template.grants_market_role
            and loaded.state.market_role in self.d.settings.kong_roles
            and self.d.kong is not None
        ):
            job = {"tenantId": loaded.state.tenant_id, "marketRole": loaded.state.market_role}
            async with self.d.storage.db.transaction(self.d.principal) as conn:
                key = jobs.api_access_key(loaded.state.tenant_id, loaded.state.market_role)
                await self.d.storage.jobs.enqueue(
                    conn, jobs.PROVISION_API_ACCESS, job, dedupe_key=key
                )

    def _event_data(self, loaded: Loaded, event: Event) -> dict[str, Any]:
        return {
            "workflowId": loaded.state.id,
            "tenantId": loaded.state.tenant_id,
            "templateKey": loaded.state.template_key,
            "templateVersion": loaded.state.template_version,
            "marketRole": loaded.state.market_role,
            "seq": event.seq,
            "eventType": event.type.value,
            "stepId": event.step_id,
            "data": dict(event.data),
        }

    async def _fan_out(self, tenant_id: uuid.UUID, message: WebhookMessage) -> list[str]:
        """One delivery (and one delivery job) per subscription that wants this message."""
        storage = self.d.storage
        created: list[str] = []
        async with storage.db.transaction(self.d.principal) as conn:
            subscriptions = await storage.webhooks.subscriptions(
                conn, tenant_id=tenant_id, active_only=True
            )
            for subscription in (s for s in subscriptions if s.wants(message.type)):
                payload = {
                    "type": message.type,
                    "timestamp": message.timestamp.isoformat(),
                    "data": dict(message.data),
                }
                delivery_id = await storage.webhooks.add_delivery(
                    conn,
                    subscription,
                    message_id=message.id,
                    event_type=message.type,
                    payload=payload,
                )
                if delivery_id is not None:
                    key = jobs.delivery_key(str(delivery_id))
                    await storage.jobs.enqueue(
                        conn, jobs.DELIVER_WEBHOOK, {"deliveryId": str(delivery_id)}, dedupe_key=key
                    )
                    created.append(str(delivery_id))
        return created

    async def _notify_about(self, loaded: Loaded, event: Event) -> None:
        message = PLATFORM_MESSAGES.get(event.type.value)
        if message is None:
            return
        storage, state = self.d.storage, loaded.state
        async with storage.db.transaction(self.d.principal) as conn:
            if event.type is EventType.STEP_SLA_BREACHED:
                role = event.data.get("escalateTo") or "market_ops"
                users = await storage.notifications.addressees(
                    conn, role=role, tenant_id=uuid.UUID(state.tenant_id)
                )
            else:
                # the participant: whoever created the workflow
                creator = await storage.notifications.addressee(conn, uuid.UUID(state.created_by))
                users = [creator] if creator else []
        extra = {
            "reason": event.data.get("reason", ""),
            "contractReference": event.data.get("contractReference", ""),
            "step": event.step_id or "",
            "duration": event.data.get("duration", ""),
        }
        await self.notifier.send(
            users=users,
            outsiders=[],
            message=message,
            context_for=lambda language: message_context(
                state, loaded.template, loaded.tenant, language, **extra
            ),
            kind=event.type.value,
            workflow_id=uuid.UUID(state.id),
            dedupe_key=jobs.event_key(state.id, event.seq),
        )

    async def _start_event_triggers(self, loaded: Loaded, event: Event, event_type: str) -> None:
        state, storage = loaded.state, self.d.storage
        async with storage.db.transaction(self.d.principal) as conn:
            triggers = await storage.triggers.list(
                conn, kind="event", tenant_id=uuid.UUID(state.tenant_id)
            )
            for trigger in triggers:
                wanted = trigger.filter
                if trigger.event_type != event_type or any(
                    wanted.get(k) not in (None, actual)
                    for k, actual in (
                        ("templateKey", state.template_key),
                        ("marketRole", state.market_role),
                        ("stepId", event.step_id),
                    )
                ):
                    continue
                fire_key = jobs.event_key(state.id, event.seq)
                if await storage.triggers.claim(conn, trigger, fire_key):
                    job = {
                        "triggerId": str(trigger.id),
                        "fireKey": fire_key,
                        "trigger": {
                            "type": "event",
                            "eventType": event_type,
                            "workflowId": state.id,
                            "seq": event.seq,
                        },
                        "correlationId": event.correlation_id or fire_key,
                    }
                    await storage.jobs.enqueue(
                        conn,
                        jobs.START_TRIGGERED,
                        job,
                        dedupe_key=jobs.firing_key(str(trigger.id), fire_key),
                    )

    async def platform_event(self, payload: dict[str, Any], attempt: int) -> None:
        """`tenant.created` and the like: start the triggers waiting for it (the tenant's own,
        and the platform's, which market operations keep for every tenant)."""
        storage, tenant_id = self.d.storage, uuid.UUID(payload["tenantId"])
        fire_key = f"{payload['type']}:{payload['tenantId']}"
        async with storage.db.transaction(self.d.principal) as conn:
            for trigger in await storage.triggers.list(conn, kind="event"):
                if (
                    trigger.tenant_id not in (None, tenant_id)
                    or trigger.event_type != payload["type"]
                ):
                    continue
                if await storage.triggers.claim(conn, trigger, fire_key, tenant_id):
                    job = {
                        "triggerId": str(trigger.id),
                        "tenantId": str(tenant_id),
                        "fireKey": fire_key,
                        "trigger": {"type": "event", "eventType": payload["type"]},
                    }
                    key = jobs.firing_key(str(trigger.id), fire_key)
                    await storage.jobs.enqueue(conn, jobs.START_TRIGGERED, job, dedupe_key=key)

    async def start_triggered_workflow(self, payload: dict[str, Any], attempt: int) -> None:
        storage = self.d.storage
        async with storage.db.transaction(self.d.principal) as conn:
            trigger = await storage.triggers.get(conn, uuid.UUID(payload["triggerId"]))
        if trigger is None:
            return
        key = jobs.firing_key(str(trigger.id), payload["fireKey"])
        # a platform trigger starts the workflow in the tenant the event is about
        tenant_id = trigger.tenant_id or uuid.UUID(payload["tenantId"])
        try:
            await self.d.workflows.create_workflow(
                self.d.principal,
                market_role=trigger.market_role,
                template_key=trigger.template_key,
                tenant_id=tenant_id,
                trigger={
                    **payload["trigger"],
                    "triggerId": str(trigger.id),
                    "name": trigger.name,
                    "fireKey": payload["fireKey"],
                },
                correlation_id=payload.get("correlationId") or key,
                idempotency_key=key,
            )
        except OnboardingExists as exists:
            # retrying cannot help: the tenant is onboarded, or being onboarded, for the role
            log.info("trigger_skipped", trigger=str(trigger.id), reason=exists.message)
            async with storage.db.transaction(self.d.principal) as conn:
                await storage.audit.append(
                    conn,
                    principal=self.d.principal,
                    tenant_id=tenant_id,
                    action="TRIGGER_SKIPPED",
                    target_type="trigger",
                    target_id=str(trigger.id),
                    details={"fireKey": payload["fireKey"], **exists.extensions()},
                    request_id=key,
                )

    # -- webhooks -------------------------------------------------------------------------

    async def deliver_webhook(self, payload: dict[str, Any], attempt: int) -> None:
        storage = self.d.storage
        async with storage.db.transaction(self.d.principal) as conn:
            delivery = await storage.webhooks.delivery(conn, uuid.UUID(payload["deliveryId"]))
            subscription: Subscription | None = (
                await storage.webhooks.subscription(conn, delivery.subscription_id)
                if delivery
                else None
            )
        if delivery is None or subscription is None or delivery.status == "delivered":
            return
        message = WebhookMessage(
            id=delivery.message_id,
            type=delivery.event_type,
            timestamp=datetime.fromisoformat(delivery.payload["timestamp"]),
            data=delivery.payload.get("data", {}),
        )
        outcome = await deliver(
            self.d.outgoing,
            subscription.url,
            subscription.secret,
            message,
            timeout_seconds=self.d.settings.webhook_timeout_seconds,
        )
        gave_up = not outcome.delivered and (
            outcome.refused or delivery.attempts + 1 >= self.d.settings.job_max_attempts
        )
        async with storage.db.transaction(self.d.principal) as conn:
            await storage.webhooks.record_attempt(
                conn,
                delivery,
                status_code=outcome.status_code,
                error=outcome.error,
                duration_ms=outcome.duration_ms,
                delivered=outcome.delivered,
                gave_up=gave_up,
                at=self.d.clock.now(),
            )
        if not outcome.delivered and not gave_up:
            raise RetryLater(outcome.error or "not delivered", self.backoff(delivery.attempts + 1))

    # -- system steps ---------------------------------------------------------------------

    async def run_system_step(self, payload: dict[str, Any], attempt: int) -> None:
        loaded = await self._load(payload["instanceId"])
        if loaded is None or not self._still_current(
            loaded.state, payload["stepId"], payload["activationSeq"]
        ):
            return
        step = loaded.template.step(payload["stepId"])
        key = f"system:{loaded.state.id}:{payload['activationSeq']}"
        if step.type == "api_call":
            await self._api_call(loaded, step.id, attempt, key)
        elif step.type == "notification":
            config = NotificationConfig.model_validate(step.config)
            users, outsiders = [], []
            for spec in config.to:
                found_users, found_outsiders = await self.notifier.addressees(spec, loaded.state)
                users += found_users
                outsiders += found_outsiders
            message = LocalizedMessage(
                subject=config.subject.model_dump(), body=config.body.model_dump()
            )
            outcome = await self.notifier.send(
                users=users,
                outsiders=outsiders,
                message=message,
                context_for=lambda language: message_context(
                    loaded.state, loaded.template, loaded.tenant, language
                ),
                kind="notification",
                workflow_id=uuid.UUID(loaded.state.id),
                dedupe_key=key,
                channels=frozenset({config.channel, "in_app"}),
            )
            await self._command(
                loaded, ExecuteStep(step.id, {"deliveredTo": outcome.delivered_to}), key
            )
        elif step.type == "webhook":
            config = WebhookConfig.model_validate(step.config)
            message = WebhookMessage(
                id=f"msg_{loaded.state.id}_step_{payload['activationSeq']}",
                type=config.event_type,
                timestamp=self.d.clock.now(),
                data={
                    "workflowId": loaded.state.id,
                    "steps": {
                        s: dict(d)
                        for s, d in loaded.state.completed_data().items()
                        if s in config.include_steps
                    },
                },
            )
            await self._fan_out(uuid.UUID(loaded.state.tenant_id), message)
            await self._command(loaded, ExecuteStep(step.id, {"deliveryId": message.id}), key)

    def _still_current(self, state: InstanceState, step_id: str, activation_seq: int) -> bool:
        activation = state.metadata.get("activation") or {}
        return (
            state.status is WorkflowStatus.IN_PROGRESS
            and state.current_step_id == step_id
            and activation.get("seq") == activation_seq
        )

    async def _api_call(self, loaded: Loaded, step_id: str, attempt: int, key: str) -> None:
        step = loaded.template.step(step_id)
        config = ApiCallConfig.model_validate(step.config)
        async with self.d.storage.db.transaction(self.d.principal) as conn:
            compensating = await self.d.storage.jobs.pending(
                conn, jobs.SEND_COMPENSATION, jobs.compensation_prefix(loaded.state.id)
            )
        if compensating:
            # the peer undoes the earlier call before it gets this one
            raise WaitFor(
                "a compensation of this workflow is still being sent",
                timedelta(seconds=self.d.settings.retry_base_seconds),
            )
        try:
            result = await self._call(step, config, config, attempt, key)
        except CallAbandoned as abandoned:
            await self._command(
                loaded, FailWorkflow(f"step {step_id!r}: {abandoned.reason}"), f"fail:{key}"
            )
            return
        data = {"status": result.status, "body": result.body, "attempts": attempt}
        try:
            await self._command(loaded, ExecuteStep(step_id, data), key)
        except ValidationFailed as invalid:
            # the response's own keys may be what the databases cannot keep
            problems = storable_text(
                "; ".join(f"{'.'.join(map(str, e.path))} {e.message}" for e in invalid.errors)
            )
            await self._command(
                loaded,
                FailWorkflow(f"step {step_id!r}: unexpected response: {problems}"),
                f"fail:{key}",
            )

    async def _call(
        self,
        step: StepDefinition,
        config: ApiCallConfig,
        request: HttpRequest,
        attempt: int,
        key: str,
    ) -> HttpCallResult:
        """One attempt at `request` under the step's retry rules: the result, RetryLater
        while attempts remain, or CallAbandoned."""
        spec = HttpCallSpec(
            url=str(request.url),
            method=request.method,
            headers=request.headers,
            body=request.body,
            timeout_seconds=request.timeout_seconds,
            retry_on_status=frozenset(config.retry_on_status),
        )
        max_attempts = (step.retry.max + 1) if step.retry else self.d.settings.job_max_attempts
        try:
            return await perform_call(self.d.outgoing, spec, idempotency_key=key)
        except RetryableCallError as error:
            if attempt < max_attempts:
                base = timedelta(seconds=self.d.settings.retry_base_seconds)
                if step.retry:
                    base = parse_duration(step.retry.backoff)
                raise RetryLater(error.reason, self.backoff(attempt, base)) from error
            raise CallAbandoned(f"{error.reason} (gave up after {attempt} attempts)") from error
        except PermanentCallError as error:
            raise CallAbandoned(error.reason) from error

    # -- compensations --------------------------------------------------------------------

    async def send_compensation(self, payload: dict[str, Any], attempt: int) -> None:
        """Carry out the compensating request that a rollback recorded on STEP_COMPENSATED,
        under the step's retry rules and with an idempotency key of its own. One that cannot
        be carried out fails the workflow with the reason, as a compensation that fails
        during the rollback does; either way the audit log says what happened."""
        loaded = await self._load(payload["instanceId"])
        if loaded is None:
            return
        events = await self.d.storage.events.for_instance(self.d.principal, loaded.state.id)
        event = next((e for e in events if e.seq == payload["seq"]), None)
        if event is None or event.type is not EventType.STEP_COMPENSATED or not event.step_id:
            return
        step = loaded.template.step(event.step_id)
        request = HttpRequest.model_validate(event.data["compensation"]["request"])
        key = jobs.compensation_key(loaded.state.id, event.seq)
        details: dict[str, Any] = {"seq": event.seq, "stepId": step.id, "attempts": attempt}
        try:
            result = await self._call(
                step, ApiCallConfig.model_validate(step.config), request, attempt, key
            )
        except CallAbandoned as abandoned:
            await self._audit(loaded, "STEP_COMPENSATION_FAILED", key, details, abandoned.reason)
            reason = f"the compensation of step {step.id!r} was not carried out: {abandoned.reason}"
            await self._command(loaded, FailWorkflow(reason), f"fail:{key}")
            return
        details["status"] = result.status
        await self._audit(loaded, "STEP_COMPENSATION_SENT", key, details)

    async def _audit(
        self,
        loaded: Loaded,
        action: str,
        key: str,
        details: dict[str, Any],
        reason: str | None = None,
    ) -> None:
        async with self.d.storage.db.transaction(self.d.principal) as conn:
            await self.d.storage.audit.append(
                conn,
                principal=self.d.principal,
                tenant_id=uuid.UUID(loaded.state.tenant_id),
                action=action,
                target_type="workflow",
                target_id=loaded.state.id,
                details=details if reason is None else {**details, "reason": reason},
                request_id=key,
            )

    # -- timers ---------------------------------------------------------------------------

    async def timer_fired(self, payload: dict[str, Any], attempt: int) -> None:
        loaded = await self._load(payload["instanceId"])
        if loaded is None:
            return
        kind, step_id, activation = (
            payload["kind"],
            payload.get("stepId"),
            int(payload["activationSeq"]),
        )
        key = f"timer:{loaded.state.id}:{kind}:{activation}"
        self.d.metrics.timers_fired.labels(kind).inc()
        if kind == "sla":
            await self._command(loaded, RecordSlaBreach(step_id, activation), key)
        elif kind == "delay":
            if self._still_current(loaded.state, step_id, activation):
                await self._command(
                    loaded, ExecuteStep(step_id, {"resumedAt": self.d.clock.now().isoformat()}), key
                )
        elif kind == "approval_deadline":
            await self._expire_approval(loaded, step_id, activation, key)

    async def _expire_approval(
        self, loaded: Loaded, step_id: str | None, activation: int, key: str
    ) -> None:
        state, template = loaded.state, loaded.template
        reason = "the approval deadline passed without a decision"
        if step_id is None:
            deadline = template.submission.approval.deadline
            if (
                deadline is None
                or state.status is not WorkflowStatus.SUBMITTED
                or state.metadata.get("submittedSeq") != activation
            ):
                return
            command: InstanceCommand = {
                "reject": RejectWorkflow(reason),
                "fail": FailWorkflow(reason),
                "cancel": CancelWorkflow(reason),
            }[deadline.on_expiry]
        else:
            if not self._still_current(state, step_id, activation):
                return
            on_expiry = template.step(step_id).config.get("deadline", {}).get("onExpiry", "reject")
            command = {
                "reject": ExecuteStep(step_id, {"decision": "reject", "comment": reason}),
                "fail": FailWorkflow(reason),
                "cancel": CancelWorkflow(reason),
            }[on_expiry]
        await self._command(loaded, command, key)

    # -- API access -----------------------------------------------------------------------

    async def provision_api_access(self, payload: dict[str, Any], attempt: int) -> None:
        kong, storage = self.d.kong, self.d.storage
        if kong is None:
            return
        tenant_id, role = uuid.UUID(payload["tenantId"]), payload["marketRole"]
        async with storage.db.transaction(self.d.principal) as conn:
            tenant = await storage.tenants.get(conn, tenant_id)
        if tenant is None:
            return
        username = f"{tenant.slug}-{role.lower()}"
        credential_id = uuid.uuid5(API_ACCESS_NAMESPACE, f"{tenant_id}:{role}")
        tags = ["wfm", f"role-{role.lower()}"]
        try:
            consumer = await kong.ensure_consumer(username, f"{tenant_id}:{role}", tags)
            await kong.ensure_key_auth(username, credential_id, tags)
        except KongError as error:
            if error.retryable:
                raise TransientFailure(error.reason) from error
            raise
        async with storage.db.transaction(self.d.principal) as conn:
            await storage.triggers.record_api_access(
                conn,
                tenant_id=tenant_id,
                market_role=role,
                username=username,
                consumer_id=str(consumer.get("id")) if consumer.get("id") else None,
                credential_id=credential_id,
            )
