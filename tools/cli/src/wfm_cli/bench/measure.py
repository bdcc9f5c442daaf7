"""Timing helpers and the GraphQL client of the benchmarks (real HTTP against uvicorn)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

ROUND_TRIPS_HEADER = "x-wfm-round-trips"


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50, p95 and mean in milliseconds (p95 by linear interpolation)."""
    ordered = sorted(samples)
    if len(ordered) == 1:
        p95 = ordered[0]
    else:
        p95 = statistics.quantiles(ordered, n=20, method="inclusive")[18]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
        "samples": len(ordered),
    }


async def timed(call: Callable[[], Awaitable[Any]], samples: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        await call()
    taken = []
    for _ in range(samples):
        started = time.perf_counter()
        await call()
        taken.append(time.perf_counter() - started)
    return taken


class BenchError(RuntimeError):
    """A benchmark request that did not succeed: the figures would mean nothing."""


@dataclass
class Answer:
    data: dict[str, Any]
    errors: list[dict[str, Any]]
    round_trips: dict[str, int]


class Client:
    def __init__(self, http: httpx.AsyncClient, token: str) -> None:
        self.http = http
        self.token = token

    async def call(self, query: str, variables: dict[str, Any] | None = None) -> Answer:
        response = await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"authorization": f"Bearer {self.token}"},
        )
        if response.status_code != 200:
            raise BenchError(f"HTTP {response.status_code}: {response.text[:300]}")
        body = response.json()
        return Answer(
            body.get("data") or {},
            body.get("errors") or [],
            parse_round_trips(response.headers.get(ROUND_TRIPS_HEADER)),
        )

    async def ok(self, query: str, variables: dict[str, Any] | None = None) -> Answer:
        answer = await self.call(query, variables)
        if answer.errors:
            raise BenchError(f"GraphQL errors: {answer.errors[:2]}")
        return answer


def parse_round_trips(header: str | None) -> dict[str, int]:
    """ "postgres=8, mongo=2" -> {"postgres": 8, "mongo": 2} (empty when the API hides it)."""
    if not header:
        return {}
    pairs = (part.strip().split("=", 1) for part in header.split(","))
    return {name: int(value) for name, value in pairs}
