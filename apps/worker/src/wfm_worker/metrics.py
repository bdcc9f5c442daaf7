"""Prometheus metrics of the worker, served on its own port."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class WorkerMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.jobs = Counter(
            "wfm_worker_jobs",
            "Jobs handled, by entrypoint and outcome",
            ["entrypoint", "outcome"],
            registry=self.registry,
        )
        self.job_seconds = Histogram(
            "wfm_worker_job_seconds",
            "Time spent handling a job",
            ["entrypoint"],
            registry=self.registry,
        )
        self.attempts = Histogram(
            "wfm_worker_job_attempt", "Attempt number of handled jobs", ["entrypoint"],
            buckets=(1, 2, 3, 5, 8, 13, 21), registry=self.registry,
        )  # fmt: skip
        self.queue_depth = Gauge(
            "wfm_queue_depth", "Jobs in the queue, by status", ["status"], registry=self.registry
        )
        self.queue_lag = Gauge(
            "wfm_queue_lag_seconds",
            "Age of the oldest job that is due and not yet picked",
            registry=self.registry,
        )
        self.timers_fired = Counter(
            "wfm_timers_fired", "Timers fired, by kind", ["kind"], registry=self.registry
        )
        self.transitions = Counter(
            "wfm_worker_commands",
            "Workflow commands issued by the worker",
            ["command"],
            registry=self.registry,
        )
