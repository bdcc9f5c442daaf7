"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse

CHECK_TIMEOUT_SECONDS = 2.0


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Ready when both databases answer; 503 names the one that does not."""
    storage = request.app.state.services.storage
    checks: dict[str, str] = {}

    async def postgres() -> None:
        async with storage.db.connection() as conn:
            await conn.fetchval("SELECT 1")

    for name, probe in (("postgres", postgres), ("mongodb", storage.mongo.ping)):
        try:
            await asyncio.wait_for(probe(), CHECK_TIMEOUT_SECONDS)
            checks[name] = "ok"
        except Exception:  # any failure means not ready
            checks[name] = "unavailable"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
    )
