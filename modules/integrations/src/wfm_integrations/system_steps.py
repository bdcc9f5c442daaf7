"""The built-in system-step runners (see `wfm_engine.steps.SystemStepRunner`): `api_call`
(an HTTP request under the step's retry rules), `notification` (e-mail and in-app) and
`webhook` (a message to the tenant's subscriptions). `delay` needs no runner: its timer
completes it. Extensions register runners of their own beside these."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import httpx

from wfm_engine import StepRunOutcome, SystemStepRun, SystemStepRunner
from wfm_engine.durations import parse_duration
from wfm_engine.steps import (
    API_CALL_EXPRESSIONS,
    NOTIFICATION_EXPRESSIONS,
    WEBHOOK_EXPRESSIONS,
    ApiCallConfig,
    HttpRequest,
    NotificationConfig,
    WebhookConfig,
)
from wfm_engine.template import StepDefinition
from wfm_integrations.http_calls import (
    HttpCallResult,
    HttpCallSpec,
    PermanentCallError,
    RetryableCallError,
    backoff_delay,
    perform_call,
)
from wfm_integrations.mail import LocalizedMessage, Recipient, fill
from wfm_integrations.notifier import Notifier, message_context
from wfm_integrations.rendering import ActionFailed, ActionRenderer, sent_request
from wfm_integrations.subscriptions import WebhookService
from wfm_integrations.webhooks import WebhookMessage
from wfm_shared.clock import Clock
from wfm_shared.principal import system_principal
from wfm_shared.retries import RetryLater, WaitFor
from wfm_storage import jobs
from wfm_storage.postgres import Database
from wfm_storage.queue import JobQueue
from wfm_storage.repositories.notifications import Addressee


class CallAbandoned(Exception):
    """An outgoing call that will not be tried again: permanently refused, or out of attempts."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class StepCaller:
    """The HTTP requests of `api_call` steps and of their compensations, one attempt at a
    time, under the step's retry rules (else the platform's)."""

    def __init__(
        self,
        outgoing: httpx.AsyncClient,
        *,
        retry_base: timedelta,
        retry_cap: timedelta,
        max_attempts: int,
    ) -> None:
        self._outgoing = outgoing  # under the outgoing-call policy
        self._retry_base = retry_base
        self._retry_cap = retry_cap
        self._max_attempts = max_attempts

    async def call(
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
            query=request.query,
            body=request.body,
            timeout_seconds=request.timeout_seconds,
            retry_on_status=frozenset(config.retry_on_status),
        )
        max_attempts = (step.retry.max + 1) if step.retry else self._max_attempts
        try:
            return await perform_call(self._outgoing, spec, idempotency_key=key)
        except RetryableCallError as error:
            if attempt < max_attempts:
                base = parse_duration(step.retry.backoff) if step.retry else self._retry_base
                delay = backoff_delay(attempt, base, cap=self._retry_cap)
                raise RetryLater(error.reason, delay) from error
            raise CallAbandoned(f"{error.reason} (gave up after {attempt} attempts)") from error
        except PermanentCallError as error:
            raise CallAbandoned(error.reason) from error


def item_request(config: ApiCallConfig, run: SystemStepRun) -> HttpRequest:
    """The request of this run: the step's, and for an item of a forEach, the item in its
    body under the item's name (`forEach.as`): `{...body, "item": <the item>}`."""
    iteration = run.iteration
    if iteration is None:
        return config
    body = {**(config.body or {}), iteration.name: iteration.item}
    return config.model_copy(update={"body": body})


class ApiCallRunner:
    type = "api_call"

    def __init__(
        self,
        caller: StepCaller,
        db: Database,
        *,
        jobs: JobQueue,
        wait: timedelta,
        actions: ActionRenderer,
    ) -> None:
        self._caller = caller
        self._db = db
        self._jobs = jobs
        self._wait = wait  # before looking again for a compensation still being sent
        self._actions = actions

    async def run(self, run: SystemStepRun) -> StepRunOutcome:
        async with self._db.transaction(system_principal()) as conn:
            compensating = await self._jobs.pending(
                conn, jobs.SEND_COMPENSATION, jobs.compensation_prefix(run.state.id)
            )
        if compensating:
            # the peer undoes the earlier call before it gets this one
            raise WaitFor("a compensation of this workflow is still being sent", self._wait)
        try:
            action = await self._actions.context(run, API_CALL_EXPRESSIONS)
            config = action.render(run.step.config, API_CALL_EXPRESSIONS, ApiCallConfig)
        except ActionFailed as failed:
            return StepRunOutcome.failed(failed.reason)
        with action.redacting():  # what the peer answers may echo a secret
            try:
                result = await self._caller.call(
                    run.step, config, item_request(config, run), run.attempt, run.idempotency_key
                )
            except CallAbandoned as abandoned:
                return StepRunOutcome.failed(action.redact(abandoned.reason))
        return StepRunOutcome.completed(
            action.redact(
                {
                    "status": result.status,
                    "body": result.body,
                    "attempts": run.attempt,
                    "request": sent_request(config),
                }
            )
        )


class NotificationRunner:
    type = "notification"

    def __init__(self, notifier: Notifier, actions: ActionRenderer) -> None:
        self._notifier = notifier
        self._actions = actions

    async def run(self, run: SystemStepRun) -> StepRunOutcome:
        try:
            action = await self._actions.context(run, NOTIFICATION_EXPRESSIONS)
            # the `{path}` placeholders of the texts are filled here too, in their language,
            # so that nothing a `{{ }}` expression gave is read as one
            config = action.render(
                run.step.config,
                NOTIFICATION_EXPRESSIONS,
                NotificationConfig,
                literal=lambda at, text: fill(
                    text, message_context(run.state, run.template, run.tenant, str(at[-1]))
                ),
            )
        except ActionFailed as failed:
            return StepRunOutcome.failed(failed.reason)
        users: list[Addressee] = []
        outsiders: list[Recipient] = []
        for spec in config.to:
            found_users, found_outsiders = await self._notifier.addressees(spec, run.state)
            users += found_users
            outsiders += found_outsiders
        message = LocalizedMessage(
            subject=config.subject.model_dump(), body=config.body.model_dump()
        )
        outcome = await self._notifier.send(
            users=users,
            outsiders=outsiders,
            message=message,
            context_for=lambda language: {},  # the texts are rendered
            kind="notification",
            workflow_id=uuid.UUID(run.state.id),
            dedupe_key=run.idempotency_key,
            channels=frozenset({config.channel, "in_app"}),
        )
        return StepRunOutcome.completed({"deliveredTo": outcome.delivered_to})


class WebhookRunner:
    type = "webhook"

    def __init__(self, webhooks: WebhookService, clock: Clock, actions: ActionRenderer) -> None:
        self._webhooks = webhooks
        self._clock = clock
        self._actions = actions

    async def run(self, run: SystemStepRun) -> StepRunOutcome:
        try:
            action = await self._actions.context(run, WEBHOOK_EXPRESSIONS)
            config = action.render(run.step.config, WEBHOOK_EXPRESSIONS, WebhookConfig)
        except ActionFailed as failed:
            return StepRunOutcome.failed(failed.reason)
        data: dict[str, Any] = {
            "workflowId": run.state.id,
            "steps": {
                s: dict(d)
                for s, d in run.state.completed_data().items()
                if s in config.include_steps
            },
        }
        if config.payload is not None:
            data["payload"] = config.payload
        message_id = f"msg_{run.state.id}_step_{run.activation_seq}"
        if run.iteration is not None:
            # one message per item, the item under its name (`forEach.as`)
            message_id += f"_{run.iteration.index}"
            data[run.iteration.name] = run.iteration.item
        message = WebhookMessage(
            id=message_id, type=config.event_type, timestamp=self._clock.now(), data=data
        )
        await self._webhooks.fan_out(uuid.UUID(run.state.tenant_id), message)
        return StepRunOutcome.completed({"deliveryId": message.id})


def builtin_runners(
    *,
    caller: StepCaller,
    db: Database,
    jobs: JobQueue,
    notifier: Notifier,
    webhooks: WebhookService,
    clock: Clock,
    wait: timedelta,
    actions: ActionRenderer,
) -> Sequence[SystemStepRunner]:
    return [
        ApiCallRunner(caller, db, jobs=jobs, wait=wait, actions=actions),
        NotificationRunner(notifier, actions),
        WebhookRunner(webhooks, clock, actions),
    ]
