"""Inbound webhooks: a vendor's system starts a workflow by POSTing to a webhook trigger's URL
(`/hooks/{triggerId}`), signed as Standard Webhooks specifies (standardwebhooks.com) with the
secret shown when the trigger was created.

A request, in order:
1. a trigger that is not a webhook trigger, is switched off or is not on file: NOT_FOUND,
   the same for each (an id says nothing about whose it is);
2. at most `max_requests` requests per trigger within `window_seconds`, counted for every
   process in PostgreSQL (`wfm.throttle_windows`): else RATE_LIMITED with the seconds to
   wait; what the limit refuses is not logged, so a flood cannot fill the log;
3. the signature (`webhook-signature`, `v1,` entries, any one may match: a sender rotating
   its secret signs with both) over `{webhook-id}.{webhook-timestamp}.{body}`, and the
   timestamp within 5 minutes of the platform's clock: else UNAUTHENTICATED, logged as
   failed;
4. a `webhook-id` that started (or was skipped for) a workflow before: answered with that
   first run, logged as `duplicate`, nothing started (senders retry with the same id);
5. the body: a JSON object valid under the trigger's input schema, else VALIDATION_FAILED
   with the problems at their paths in the body, logged as failed;
6. the workflow started with the variables mapped from the body, the run logged with the
   webhook-id as its correlation id."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wfm_integrations.webhooks import WebhookVerificationError, verify
from wfm_shared.clock import Clock
from wfm_shared.errors import FieldError, NotFound, RateLimited, Unauthenticated, ValidationFailed
from wfm_shared.logging import get_logger
from wfm_shared.principal import system_principal
from wfm_shared.sealing import SecretBox
from wfm_storage.postgres import Database
from wfm_storage.repositories.throttle import ThrottleWindows, WindowCheck
from wfm_storage.repositories.trigger_runs import TriggerRun, TriggerRunRepository
from wfm_storage.repositories.triggers import Trigger, TriggerRepository
from wfm_workflows.triggers import RunRequest, TriggerService

log = get_logger("wfm.hooks")

THROTTLE_SCOPE = "trigger_hook"
# within the new workflow's idempotency key (at most 200 characters)
MAX_WEBHOOK_ID_LENGTH = 150
# how many of a body's problems a failed run's reason names
REASON_PROBLEMS = 5


class HookNotVerified(Unauthenticated):
    """A request whose signature or timestamp does not hold."""


class HookRateLimited(RateLimited):
    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"too many requests for this trigger; retry in {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds

    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, "retryAfterSeconds": self.retry_after_seconds}


@dataclass(frozen=True)
class HookReceipt:
    """What a request did: the run it started, or (`replayed`) the first run of its
    webhook-id, which it repeats."""

    run: TriggerRun
    replayed: bool = False


class InboundHooks:
    def __init__(
        self,
        db: Database,
        *,
        triggers: TriggerRepository,
        runs: TriggerRunRepository,
        trigger_service: TriggerService,
        secrets: SecretBox,
        throttle: ThrottleWindows,
        clock: Clock,
        max_requests: int,
        window_seconds: float,
    ) -> None:
        self._db = db
        self._triggers = triggers
        self._runs = runs
        self._service = trigger_service
        self._secrets = secrets
        self._throttle = throttle
        self._clock = clock
        self._max_requests = max_requests
        self._window_seconds = window_seconds
        self._platform = system_principal()

    async def receive(
        self, trigger_id: str, headers: Mapping[str, str], body: bytes
    ) -> HookReceipt:
        trigger = await self._webhook_trigger(trigger_id)
        await self._admit(trigger)
        try:
            webhook_id = self._verified(trigger, headers, body)
        except HookNotVerified as refused:
            # logged without the request's webhook-id: nothing unverified is kept as it came
            await self._service.log_run(trigger, "failed", reason=refused.message)
            raise
        try:
            return await self._start(trigger, webhook_id, body)
        except ValidationFailed as refused:
            await self._service.log_run(
                trigger,
                "failed",
                reason=_reason(refused),
                correlation_id=webhook_id if _is_webhook_id(webhook_id) else None,
                webhook_id=webhook_id if _is_webhook_id(webhook_id) else None,
            )
            raise

    async def _webhook_trigger(self, trigger_id: str) -> Trigger:
        try:
            ident = uuid.UUID(trigger_id)
        except ValueError:
            raise NotFound("webhook trigger", trigger_id) from None
        async with self._db.transaction(self._platform) as conn:
            trigger = await self._triggers.get(conn, ident)
        if trigger is None or trigger.kind != "webhook" or not trigger.active:
            raise NotFound("webhook trigger", ident)
        return trigger

    async def _admit(self, trigger: Trigger) -> None:
        check = WindowCheck(
            THROTTLE_SCOPE, str(trigger.id), self._max_requests, self._window_seconds
        )
        async with self._db.connection() as conn:
            wait = await self._throttle.admit(conn, [check], self._clock.now())
        if wait > 0:
            log.warning("hook_throttled", trigger=str(trigger.id))
            raise HookRateLimited(max(1, math.ceil(wait)))

    def _verified(self, trigger: Trigger, headers: Mapping[str, str], body: bytes) -> str:
        """The request's webhook-id, once its signature and timestamp hold."""
        assert trigger.signing_secret is not None
        secret = self._secrets.open(trigger.signing_secret)
        try:
            verify(secret, headers, body, now=self._clock.now())
        except WebhookVerificationError as error:
            raise HookNotVerified(f"the request is not verified: {error}") from None
        return str({k.lower(): v for k, v in headers.items()}["webhook-id"])

    async def _start(self, trigger: Trigger, webhook_id: str, body: bytes) -> HookReceipt:
        if not _is_webhook_id(webhook_id):
            raise ValidationFailed(
                "the webhook-id header is not valid",
                [
                    FieldError(
                        ("webhook-id",),
                        f"must be 1 to {MAX_WEBHOOK_ID_LENGTH} printable characters",
                    )
                ],
            )
        first = await self._first_run(trigger, webhook_id)
        if first is not None:
            return await self._replayed(trigger, webhook_id, first)
        request = RunRequest(
            input=_json_body(body),
            correlation_id=webhook_id,
            fired_by={"type": "webhook"},
            webhook_id=webhook_id,
            workflow_key=f"hook:{trigger.id}:{webhook_id}",
            at_path=(),
        )
        run = await self._service.start_with_input(self._platform, trigger, request)
        if run is not None:
            return HookReceipt(run)
        # the same webhook-id, delivered twice at once: the other one's run is the first
        first = await self._first_run(trigger, webhook_id)
        assert first is not None
        return await self._replayed(trigger, webhook_id, first)

    async def _first_run(self, trigger: Trigger, webhook_id: str) -> TriggerRun | None:
        async with self._db.transaction(self._platform) as conn:
            return await self._runs.first_of_webhook(conn, trigger.id, webhook_id)

    async def _replayed(self, trigger: Trigger, webhook_id: str, first: TriggerRun) -> HookReceipt:
        await self._service.log_run(
            trigger,
            "duplicate",
            reason=f"webhook-id received before: run {first.id}",
            correlation_id=webhook_id,
            webhook_id=webhook_id,
        )
        return HookReceipt(first, replayed=True)


def _is_webhook_id(webhook_id: str) -> bool:
    return 1 <= len(webhook_id) <= MAX_WEBHOOK_ID_LENGTH and webhook_id.isprintable()


def _json_body(body: bytes) -> object:
    """The body as JSON; VALIDATION_FAILED when it is not JSON encoded in UTF-8."""
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_not_json)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ValidationFailed(
            "the body is not JSON", [FieldError((), "must be a JSON object encoded in UTF-8")]
        ) from None


def _not_json(constant: str) -> object:
    # Python's decoder takes NaN and Infinity, which JSON does not have
    raise ValueError(constant)


def _reason(refused: ValidationFailed) -> str:
    problems = [
        f"{'.'.join(str(p) for p in problem.path) or '(body)'}: {problem.message}"
        for problem in refused.errors[:REASON_PROBLEMS]
    ]
    more = len(refused.errors) - len(problems)
    return "; ".join([refused.message, *problems, *([f"{more} more"] if more > 0 else [])])
