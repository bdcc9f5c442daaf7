"""Counts database round trips per unit of work (a request, a test) for tests and benchmarks."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from pymongo import monitoring


@dataclass
class RoundTrips:
    postgres: int = 0
    mongo: int = 0

    @property
    def total(self) -> int:
        return self.postgres + self.mongo


_current: ContextVar[RoundTrips | None] = ContextVar("wfm_round_trips", default=None)


@contextlib.contextmanager
def counting_round_trips() -> Iterator[RoundTrips]:
    """Count the queries and commands issued from this context (and tasks it starts)."""
    counter = RoundTrips()
    token = _current.set(counter)
    try:
        yield counter
    finally:
        _current.reset(token)


def postgres_query_logged(_record: Any) -> None:
    # asyncpg calls query loggers with call_soon in the context of the query's task.
    counter = _current.get()
    if counter is not None:
        counter.postgres += 1


class MongoCommandCounter(monitoring.CommandListener):
    def started(self, event: monitoring.CommandStartedEvent) -> None:
        counter = _current.get()
        if counter is not None:
            counter.mongo += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass
