"""The worker's jobs: each translates its payload and delegates to one service. Every job
runs at least once: the services' effects are idempotent (dedupe keys, idempotency keys on
commands, conditional writes), so a retry or a second worker after a crash changes nothing
that was already done."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from wfm_bootstrap import Services
from wfm_integrations.http_calls import backoff_delay
from wfm_shared.retries import RetryLater
from wfm_worker.metrics import WorkerMetrics


class JobHandlers:
    def __init__(self, services: Services, metrics: WorkerMetrics) -> None:
        self.s = services
        self.metrics = metrics

    def backoff(self, attempt: int) -> timedelta:
        settings = self.s.settings
        return backoff_delay(
            attempt,
            timedelta(seconds=settings.retry_base_seconds),
            cap=timedelta(seconds=settings.retry_cap_seconds),
        )

    async def dispatch_event(self, payload: dict[str, Any], attempt: int) -> None:
        await self.s.automation.dispatch_event(uuid.UUID(payload["instanceId"]), payload["seq"])

    async def platform_event(self, payload: dict[str, Any], attempt: int) -> None:
        await self.s.triggers.fire_on_platform_event(
            payload["type"], uuid.UUID(payload["tenantId"])
        )

    async def start_triggered_workflow(self, payload: dict[str, Any], attempt: int) -> None:
        await self.s.triggers.start_triggered_workflow(
            uuid.UUID(payload["triggerId"]),
            payload["fireKey"],
            payload["trigger"],
            tenant_id=uuid.UUID(payload["tenantId"]) if payload.get("tenantId") else None,
            correlation_id=payload.get("correlationId"),
        )

    async def deliver_webhook(self, payload: dict[str, Any], attempt: int) -> None:
        outcome = await self.s.webhooks.deliver(uuid.UUID(payload["deliveryId"]))
        if outcome is not None and outcome.retry:
            raise RetryLater(outcome.reason or "not delivered", self.backoff(outcome.attempt))

    async def run_system_step(self, payload: dict[str, Any], attempt: int) -> None:
        await self.s.automation.run_system_step(
            uuid.UUID(payload["instanceId"]), payload["stepId"], payload["activationSeq"], attempt
        )

    async def send_compensation(self, payload: dict[str, Any], attempt: int) -> None:
        await self.s.automation.send_compensation(
            uuid.UUID(payload["instanceId"]), payload["seq"], attempt
        )

    async def timer_fired(self, payload: dict[str, Any], attempt: int) -> None:
        self.metrics.timers_fired.labels(payload["kind"]).inc()
        await self.s.automation.timer_fired(
            uuid.UUID(payload["instanceId"]),
            payload["kind"],
            payload.get("stepId"),
            int(payload["activationSeq"]),
        )

    async def provision_api_access(self, payload: dict[str, Any], attempt: int) -> None:
        await self.s.api_access.sync(uuid.UUID(payload["tenantId"]), payload["marketRole"])

    async def sync_api_access(self, payload: dict[str, Any], attempt: int) -> None:
        await self.s.api_access.sync(uuid.UUID(payload["tenantId"]), payload["marketRole"])

    async def scan_file(self, payload: dict[str, Any], attempt: int) -> None:
        await self.s.files.scan_pending(
            uuid.UUID(payload["fileId"]), uuid.UUID(payload["tenantId"])
        )

    async def job_held(self, payload: dict[str, Any], attempt: int) -> None:
        await self.s.jobs.notify_held(
            int(payload["jobId"]),
            payload["entrypoint"],
            payload.get("payload") or {},
            int(payload["attempts"]),
            payload["error"],
            payload["key"],
        )
