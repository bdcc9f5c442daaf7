"""The worker process: a pgqueuer consumer for the outbox jobs, the timer and schedule
clock, the periodic reconciler and retention sweep, and Prometheus metrics on its own port."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

import asyncpg
from pgqueuer import QueueManager, RetryRequested
from pgqueuer.domain.types import QueueExecutionMode
from pgqueuer.models import Job
from prometheus_client import start_http_server
from pymongo.errors import PyMongoError

from wfm_bootstrap import Services, bootstrap
from wfm_engine import InstanceCommand
from wfm_privacy.retention import RetentionReport
from wfm_shared.clock import Clock, SystemClock
from wfm_shared.errors import ServiceUnavailable
from wfm_shared.logging import get_logger
from wfm_shared.retries import RetryLater, TransientFailure, WaitFor
from wfm_shared.settings import Settings
from wfm_storage import jobs
from wfm_storage.bootstrap import Storage
from wfm_storage.queue import queue_depth, queue_lag_seconds, queue_queries, queue_settings
from wfm_worker.handlers import JobHandlers
from wfm_worker.metrics import WorkerMetrics

log = get_logger("wfm.worker")

Handler = Callable[[dict[str, Any], int], Awaitable[None]]

# Failures worth another attempt: the peer or a database is briefly away.
TRANSIENT = (
    TransientFailure,
    TimeoutError,
    OSError,
    asyncpg.PostgresConnectionError,
    PyMongoError,
    ServiceUnavailable,
)


@dataclass
class TickReport:
    timers: int = 0
    schedules: list[str] = field(default_factory=list)


class Worker:
    def __init__(
        self, settings: Settings, *, storage: Storage | None = None, clock: Clock | None = None
    ) -> None:
        self.settings = settings
        self._storage = storage  # None: opened (and closed) by the services
        self.clock = clock or SystemClock()
        self._stopping = asyncio.Event()
        self._conn: asyncpg.Connection | None = None
        self._metrics_server: Any = None
        self.metrics = WorkerMetrics()
        self.services: Services | None = None
        self.handlers: JobHandlers
        self.qm: QueueManager

    async def __aenter__(self) -> Worker:
        await self.start()
        return self

    async def __aexit__(
        self, *exc: type[BaseException] | BaseException | TracebackType | None
    ) -> None:
        await self.close()

    async def start(self) -> None:
        self.services = await bootstrap(
            self.settings,
            storage=self._storage,
            clock=self.clock,
            on_platform_command=self._count_command,
        )
        self.handlers = JobHandlers(self.services, self.metrics)
        # the queue's own connection: it LISTENs for new jobs
        self._conn = await asyncpg.connect(self.settings.app_dsn())
        self.qm = self._queue_manager()
        if self.settings.worker_metrics_port:
            self._metrics_server, _ = start_http_server(
                self.settings.worker_metrics_port,
                self.settings.worker_metrics_host,
                registry=self.metrics.registry,
            )

    def _count_command(self, command: InstanceCommand) -> None:
        self.metrics.transitions.labels(type(command).__name__).inc()

    @property
    def live(self) -> Services:
        assert self.services is not None, "the worker is not started"
        return self.services

    def _queue_manager(self) -> QueueManager:
        """A consumer; pgqueuer's run() closes its driver, so each run gets its own."""
        assert self._conn is not None
        manager = QueueManager(queue_queries(self._conn), channel=queue_settings().channel)
        for name, handler in self._handlers().items():
            manager.entrypoint(name, on_failure="hold")(self._entry(name, handler))
        return manager

    def _handlers(self) -> dict[str, Handler]:
        h = self.handlers
        return {
            jobs.DISPATCH_EVENT: h.dispatch_event,
            jobs.RUN_SYSTEM_STEP: h.run_system_step,
            jobs.TIMER_FIRED: h.timer_fired,
            jobs.DELIVER_WEBHOOK: h.deliver_webhook,
            jobs.PROVISION_API_ACCESS: h.provision_api_access,
            jobs.SYNC_API_ACCESS: h.sync_api_access,
            jobs.START_TRIGGERED: h.start_triggered_workflow,
            jobs.PLATFORM_EVENT: h.platform_event,
            jobs.SEND_COMPENSATION: h.send_compensation,
            jobs.JOB_HELD: h.job_held,
            jobs.SCAN_FILE: h.scan_file,
        }

    def _entry(self, name: str, handler: Handler) -> Callable[[Job], Awaitable[None]]:
        metrics, settings = self.metrics, self.settings

        async def run(job: Job) -> None:
            attempt = job.attempts + 1
            payload = json.loads(job.payload or b"{}")
            metrics.attempts.labels(name).observe(attempt)
            started = time.perf_counter()
            outcome = "failed"
            try:
                async with asyncio.timeout(settings.job_timeout_seconds):
                    await handler(payload, attempt)
                outcome = "done"
            except RetryLater as retry:
                if attempt >= settings.job_max_attempts and not isinstance(retry, WaitFor):
                    await self._report_held(name, job, payload, attempt, retry)
                    raise
                outcome = "retried"
                raise RetryRequested(retry.delay, retry.reason) from retry
            except TRANSIENT as error:
                if attempt >= settings.job_max_attempts:
                    await self._report_held(name, job, payload, attempt, error)
                    raise  # held as failed: the dead letter, with its last error
                outcome = "retried"
                raise RetryRequested(self.handlers.backoff(attempt), repr(error)) from error
            except Exception as error:
                # no retry can help: held as failed at once
                await self._report_held(name, job, payload, attempt, error)
                raise
            finally:
                metrics.jobs.labels(name, outcome).inc()
                metrics.job_seconds.labels(name).observe(time.perf_counter() - started)
                log.info(
                    "job", entrypoint=name, job_id=int(job.id), attempt=attempt, outcome=outcome
                )

        return run

    async def _report_held(
        self, name: str, job: Job, payload: dict[str, Any], attempt: int, error: Exception
    ) -> None:
        """Market operations (and the tenant concerned) hear of a job held as failed; failing
        to tell them must not hide the job's own failure."""
        try:
            await self.live.jobs.report_held(int(job.id), name, payload, attempt, repr(error))
        except Exception:
            log.exception("held_job_not_reported", entrypoint=name, job_id=int(job.id))

    def _consume(self, mode: QueueExecutionMode) -> Coroutine[Any, Any, None]:
        batch = max(1, self.settings.worker_concurrency // 2)
        self.qm = self._queue_manager()
        return self.qm.run(
            dequeue_timeout=timedelta(seconds=1),
            batch_size=batch,
            mode=mode,
            max_concurrent_tasks=max(self.settings.worker_concurrency, 2 * batch),
            heartbeat_timeout=timedelta(seconds=self.settings.job_heartbeat_timeout_seconds),
            log_aggregation_interval=timedelta(0),
        )

    async def run(self) -> None:
        """Until `stop()`: consume jobs, tick the clock, reconcile, sweep finished workflows
        past their retention period, refresh the metrics."""
        consumer = asyncio.create_task(self._consume(QueueExecutionMode.continuous))
        loops = [
            asyncio.create_task(self._every(self.settings.timer_interval_seconds, self.tick)),
            asyncio.create_task(
                self._every(self.settings.reconcile_interval_seconds, self.reconcile)
            ),
            asyncio.create_task(
                self._every(self.settings.retention_interval_seconds, self.sweep_retention)
            ),
            asyncio.create_task(self._every(5.0, self.refresh_metrics)),
        ]
        try:
            await self._stopping.wait()
        finally:
            for loop in loops:
                loop.cancel()
            await asyncio.gather(*loops, return_exceptions=True)
            # graceful: pgqueuer stops picking and lets the jobs in flight finish
            self.qm.shutdown.set()
            await consumer

    async def run_until_idle(self) -> None:
        """Handle every job that is due, then return (tests, one-off runs)."""
        await self._consume(QueueExecutionMode.drain)

    def stop(self) -> None:
        self._stopping.set()
        self.qm.shutdown.set()

    async def _every(self, seconds: float, work: Callable[[], Awaitable[Any]]) -> None:
        while not self._stopping.is_set():
            try:
                await work()
            except Exception:  # a failing round must not stop the loop; the next one retries
                log.exception("periodic_work_failed", work=getattr(work, "__name__", repr(work)))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), seconds)

    async def tick(self, now: datetime | None = None) -> TickReport:
        moment = now or self.clock.now()
        return TickReport(
            timers=await self.live.automation.fire_due_timers(moment),
            schedules=await self.live.triggers.fire_due_schedules(moment),
        )

    async def reconcile(self) -> None:
        await self.live.reconciler.run()

    async def sweep_retention(self, now: datetime | None = None) -> RetentionReport:
        """Erase the personal data of finished workflows past their retention period, and the
        bytes of uploads a crash cut short."""
        moment = now or self.clock.now()
        report = await self.live.retention.sweep(moment)
        await self.live.files.clear_abandoned_uploads(moment)
        return report

    async def refresh_metrics(self) -> None:
        metrics = self.metrics
        async with self.live.storage.db.connection() as conn:
            depth = await queue_depth(conn)
            lag = await queue_lag_seconds(conn)
        for status in ("queued", "picked", "failed"):
            metrics.queue_depth.labels(status).set(depth.get(status, 0))
        metrics.queue_lag.set(lag)

    async def close(self) -> None:
        if self._metrics_server is not None:
            self._metrics_server.shutdown()
        if self._conn is not None:
            await self._conn.close()
        if self.services is not None:
            await self.services.close()
