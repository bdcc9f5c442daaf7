"""What a background job's work raises to be run again later. The worker turns these into
its queue's retries (with its backoff), so the services that raise them need not know the
queue."""

from __future__ import annotations

from datetime import timedelta


class RetryLater(Exception):
    """Run the job again after `delay`; past the last attempt, the job is held as failed."""

    def __init__(self, reason: str, delay: timedelta) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delay = delay


class WaitFor(RetryLater):
    """The job waits for another one to finish first: run again after `delay`, however many
    times it waited already (waiting is not failing)."""


class TransientFailure(Exception):
    """Trying again later may succeed (the job is retried with the worker's backoff)."""
